#include "python/grammar.hpp"

#include <vector>

namespace mg::py::grammar {

namespace {

Tables build() {
  const TSLanguage* lang = tree_sitter_python();
  const std::uint32_t count = ts_language_symbol_count(lang);
  // Several symbols can share a visible name (aliases, a keyword and a node): all map to it.
  static std::vector<std::uint16_t> types(count, kNone);
  for (TSSymbol s = 0; s < count; ++s) {
    const std::string_view name = ts_language_symbol_name(lang, s);
    for (std::size_t i = 0; i < std::size(kNodeTypes); ++i) {
      if (kNodeTypes[i] == name) types[s] = static_cast<std::uint16_t>(i);
    }
  }
  static std::vector<TSFieldId> fields(std::size(kFields), 0);  // 0: no such field in this grammar
  for (std::size_t i = 0; i < std::size(kFields); ++i) {
    fields[i] = ts_language_field_id_for_name(lang, kFields[i].data(), static_cast<std::uint32_t>(kFields[i].size()));
  }
  std::uint16_t error = kNone;
  for (std::size_t i = 0; i < std::size(kNodeTypes); ++i) {
    if (kNodeTypes[i] == "ERROR") error = static_cast<std::uint16_t>(i);
  }
  return Tables{types.data(), count, error, fields.data()};
}

}  // namespace

const Tables& tables() {
  static const Tables t = build();
  return t;
}

}  // namespace mg::py::grammar
