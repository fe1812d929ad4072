// libFuzzer target: the minimal protobuf walk over an ONNX ModelProto.
#include <cstddef>
#include <cstdint>

#include "formats/onnx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto rep = mg::onnx::read({data, size});
  for (const auto& loc : rep.external_locations) (void)mg::onnx::location_escapes(loc);
  return 0;
}
