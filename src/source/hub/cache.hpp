// The download cache, $XDG_CACHE_HOME/modelgate (~/.cache/modelgate): whole files by content
// (sha256 of LFS files, git blob id of the others, both verified before they are stored), byte
// ranges of large files by the same key, and each repository's resolved revisions and listings
// (what an offline scan needs). Every write goes to a temporary file renamed into place, so
// processes sharing the cache never see half a file. The size is bounded by trimming the least
// recently written entries.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mg::hub {

class Cache {
 public:
  // MODELGATE_CACHE_DIR, else $XDG_CACHE_HOME/modelgate, else $HOME/.cache/modelgate; disabled
  // (every lookup misses, nothing is written) when none is usable or MODELGATE_CACHE_DIR is "off".
  static Cache open_default();
  explicit Cache(std::string root) : root_(std::move(root)) {}

  bool enabled() const { return !root_.empty(); }
  const std::string& root() const { return root_; }

  // Whole files. `key` is "sha256-<hex>" or "git-<hex>".
  std::optional<std::string> object(std::string_view key) const;  // path when present
  std::optional<std::string> put_object(std::string_view key, std::string_view bytes);

  // Byte ranges of a large file: stored pieces overlapping [begin, end), as (offset, bytes).
  std::vector<std::pair<std::uint64_t, std::string>> ranges(std::string_view key, std::uint64_t begin, std::uint64_t end) const;
  void put_range(std::string_view key, std::uint64_t begin, std::string_view bytes);

  // Small text records (resolved revisions, listings) under a relative name.
  std::optional<std::string> get_text(const std::string& name) const;
  void put_text(const std::string& name, std::string_view text);

  // Removes the oldest objects and ranges until the cache holds at most max_bytes
  // (MODELGATE_CACHE_MAX_BYTES, default 8 GiB).
  void trim(std::uint64_t max_bytes) const;
  static std::uint64_t max_bytes_from_env();

 private:
  bool write_atomic(const std::string& path, std::string_view bytes) const;
  std::string root_;
};

// A cache key is safe as a file name: "sha256-" or "git-" and lower-case hex.
bool valid_cache_key(std::string_view key);

}  // namespace mg::hub
