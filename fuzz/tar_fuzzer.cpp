// libFuzzer target: tar listing (ustar, GNU long names, pax paths, base-256 sizes).
#include <cstddef>
#include <cstdint>

#include "formats/tar_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (mg::tar::is_tar(bytes)) (void)mg::tar::list(bytes, 10'000);
  return 0;
}
