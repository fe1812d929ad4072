// Archives, read in place with libarchive: as targets (zip and tar, plain or compressed), and as
// files inside a snapshot (tar in any compression, .nemo, 7z), whose members become files of the
// snapshot. Members are held in memory within Limits; nothing is ever written to disk.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "source/snapshot.hpp"

namespace mg {

// True when the name says the file is a repository packed as an archive (not a model file that
// happens to be a zip, such as a PyTorch checkpoint or a .keras file).
bool is_repository_archive_name(std::string_view name);

// What a file's first bytes (512 are enough) say about it as a container, by magic alone:
// "tar", "7z", "rar", "compressed" (gzip, bzip2, xz, zstd or lz4: a container only when the stream
// holds a tar, which only decompressing tells) or "". Zips are not containers here: the serialized
// engine reads them the way torch.load does.
std::string_view container_magic(std::span<const std::uint8_t> head);

Result<Snapshot> open_archive(const std::string& path, const Limits& limits);

// Opens every tar (plain or compressed; .nemo checkpoints are tars) and 7z archive among the
// snapshot's files, found by content, and adds its members as files named `archive!member`,
// recursively up to Limits::max_archive_depth. Sizes, ratio and member count are bounded as for
// archive targets, with one total for the whole snapshot. Whatever is not opened or not read in
// full (a bound, encryption, a format this build does not read, corruption) is recorded in
// snap.incomplete with the member named, so the target cannot come out complete.
void open_nested_archives(Snapshot& snap, const Limits& limits);

}  // namespace mg
