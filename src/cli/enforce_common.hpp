// Shared by lock, verify and sign: one target opened as `scan` opens it, files read whole.
#pragma once
#include <string>

#include "core/result.hpp"
#include "source/hub/hub.hpp"
#include "source/snapshot.hpp"

namespace mg::cli {

// The target as exactly one snapshot (a cache root holding several repositories is a usage error:
// a lock pins one repository).
Result<Snapshot> open_single_target(const std::string& target, const std::string& endpoint, bool offline);

// A small file (lockfile, key, signature) read whole; files above `max_bytes` are refused.
Result<std::string> read_text_file(const std::string& path, std::size_t max_bytes = 64u << 20);

bool write_text_file(const std::string& path, const std::string& text);

// Rule-set identity for the lockfile: the rule count and a digest of every rule's id and severity.
std::string rules_version();

}  // namespace mg::cli
