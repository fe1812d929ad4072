// libFuzzer target: zip central directory, local-header cross-checks and bounded inflation.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "formats/zip_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  mg::zip::ZipLimits limits;
  limits.max_member_bytes = 1 << 20;
  auto ar = mg::zip::read_archive(bytes, limits);
  if (!ar) return 0;
  std::vector<std::uint8_t> storage;
  for (const auto& m : ar->members) {
    auto b = mg::zip::member_bytes(bytes, m, storage, limits);
    if (b) (void)mg::zip::crc_matches(*b, m.crc);
  }
  return 0;
}
