#include "formats/tar_reader.hpp"

#include <cstring>
#include <string_view>

namespace mg::tar {

namespace {

std::string field(std::span<const std::uint8_t> h, std::size_t off, std::size_t len) {
  const auto* p = reinterpret_cast<const char*>(h.data() + off);
  return std::string(p, strnlen(p, len));
}

bool number(std::span<const std::uint8_t> h, std::size_t off, std::size_t len, std::uint64_t& v) {
  v = 0;
  if (h[off] & 0x80) {  // base-256 (GNU) for sizes over 8 GiB
    for (std::size_t k = 1; k < len; ++k) {
      if (v >> 56) return false;
      v = (v << 8) | h[off + k];
    }
    return true;
  }
  std::size_t k = off;
  while (k < off + len && (h[k] == ' ' || h[k] == 0)) ++k;
  for (; k < off + len && h[k] >= '0' && h[k] <= '7'; ++k) {
    if (v >> 60) return false;
    v = v * 8 + (h[k] - '0');
  }
  return true;
}

bool checksum_ok(std::span<const std::uint8_t> h) {
  std::uint64_t want = 0;
  if (!number(h, 148, 8, want)) return false;
  std::uint64_t sum = 0;
  for (std::size_t k = 0; k < 512; ++k) sum += (k >= 148 && k < 156) ? ' ' : h[k];
  return sum == want;
}

}  // namespace

bool is_tar(std::span<const std::uint8_t> d) {
  if (d.size() < 512) return false;
  if (std::memcmp(d.data() + 257, "ustar", 5) == 0) return true;
  return checksum_ok(d.subspan(0, 512)) && d[0] != 0;
}

Result<std::vector<TarMember>> list(std::span<const std::uint8_t> d, std::size_t max_members) {
  std::vector<TarMember> out;
  std::uint64_t p = 0;
  std::string long_name, pax_path;
  while (p + 512 <= d.size()) {
    const auto h = d.subspan(p, 512);
    if (h[0] == 0) break;  // end-of-archive blocks
    if (!checksum_ok(h)) return make_error("tar header checksum mismatch at offset " + std::to_string(p));
    std::uint64_t size = 0;
    if (!number(h, 124, 12, size)) return make_error("tar size field is malformed");
    const std::uint64_t data = p + 512;
    if (size > d.size() - data) return make_error("tar member runs past the end of the archive");
    const char type = static_cast<char>(h[156]);
    const std::string_view body(reinterpret_cast<const char*>(d.data() + data), size);
    if (type == 'L') {
      long_name = std::string(body.substr(0, body.find('\0')));
    } else if (type == 'x') {
      // pax records: "<len> key=value\n"
      const auto at = body.find(" path=");
      if (at != std::string_view::npos) {
        const auto nl = body.find('\n', at);
        pax_path = std::string(body.substr(at + 6, nl == std::string_view::npos ? std::string_view::npos : nl - at - 6));
      }
    } else if (type != 'g') {
      TarMember m;
      m.type = type == 0 ? '0' : type;
      m.offset = data;
      m.size = size;
      m.link = field(h, 157, 100);
      if (!pax_path.empty()) m.name = pax_path;
      else if (!long_name.empty()) m.name = long_name;
      else {
        const std::string prefix = std::memcmp(h.data() + 257, "ustar", 5) == 0 ? field(h, 345, 155) : std::string();
        m.name = prefix.empty() ? field(h, 0, 100) : prefix + "/" + field(h, 0, 100);
      }
      long_name.clear();
      pax_path.clear();
      if (out.size() >= max_members) return make_error("more tar members than the limit");
      out.push_back(std::move(m));
    }
    const std::uint64_t padded = (size + 511) / 512 * 512;
    if (padded > d.size() - data) break;
    p = data + padded;
  }
  return out;
}

}  // namespace mg::tar
