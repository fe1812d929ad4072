#include "formats/lz4_frame.hpp"

#include <lz4frame.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace mg::lz4 {

namespace {

struct ContextFree {
  void operator()(LZ4F_dctx* c) const { LZ4F_freeDecompressionContext(c); }
};

}  // namespace

bool is_frame(std::span<const std::uint8_t> d) {
  return d.size() >= 4 && std::memcmp(d.data(), "\x04\x22\x4d\x18", 4) == 0;
}

Decoded decompress(std::span<const std::uint8_t> data, std::uint64_t max_bytes) {
  Decoded out;
  if (!is_frame(data)) {
    out.error = "not an LZ4 frame";
    return out;
  }
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    out.error = "lz4 context could not be created";
    return out;
  }
  std::unique_ptr<LZ4F_dctx, ContextFree> ctx(raw);
  std::uint8_t chunk[1 << 16];
  std::size_t in = 0;
  for (;;) {
    std::size_t src_size = data.size() - in;
    std::size_t dst_size = sizeof chunk;
    const std::size_t hint = LZ4F_decompress(ctx.get(), chunk, &dst_size, data.data() + in, &src_size, nullptr);
    if (LZ4F_isError(hint)) {
      out.error = std::string("corrupt LZ4 frame at offset ") + std::to_string(in) + ": " + LZ4F_getErrorName(hint);
      return out;
    }
    in += src_size;
    if (dst_size > max_bytes - out.bytes.size()) {
      out.bytes.insert(out.bytes.end(), chunk, chunk + (max_bytes - out.bytes.size()));
      out.capped = true;
      return out;
    }
    out.bytes.insert(out.bytes.end(), chunk, chunk + dst_size);
    if (hint == 0) {  // a frame ended; the context starts the next one
      if (in == data.size()) break;
      const auto rest = data.subspan(in);
      const bool skippable = rest.size() >= 4 && (rest[0] & 0xF0) == 0x50 && rest[1] == 0x2A && rest[2] == 0x4D && rest[3] == 0x18;
      if (!is_frame(rest) && !skippable) {
        out.error = std::to_string(rest.size()) + " bytes after the last LZ4 frame";
        return out;
      }
      continue;
    }
    if (src_size == 0 && dst_size == 0) {  // no progress: the input ends inside a frame
      out.error = "LZ4 frame truncated";
      return out;
    }
  }
  out.complete = true;
  return out;
}

}  // namespace mg::lz4
