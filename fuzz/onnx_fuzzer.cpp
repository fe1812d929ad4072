// libFuzzer target: the ONNX ModelProto walk over the shared protobuf wire reader, with the
// custom-op domain, local-function and native-library name collection.
#include <cstddef>
#include <cstdint>

#include "formats/onnx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto rep = mg::onnx::read({data, size});
  for (const auto& loc : rep.external_locations) (void)mg::onnx::location_escapes(loc);
  if (rep.custom_domains.size() > 64) __builtin_trap();
  for (const auto& d : rep.custom_domains) {
    if (d.op_types.size() > 16) __builtin_trap();
    (void)mg::onnx::known_library(d.domain);
  }
  for (const auto& lib : rep.native_libraries) (void)mg::onnx::is_native_library_name(lib);
  return 0;
}
