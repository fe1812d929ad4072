// Repository JSON as hostile input: the bounded parser every platform profile reads configs with,
// then the walk the transformers profile does over auto_map.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "platform/config_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mg::Limits limits;
  auto parsed = mg::parse_config_json(std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (parsed && parsed->is_object()) {
    auto it = parsed->find("auto_map");
    if (it != parsed->end() && it->is_object()) {
      for (const auto& [k, v] : it->items()) (void)mg::key_path("auto_map", k), (void)v.is_string();
    }
  }
  return 0;
}
