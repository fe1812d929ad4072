// Reading repository JSON as hostile input: size cap, nesting cap checked before parsing, binary
// content rejected, errors as values with the parser's position.
#pragma once
#include <nlohmann/json.hpp>

#include <string_view>

#include "core/limits.hpp"
#include "core/result.hpp"

namespace mg {

Result<nlohmann::json> parse_config_json(std::string_view text, const Limits& limits);

// Dotted/indexed key path helpers for trigger keys: "auto_map.AutoModel", "plugins[0]".
std::string key_path(std::string_view parent, std::string_view child);
std::string index_path(std::string_view parent, std::size_t i);

}  // namespace mg
