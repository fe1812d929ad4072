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

std::vector<std::string> external_links(std::span<const std::uint8_t> d) {
  std::vector<std::string> out;
  const auto printable = [](std::string_view v) {
    if (v.empty() || v.size() > 4096) return false;
    for (char c : v) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    }
    return true;
  };
  // Link message: version 1, flags (bit 3: link type present), type 64, [creation order], [charset],
  // name length (1 << (flags & 3) bytes), name, info length (2 bytes), info: flags byte, file\0, path\0.
  for (std::size_t k = 0; k + 6 < d.size() && out.size() < 64; ++k) {
    if (d[k] != 0x01 || (d[k + 1] & 0x08) == 0 || (d[k + 1] & 0xE0) != 0 || d[k + 2] != 0x40) continue;
    const std::uint8_t flags = d[k + 1];
    std::size_t p = k + 3;
    if (flags & 0x04) p += 8;
    if (flags & 0x10) p += 1;
    const std::size_t len_size = std::size_t{1} << (flags & 3);
    if (p + len_size > d.size()) continue;
    std::uint64_t name_len = 0;
    for (std::size_t b = len_size; b-- > 0;) name_len = (name_len << 8) | d[p + b];
    p += len_size;
    if (name_len == 0 || name_len > 4096 || p + name_len + 3 > d.size()) continue;
    const std::string_view name(reinterpret_cast<const char*>(d.data() + p), name_len);
    p += name_len;
    const std::size_t info_len = d[p] | (d[p + 1] << 8);
    p += 2;
    if (info_len < 4 || p + info_len > d.size() || d[p] != 0) continue;
    const std::string_view info(reinterpret_cast<const char*>(d.data() + p + 1), info_len - 1);
    const auto z1 = info.find('\0');
    if (z1 == std::string_view::npos || z1 + 1 >= info.size() || info.back() != '\0') continue;
    const std::string_view file = info.substr(0, z1);
    const std::string_view object = info.substr(z1 + 1, info.size() - z1 - 2);
    if (!printable(name) || !printable(file) || !printable(object) || object.find('\0') != std::string_view::npos) continue;
    out.push_back(std::string(file) + ":" + std::string(object));
    k = p + info_len - 1;
  }
  return out;
}

}  // namespace mg::hdf5
