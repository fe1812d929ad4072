// Bounded directory walk shared by the directory and cache sources.
#pragma once
#include <string>

#include "core/limits.hpp"
#include "source/snapshot.hpp"

namespace mg {

// Adds every regular file under `dir` to `snap.files` (paths relative to `dir`). Symlinks are
// followed only while their target stays inside `allowed_root` (a cache root may be wider than
// `dir`); loops, escapes, unreadable entries and limits are recorded, never fatal. `.git` is skipped.
void walk_directory(const std::string& dir, const std::string& allowed_root, const Limits& limits, Snapshot& snap);

// realpath() as a string; "" on failure.
std::string real_path(const std::string& path);

}  // namespace mg
