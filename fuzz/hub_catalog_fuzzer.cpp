// A hub's model listing is hostile input: the catalog page parser (study mode's --hf-list) must
// keep only valid ids, bounded, and never crash on any body.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "source/hub/catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<mg::hub::CatalogEntry> out;
  std::vector<std::string> problems;
  if (mg::hub::parse_catalog_page(body, out, problems, 64)) {
    if (out.size() > 64 || problems.size() > 20) __builtin_trap();
    for (const auto& e : out) {
      if (e.id.empty() || e.id.find("..") != std::string::npos || e.tags.size() > 256) __builtin_trap();
    }
  }
  return 0;
}
