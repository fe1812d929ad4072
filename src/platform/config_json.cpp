#include "platform/config_json.hpp"

#include <cstring>

namespace mg {

namespace {
// Deepest bracket nesting outside strings; stops counting once past `cap`.
std::size_t nesting_depth(std::string_view t, std::size_t cap) {
  std::size_t depth = 0, max_depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > max_depth) max_depth = depth;
      if (max_depth > cap) return max_depth;
    } else if ((c == '}' || c == ']') && depth > 0) --depth;
  }
  return max_depth;
}
}  // namespace

Result<nlohmann::json> parse_config_json(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_config_bytes) {
    return make_error("larger than " + std::to_string(limits.max_config_bytes >> 20) + " MiB; not parsed");
  }
  if (text.size() >= 3 && std::memcmp(text.data(), "\xEF\xBB\xBF", 3) == 0) text.remove_prefix(3);
  if (text.find('\0') != std::string_view::npos) return make_error("binary content, not JSON");
  if (nesting_depth(text, limits.max_json_depth) > limits.max_json_depth) {
    return make_error("JSON nested deeper than " + std::to_string(limits.max_json_depth) + " levels; not parsed");
  }
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return make_error(std::string("invalid JSON: ") + e.what());
  }
}

std::string key_path(std::string_view parent, std::string_view child) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out.append(child);
  return out;
}

std::string index_path(std::string_view parent, std::size_t i) {
  return std::string(parent) + "[" + std::to_string(i) + "]";
}

}  // namespace mg
