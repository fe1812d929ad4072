#include "engines/config/config_engine.hpp"

#include <cstring>

#include "core/text.hpp"
#include "platform/config_json.hpp"

namespace mg {

namespace {

bool truthy(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<long long>() != 0;
  if (v.is_string()) {
    const std::string s = to_lower(v.get<std::string>());
    return s == "true" || s == "1" || s == "yes" || s == "on";
  }
  return false;
}

// Every `trust_remote_code` key with a true value, as key paths. Depth is bounded by the parser's
// nesting cap.
void find_trust_keys(const nlohmann::json& j, const std::string& path, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      const std::string p = key_path(path, k);
      if (k == "trust_remote_code" && truthy(v)) out.push_back(p);
      else find_trust_keys(v, p, out);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) find_trust_keys(j[i], index_path(path, i), out);
  }
}

struct Line {
  std::uint32_t number;
  std::string_view text;
};

// Lines of `text` that contain `needle`, with 1-based numbers.
std::vector<Line> lines_with(std::string_view text, std::string_view needle) {
  std::vector<Line> out;
  std::uint32_t n = 0;
  for (auto line : split(text, '\n')) {
    ++n;
    if (line.find(needle) != std::string_view::npos) out.push_back({n, line});
  }
  return out;
}

std::string clip(std::string_view s) {
  s = trim(s);
  return s.size() > 200 ? std::string(s.substr(0, 200)) + "..." : std::string(s);
}

class ConfigEngine final : public Engine {
 public:
  std::string_view name() const override { return "config"; }

  void run(const EngineContext& ctx, EngineOutput& out) const override {
    for (const auto& f : ctx.snapshot.files) {
      const std::string lower = to_lower(f.path);
      const bool json = ends_with(lower, ".json");
      const bool yaml = ends_with(lower, ".yaml") || ends_with(lower, ".yml");
      if (!json && !yaml) continue;
      if (f.size > ctx.limits.max_config_bytes) {
        out.incomplete.push_back({f.path, "configuration larger than " + std::to_string(ctx.limits.max_config_bytes >> 20) + " MiB; not read"});
        continue;
      }
      auto blob = ctx.read(f);
      if (!blob) {
        out.incomplete.push_back({f.path, "cannot read: " + blob.error().message});
        continue;
      }
      const std::string_view text = (*blob)->text();
      if (json) check_json(ctx, f.path, text, out);
      else check_yaml(f.path, text, out);
    }
  }

 private:
  static void check_json(const EngineContext& ctx, const std::string& file, std::string_view text, EngineOutput& out) {
    if (text.find("trust_remote_code") == std::string_view::npos) return;  // cheap filter before parsing
    auto parsed = parse_config_json(text, ctx.limits);
    if (!parsed) return;  // the plan builder reports unreadable configs it needs
    std::vector<std::string> keys;
    find_trust_keys(*parsed, "", keys);
    const auto lines = lines_with(text, "\"trust_remote_code\"");
    for (std::size_t i = 0; i < keys.size(); ++i) {
      Finding f = make_finding("CF201", file, "The repository sets " + keys[i] +
                                                  " = true; a library that forwards this configuration to from_pretrained "
                                                  "runs remote code the user never agreed to.");
      if (i < lines.size()) {
        f.line = lines[i].number;
        f.column = static_cast<std::uint32_t>(lines[i].text.find("\"trust_remote_code\"") + 1);
        f.snippet = clip(lines[i].text);
      }
      out.findings.push_back(std::move(f));
    }
  }

  static void check_yaml(const std::string& file, std::string_view text, EngineOutput& out) {
    for (const auto& l : lines_with(text, "trust_remote_code")) {
      std::string_view s = trim(l.text);
      if (starts_with(s, "#")) continue;
      if (starts_with(s, "- ")) s = trim(s.substr(2));
      if (!starts_with(s, "trust_remote_code")) continue;
      auto value = trim(s.substr(std::strlen("trust_remote_code")));
      if (!starts_with(value, ":")) continue;
      value = trim(value.substr(1));
      const std::string v = to_lower(value.substr(0, value.find_first_of(" #")));
      if (v != "true" && v != "yes" && v != "on" && v != "1") continue;
      Finding f = make_finding("CF201", file, "The repository sets trust_remote_code: true; a library that forwards this "
                                              "configuration to from_pretrained runs remote code the user never agreed to.");
      f.line = l.number;
      f.column = static_cast<std::uint32_t>(l.text.find("trust_remote_code") + 1);
      f.snippet = clip(l.text);
      out.findings.push_back(std::move(f));
    }
    for (const auto& l : lines_with(text, "python/")) {
      if (starts_with(trim(l.text), "#")) continue;
      // `!!python/object/apply:os.system` or the verbatim `!<tag:yaml.org,2002:python/object/apply:...>`.
      std::size_t at = l.text.find("!!python/");
      std::size_t name = at + 9;
      if (at == std::string_view::npos) {
        at = l.text.find("tag:yaml.org,2002:python/");
        if (at == std::string_view::npos) continue;
        name = at + 25;
      }
      const std::string_view tag = l.text.substr(name, l.text.substr(name).find_first_of(": \t>[{"));
      // Tags for plain values (tuple, str, bytes, int, complex...) build no object and call nothing.
      if (tag != "object" && tag != "object/apply" && tag != "object/new" && tag != "name" && tag != "module") continue;
      Finding f = make_finding("CF203", file, "YAML tag !!python/" + std::string(tag) + " constructs Python objects or names a callable; yaml.load with Loader, UnsafeLoader or "
                                              "CLoader (mmengine's YAML handler, several ModelScope models) calls it on load.");
      f.line = l.number;
      f.column = static_cast<std::uint32_t>(at + 1);
      f.snippet = clip(l.text);
      f.load_reachable = Reach::unknown;
      out.findings.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Engine> make_config_engine() { return std::make_unique<ConfigEngine>(); }

}  // namespace mg
