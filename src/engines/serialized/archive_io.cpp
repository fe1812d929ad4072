#include "engines/serialized/archive_io.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <cstring>
#include <memory>

#include "formats/lz4_frame.hpp"

namespace mg::serialized {

namespace {

bool prefix(std::span<const std::uint8_t> d, const char* magic, std::size_t n) {
  return d.size() >= n && std::memcmp(d.data(), magic, n) == 0;
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

std::uint64_t cap_for(std::size_t in, const DecompressLimits& lim) {
  const std::uint64_t by_ratio = in > UINT64_MAX / lim.max_ratio ? UINT64_MAX : in * lim.max_ratio + 65536;
  return std::min(lim.max_bytes, by_ratio);
}

// `stopped`: when set, a stream that ends early or breaks yields the bytes before that point and
// the reason here (an unpickler reading the stream has run those bytes already).
Result<std::vector<std::uint8_t>> stop(std::vector<std::uint8_t>& out, std::string why, std::string* stopped) {
  if (!stopped || out.empty()) return make_error(std::move(why));
  *stopped = std::move(why);
  return std::move(out);
}

Result<std::vector<std::uint8_t>> inflate_all(std::span<const std::uint8_t> d, int window_bits, const DecompressLimits& lim,
                                              std::string* stopped) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return make_error("zlib init failed");
  std::vector<std::uint8_t> out;
  const std::uint64_t cap = cap_for(d.size(), lim);
  std::uint8_t chunk[1 << 16];
  std::size_t off = 0;
  int rc = Z_OK;
  while (true) {
    zs.next_in = const_cast<Bytef*>(d.data() + off);
    zs.avail_in = static_cast<uInt>(std::min<std::size_t>(d.size() - off, 1u << 30));
    zs.next_out = chunk;
    zs.avail_out = sizeof chunk;
    const uInt before = zs.avail_in;
    rc = inflate(&zs, Z_NO_FLUSH);
    off += before - zs.avail_in;
    const std::size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > cap) {
      inflateEnd(&zs);
      out.insert(out.end(), chunk, chunk + (cap - out.size()));
      return stop(out, "decompressed size past the limit (bomb?)", stopped);
    }
    out.insert(out.end(), chunk, chunk + produced);
    if (rc == Z_STREAM_END) break;
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || (produced == 0 && off >= d.size())) {
      inflateEnd(&zs);
      return stop(out, "compressed stream is corrupt or truncated", stopped);
    }
  }
  inflateEnd(&zs);
  return out;
}

}  // namespace

std::string compression_of(std::span<const std::uint8_t> d) {
  if (d.size() < 4) return "";
  if (d[0] == 0x78 && ((d[0] << 8) | d[1]) % 31 == 0) return "zlib";
  if (prefix(d, "\x1f\x8b", 2)) return "gzip";
  if (prefix(d, "BZh", 3)) return "bz2";
  if (prefix(d, "\xfd" "7zXZ\x00", 6)) return "xz";
  if (prefix(d, "\x5d\x00\x00", 3)) return "lzma";
  if (prefix(d, "\x04\x22\x4d\x18", 4)) return "lz4";
  return "";
}

Result<std::vector<std::uint8_t>> decompress(std::span<const std::uint8_t> d, const DecompressLimits& lim, std::string* stopped) {
  const std::string kind = compression_of(d);
  if (kind == "zlib") return inflate_all(d, 15, lim, stopped);
  if (kind == "gzip") return inflate_all(d, 31, lim, stopped);
  if (kind.empty()) return make_error("unknown compression");
  if (kind == "lz4") {
    auto r = lz4::decompress(d, cap_for(d.size(), lim));
    if (r.complete) return std::move(r.bytes);
    return stop(r.bytes, r.capped ? "decompressed size past the limit (bomb?)" : r.error, stopped);
  }
  ArchivePtr a(archive_read_new());
  if (!a) return make_error("libarchive init failed");
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_lzma(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_memory(a.get(), d.data(), d.size()) != ARCHIVE_OK) {
    return make_error(std::string("cannot open ") + kind + " stream: " + (archive_error_string(a.get()) ? archive_error_string(a.get()) : ""));
  }
  archive_entry* e = nullptr;
  if (archive_read_next_header(a.get(), &e) != ARCHIVE_OK) return make_error("cannot read " + kind + " stream");
  std::vector<std::uint8_t> out;
  const std::uint64_t cap = cap_for(d.size(), lim);
  std::uint8_t chunk[1 << 16];
  while (true) {
    const la_ssize_t n = archive_read_data(a.get(), chunk, sizeof chunk);
    if (n < 0) return stop(out, kind + " stream is corrupt or truncated", stopped);
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > cap) {
      out.insert(out.end(), chunk, chunk + (cap - out.size()));
      return stop(out, "decompressed size past the limit (bomb?)", stopped);
    }
    out.insert(out.end(), chunk, chunk + n);
  }
  return out;
}

Result<std::vector<ArchiveEntry>> read_7z(std::span<const std::uint8_t> d, const DecompressLimits& lim, std::size_t max_members) {
  ArchivePtr a(archive_read_new());
  if (!a) return make_error("libarchive init failed");
  archive_read_support_format_7zip(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_memory(a.get(), d.data(), d.size()) != ARCHIVE_OK) return make_error("not a readable 7z archive");
  std::vector<ArchiveEntry> out;
  std::uint64_t total = 0;
  const std::uint64_t total_cap = cap_for(d.size(), lim) * 4;
  archive_entry* e = nullptr;
  while (true) {
    const int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      const char* why = archive_error_string(a.get());
      return make_error(std::string("7z archive is corrupt: ") + (why ? why : "unknown error"));
    }
    // 7z writers that store no attributes (py7zr) leave the type unset: an entry with bytes is a file.
    const auto type = archive_entry_filetype(e);
    if (type != AE_IFREG && !(type == 0 && archive_entry_size(e) > 0)) continue;
    if (out.size() >= max_members) return make_error("more 7z members than the limit");
    ArchiveEntry entry;
    const char* name = archive_entry_pathname(e);
    entry.name = name ? name : "";
    std::uint8_t chunk[1 << 16];
    while (true) {
      const la_ssize_t n = archive_read_data(a.get(), chunk, sizeof chunk);
      if (n < 0) return make_error("7z member '" + entry.name + "' cannot be decompressed");
      if (n == 0) break;
      if (entry.bytes.size() + static_cast<std::size_t>(n) > lim.max_bytes || total + static_cast<std::uint64_t>(n) > total_cap) {
        entry.truncated = true;
        break;
      }
      entry.bytes.insert(entry.bytes.end(), chunk, chunk + n);
      total += static_cast<std::uint64_t>(n);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace mg::serialized
