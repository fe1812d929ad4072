// Nesting pre-check for untrusted JSON before it reaches a recursive parser.
#pragma once
#include <cstddef>
#include <string_view>

namespace mg {

// True if no array/object nesting in `text` goes deeper than `max_depth` (strings are skipped).
inline bool json_depth_within(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char c = text[k];
    if (in_string) {
      if (c == '\\') ++k;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return true;
}

}  // namespace mg
