// A bounded protobuf wire-format reader (no generated code, no libprotobuf): fields one at a time,
// length-delimited payloads as views into the input. Malformed input ends the walk (next() is
// false and ok() stays false); nothing throws or allocates.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace mg::pb {

struct Field {
  std::uint32_t number = 0;
  std::uint32_t wire = 0;
  std::uint64_t varint = 0;
  std::span<const std::uint8_t> bytes;  // length-delimited payload

  std::string_view text() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> d) : d_(d) {}
  bool done() const { return p_ >= d_.size(); }
  bool ok() const { return ok_; }

  // The next field; false at the end (ok()) or on malformed input (!ok()).
  bool next(Field& f) {
    if (done() || !ok_) return false;
    std::uint64_t key = 0;
    if (!varint(key)) return ok_ = false;
    f.number = static_cast<std::uint32_t>(key >> 3);
    f.wire = static_cast<std::uint32_t>(key & 7);
    f.bytes = {};
    f.varint = 0;
    if (f.number == 0) return ok_ = false;
    switch (f.wire) {
      case 0: return varint(f.varint) || (ok_ = false);
      case 1: return skip(8) || (ok_ = false);
      case 5: return skip(4) || (ok_ = false);
      case 2: {
        std::uint64_t n = 0;
        if (!varint(n) || n > d_.size() - p_) return ok_ = false;
        f.bytes = d_.subspan(static_cast<std::size_t>(p_), static_cast<std::size_t>(n));
        p_ += n;
        return true;
      }
      default: return ok_ = false;  // groups (3, 4) are not used by these schemas
    }
  }

 private:
  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= d_.size()) return false;
      const std::uint8_t b = d_[static_cast<std::size_t>(p_++)];
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool skip(std::uint64_t n) {
    if (n > d_.size() - p_) return false;
    p_ += n;
    return true;
  }

  std::span<const std::uint8_t> d_;
  std::uint64_t p_ = 0;
  bool ok_ = true;
};

}  // namespace mg::pb
