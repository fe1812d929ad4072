// Archives as targets: zip and tar (plain or compressed), read in place with libarchive. Members
// are held in memory within Limits; nothing is ever written to disk.
#pragma once
#include <string>

#include "core/limits.hpp"
#include "source/snapshot.hpp"

namespace mg {

// True when the name says the file is a repository packed as an archive (not a model file that
// happens to be a zip, such as a PyTorch checkpoint or a .keras file).
bool is_repository_archive_name(std::string_view name);

Result<Snapshot> open_archive(const std::string& path, const Limits& limits);

}  // namespace mg
