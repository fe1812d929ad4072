#include "formats/zip_reader.hpp"

#include <zlib.h>

#include <algorithm>

namespace mg::zip {

namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50;
constexpr std::uint32_t kCentralSig = 0x02014b50;
constexpr std::uint32_t kEocdSig = 0x06054b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kZip64EocdSig = 0x06064b50;

std::uint64_t le(std::span<const std::uint8_t> d, std::uint64_t off, int n) {
  std::uint64_t v = 0;
  for (int k = n - 1; k >= 0; --k) v = (v << 8) | d[off + static_cast<std::uint64_t>(k)];
  return v;
}

bool fits(std::span<const std::uint8_t> d, std::uint64_t off, std::uint64_t n) {
  return off <= d.size() && n <= d.size() - off;
}

std::string hex16(unsigned v) {
  static const char* h = "0123456789abcdef";
  std::string s = "0x";
  for (int k = 12; k >= 0; k -= 4) s += h[(v >> k) & 15];
  return s;
}

}  // namespace

bool looks_like_zip(std::span<const std::uint8_t> d) {
  if (d.size() >= 4 && le(d, 0, 4) == kLocalSig) return true;
  if (d.size() < 22) return false;
  const std::uint64_t lo = d.size() > 22 + 65535 ? d.size() - 22 - 65535 : 0;
  for (std::uint64_t p = d.size() - 22 + 1; p-- > lo;) {
    if (le(d, p, 4) == kEocdSig) return true;
  }
  return false;
}

Result<Archive> read_archive(std::span<const std::uint8_t> d, const ZipLimits& limits) {
  if (d.size() < 22) return make_error("too small for a zip");
  // The EOCD is the last record; a comment of up to 64 KiB may follow it.
  std::uint64_t eocd = UINT64_MAX;
  const std::uint64_t lo = d.size() > 22 + 65535 ? d.size() - 22 - 65535 : 0;
  for (std::uint64_t p = d.size() - 22 + 1; p-- > lo;) {
    if (le(d, p, 4) == kEocdSig) {
      eocd = p;
      break;
    }
  }
  if (eocd == UINT64_MAX) return make_error("no end-of-central-directory record");
  Archive ar;
  std::uint64_t entries = le(d, eocd + 10, 2);
  std::uint64_t cd_size = le(d, eocd + 12, 4);
  std::uint64_t cd_off = le(d, eocd + 16, 4);
  if (entries == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
    if (eocd < 20 || le(d, eocd - 20, 4) != kZip64LocatorSig) return make_error("zip64 values without a zip64 locator");
    const std::uint64_t z = le(d, eocd - 20 + 8, 8);
    if (!fits(d, z, 56) || le(d, z, 4) != kZip64EocdSig) return make_error("zip64 end record outside the file");
    entries = le(d, z + 32, 8);
    cd_size = le(d, z + 40, 8);
    cd_off = le(d, z + 48, 8);
  }
  if (!fits(d, cd_off, cd_size)) return make_error("central directory outside the file");
  if (entries > limits.max_members) return make_error("more zip members than the limit");
  ar.cd_offset = cd_off;

  std::uint64_t p = cd_off;
  const std::uint64_t cd_end = cd_off + cd_size;
  for (std::uint64_t n = 0; n < entries; ++n) {
    if (p + 46 > cd_end || le(d, p, 4) != kCentralSig) return make_error("central directory entry " + std::to_string(n) + " is corrupt");
    Member m;
    m.flags = static_cast<std::uint16_t>(le(d, p + 8, 2));
    m.method = static_cast<std::uint16_t>(le(d, p + 10, 2));
    m.crc = static_cast<std::uint32_t>(le(d, p + 16, 4));
    m.compressed_size = le(d, p + 20, 4);
    m.size = le(d, p + 24, 4);
    const std::uint64_t name_len = le(d, p + 28, 2), extra_len = le(d, p + 30, 2), comment_len = le(d, p + 32, 2);
    m.local_offset = le(d, p + 42, 4);
    if (p + 46 + name_len + extra_len + comment_len > cd_end) return make_error("central directory entry runs past its end");
    m.name.assign(reinterpret_cast<const char*>(d.data() + p + 46), name_len);
    // Zip64 extra field: only the fields saturated in the fixed part are present, in this order.
    std::uint64_t e = p + 46 + name_len;
    const std::uint64_t e_end = e + extra_len;
    while (e + 4 <= e_end) {
      const auto id = le(d, e, 2), len = le(d, e + 2, 2);
      if (e + 4 + len > e_end) break;
      if (id == 0x0001) {
        std::uint64_t q = e + 4;
        auto take = [&](std::uint64_t& field, std::uint64_t sat) {
          if (field == sat && q + 8 <= e + 4 + len) {
            field = le(d, q, 8);
            q += 8;
          }
        };
        take(m.size, 0xFFFFFFFFu);
        take(m.compressed_size, 0xFFFFFFFFu);
        take(m.local_offset, 0xFFFFFFFFu);
      }
      e += 4 + len;
    }
    p += 46 + name_len + extra_len + comment_len;

    // Cross-check the local header, as a strict reader would; read data through it, as torch does.
    if (fits(d, m.local_offset, 30) && le(d, m.local_offset, 4) == kLocalSig) {
      const std::uint64_t lname = le(d, m.local_offset + 26, 2), lextra = le(d, m.local_offset + 28, 2);
      m.local_flags = static_cast<std::uint16_t>(le(d, m.local_offset + 6, 2));
      const auto lmethod = le(d, m.local_offset + 8, 2);
      if (fits(d, m.local_offset + 30, lname + lextra)) {
        m.local_name.assign(reinterpret_cast<const char*>(d.data() + m.local_offset + 30), lname);
        m.data_offset = m.local_offset + 30 + lname + lextra;
        m.local_ok = true;
      }
      if (m.local_ok && m.local_name != m.name) {
        ar.anomalies.push_back("member '" + m.name + "': local header names it '" + m.local_name +
                               "' (strict readers refuse the file; PyTorch reads it)");
      }
      if (lmethod != m.method) {
        ar.anomalies.push_back("member '" + m.name + "': compression method differs between headers");
      }
    }
    if (!m.local_ok) {
      ar.anomalies.push_back("member '" + m.name + "': local header missing or outside the file");
    }
    ar.members.push_back(std::move(m));
  }
  // Overlapping member data is the shape of overlap-based zip bombs.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
  for (const auto& m : ar.members) {
    if (m.local_ok) spans.emplace_back(m.data_offset, m.data_offset + m.compressed_size);
  }
  std::sort(spans.begin(), spans.end());
  for (std::size_t k = 1; k < spans.size(); ++k) {
    if (spans[k].first < spans[k - 1].second && spans[k].second > spans[k].first) {
      ar.anomalies.push_back("member data ranges overlap (zip-bomb construction)");
      break;
    }
  }
  return ar;
}

