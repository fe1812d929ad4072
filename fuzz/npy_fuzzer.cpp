// libFuzzer target: .npy header parsing.
#include <cstddef>
#include <cstdint>

#include "formats/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)mg::npy::read_header({data, size});
  return 0;
}
