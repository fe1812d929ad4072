// A hub's model listing is hostile input: the catalog page parsers (study mode's --hf-list,
// --ms-list, --csg-list), the PyTorch Hub index Markdown and OpenMMLab's model-index/metafile
// YAML must keep only valid ids and safe paths, bounded, and never crash on any body. A first
// byte 0x01-0x05 picks a parser for the rest; anything else is a Hugging Face listing page.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "source/hub/catalog.hpp"
#include "source/hub/listings.hpp"

namespace {

void check_entries(const std::vector<mg::hub::CatalogEntry>& out, const std::vector<std::string>& problems) {
  if (out.size() > 64 || problems.size() > 20) __builtin_trap();
  for (const auto& e : out) {
    if (e.id.empty() || e.id.find("..") != std::string::npos || e.tags.size() > 256) __builtin_trap();
  }
}

// A path that climbs out of the repository: absolute, or a ".." component.
bool escapes(const std::string& p) {
  if (p.empty() || p.front() == '/') return true;
  std::size_t start = 0;
  while (start <= p.size()) {
    const auto slash = p.find('/', start);
    const auto part = p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") return true;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  const std::uint8_t selector = size > 0 ? data[0] : 0;
  if (selector >= 1 && selector <= 5) body.remove_prefix(1);
  std::vector<mg::hub::CatalogEntry> out;
  std::vector<std::string> problems;
  std::int64_t total = 0;
  std::size_t records = 0;
  switch (selector) {
    case 1:
      if (mg::hub::parse_ms_model_page(body, out, problems, 64, total, records)) check_entries(out, problems);
      break;
    case 2:
      if (mg::hub::parse_csg_model_page(body, out, problems, 64, total, records)) check_entries(out, problems);
      break;
    case 3: {
      const std::string id = mg::hub::parse_torchhub_markdown(body);
      if (!id.empty() && (id.find('/') == std::string::npos || id.find("..") != std::string::npos)) __builtin_trap();
      break;
    }
    case 4:
      for (const auto& p : mg::hub::parse_mm_model_index(body, problems)) {
        if (escapes(p)) __builtin_trap();
      }
      break;
    case 5: {
      const auto models = mg::hub::parse_mm_metafile(body, problems, 64);
      if (models.size() > 64 || problems.size() > 20) __builtin_trap();
      for (const auto& m : models) {
        if (escapes(m.config)) __builtin_trap();
      }
      break;
    }
    default:
      if (mg::hub::parse_catalog_page(body, out, problems, 64)) check_entries(out, problems);
  }
  return 0;
}