Result<std::span<const std::uint8_t>> member_bytes(std::span<const std::uint8_t> d, const Member& m,
                                                   std::vector<std::uint8_t>& storage, const ZipLimits& limits) {
  if (!m.local_ok) return make_error("member '" + m.name + "' has no readable local header");
  if (!fits(d, m.data_offset, m.compressed_size)) return make_error("member '" + m.name + "' runs past the end of the file");
  const auto raw = d.subspan(m.data_offset, m.compressed_size);
  if (m.method == 0) return raw;
  if (m.method != 8) return make_error("member '" + m.name + "' uses compression method " + std::to_string(m.method));
  const std::uint64_t cap = std::min<std::uint64_t>(
      limits.max_member_bytes, m.compressed_size > UINT64_MAX / limits.max_ratio ? UINT64_MAX : m.compressed_size * limits.max_ratio + 4096);
  storage.clear();
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return make_error("zlib init failed");
  std::uint64_t in_off = 0;
  int rc = Z_OK;
  std::uint8_t chunk[1 << 16];
  while (rc != Z_STREAM_END) {
    const std::uint64_t avail = raw.size() - in_off;
    zs.next_in = const_cast<Bytef*>(raw.data() + in_off);
    zs.avail_in = static_cast<uInt>(std::min<std::uint64_t>(avail, 1u << 30));
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    const uInt before_in = zs.avail_in;
    rc = inflate(&zs, Z_NO_FLUSH);
    in_off += before_in - zs.avail_in;
    const std::size_t produced = sizeof chunk - zs.avail_out;
    if (storage.size() + produced > cap) {
      inflateEnd(&zs);
      return make_error("member '" + m.name + "' inflates past the size or ratio limit (zip bomb?)");
    }
    storage.insert(storage.end(), chunk, chunk + produced);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && produced > 0)) {
      inflateEnd(&zs);
      return make_error("member '" + m.name + "' has a corrupt deflate stream");
    }
    if (produced == 0 && in_off >= raw.size()) {
      inflateEnd(&zs);
      return make_error("member '" + m.name + "' deflate stream is truncated");
    }
  }
  inflateEnd(&zs);
  return std::span<const std::uint8_t>(storage.data(), storage.size());
}

unsigned odd_flags(const Member& m) { return (m.flags | m.local_flags) & 0x0061u; }

std::string describe_odd_flags(const Member& m) {
  return "general-purpose flag bits " + hex16(odd_flags(m)) + " (encrypted / patched data)";
}

bool crc_matches(std::span<const std::uint8_t> bytes, std::uint32_t crc) {
  uLong c = crc32(0L, Z_NULL, 0);
  std::size_t off = 0;
  while (off < bytes.size()) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(bytes.size() - off, 1u << 30));
    c = crc32(c, bytes.data() + off, n);
    off += n;
  }
  return static_cast<std::uint32_t>(c) == crc;
}

}  // namespace mg::zip
