// Lockfiles are user-supplied files `modelgate verify --lock` trusts to describe a repository:
// the parser must reject anything malformed with an error, and what it accepts must compare and
// render without trouble.
#include <cstdint>
#include <string_view>

#include "enforce/lockfile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto lock = mg::enforce::parse_lockfile(text);
  if (!lock) return 0;
  (void)mg::enforce::compare_locks(*lock, *lock);
  auto again = mg::enforce::parse_lockfile(mg::enforce::render_lockfile(*lock));
  if (!again) __builtin_trap();  // what we read, we must be able to write and read back
  if (!mg::enforce::compare_locks(*lock, *again).empty()) __builtin_trap();
  return 0;
}
