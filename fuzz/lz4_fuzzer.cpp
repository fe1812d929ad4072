// libFuzzer target: bounded LZ4 frame decoding (joblib compress="lz4"), with a small output cap so
// that the cap path and the frame-chaining path are both reached.
#include <cstddef>
#include <cstdint>

#include "formats/lz4_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  for (std::uint64_t cap : {std::uint64_t{64}, std::uint64_t{1} << 20}) {
    const auto r = mg::lz4::decompress(bytes, cap);
    if (r.bytes.size() > cap) __builtin_trap();
    if (r.complete && !r.error.empty()) __builtin_trap();
  }
  return 0;
}
