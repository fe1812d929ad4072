// `modelgate run --policy FILE` reads a user-supplied JSON file that widens the sandbox: the parser
// must reject anything malformed with an error, and every path it accepts must be one bwrap can
// take unchanged (absolute, no "." or ".." parts, not the root).
#include <cstdint>
#include <string_view>

#include "sandbox/policy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = mg::sandbox::parse_policy(text);
  if (!policy) return 0;
  for (const auto* list : {&policy->write_paths, &policy->read_only_paths}) {
    if (list->size() > 64) __builtin_trap();
    for (const auto& p : *list) {
      if (p.size() < 2 || p[0] != '/' || p.back() == '/' || p.find("/../") != std::string::npos || p.find("//") != std::string::npos ||
          p.find("/./") != std::string::npos || p.find('\0') != std::string::npos)
        __builtin_trap();
    }
  }
  return 0;
}
