// libFuzzer target: safetensors header validation.
#include <cstddef>
#include <cstdint>

#include "formats/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto rep = mg::safetensors::validate({data, size});
  (void)mg::safetensors::suspicious_metadata(rep);
  return 0;
}
