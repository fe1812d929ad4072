// Format detection by content (magic bytes, zip central directory listing, compressed heads) and
// transformers' relative-import scan, on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "platform/plan_builder.hpp"
#include "platform/sniff.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  (void)mg::sniff_format(bytes, "model.bin");
  (void)mg::sniff_format(bytes.first(std::min<std::size_t>(size, 64)), "weights.joblib", size);
  (void)mg::zip_member_names(bytes, 1000);
  (void)mg::relative_import_names(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
