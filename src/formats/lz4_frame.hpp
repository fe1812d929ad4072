// LZ4 frame decompression (liblz4), bounded: joblib's lz4 compressor writes a pickle as LZ4 frames
// (magic 04 22 4D 18, lz4.frame.LZ4FrameFile). Output never grows past the caller's cap; concatenated
// and skippable frames are followed as lz4.frame does.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mg::lz4 {

// True if the bytes start with an LZ4 frame magic number.
bool is_frame(std::span<const std::uint8_t> data);

struct Decoded {
  std::vector<std::uint8_t> bytes;
  bool complete = false;  // every frame ended and no bytes are left over
  bool capped = false;    // output reached max_bytes before the end
  std::string error;      // why decoding stopped early ("" when complete or capped)
};

// Decodes frames from the start of `data` into at most `max_bytes` bytes.
Decoded decompress(std::span<const std::uint8_t> data, std::uint64_t max_bytes);

}  // namespace mg::lz4
