#include "formats/hdf5_configs.hpp"

#include <cstring>

namespace mg::hdf5 {

namespace {

// Length of the JSON object starting at text[0] == '{', or 0 if it does not close.
std::size_t object_length(std::string_view text, std::size_t max_bytes) {
  std::size_t depth = 0;
  bool in_string = false;
  const std::size_t end = text.size() < max_bytes ? text.size() : max_bytes;
  for (std::size_t k = 0; k < end; ++k) {
    const char c = text[k];
    if (in_string) {
      if (c == '\\') ++k;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return 0;
      if (--depth == 0) return k + 1;
    } else if (c == '\0') {
      return 0;  // attribute strings never hold NUL: this is not one
    }
  }
  return 0;
}

}  // namespace

bool is_hdf5(std::span<const std::uint8_t> d) {
  // The superblock signature sits at 0, 512, 1024, ... (user block).
  for (std::size_t off = 0; off + 8 <= d.size() && off <= (1u << 20); off = off ? off * 2 : 512) {
    if (std::memcmp(d.data() + off, "\x89HDF\r\n\x1a\n", 8) == 0) return true;
  }
  return false;
}

std::vector<std::string_view> keras_json_configs(std::span<const std::uint8_t> d, std::size_t max_bytes) {
  std::vector<std::string_view> out;
  const std::string_view text(reinterpret_cast<const char*>(d.data()), d.size());
  std::size_t pos = 0;
  while (out.size() < 64) {
    const std::size_t a = text.find("{\"class_name\"", pos);
    const std::size_t b = text.find("{\"module\"", pos);
    const std::size_t at = a < b ? a : b;
    if (at == std::string_view::npos) break;
    const std::size_t len = object_length(text.substr(at), max_bytes);
    if (len == 0) {
      pos = at + 1;
      continue;
    }
    out.push_back(text.substr(at, len));
    pos = at + len;  // nested objects are walked by the config checker, not found again here
  }
  return out;
}

}  // namespace mg::hdf5
