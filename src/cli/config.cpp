#include "cli/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "core/rule.hpp"

namespace mg::config {

namespace fs = std::filesystem;

std::string Origin::str() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

namespace {

constexpr std::uint64_t kMaxConfigBytes = 1u << 20;  // a configuration file larger than this is not one

// A problem at a place in the file; the first one ends the parse.
struct Problem {
  Origin where;
  std::string what;
};

Origin origin_of(const std::string& path, const toml::source_region& r) {
  return {path, static_cast<std::uint32_t>(r.begin.line), static_cast<std::uint32_t>(r.begin.column)};
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: return "a date or time";
    default: return "nothing";
  }
}

// The [limits] a file may set: each names a Limits member (src/core/limits.hpp) and its largest
// accepted value. Limits bound hostile input, so a file may raise or lower them, never to zero.
struct LimitField {
  std::string_view name;
  std::uint64_t max;
  std::function<void(Limits&, std::uint64_t)> set;
};

const std::vector<LimitField>& limit_fields() {
  static const std::vector<LimitField> fields = {
      {"max-files", 100'000'000, [](Limits& l, std::uint64_t v) { l.max_files = v; }},
      {"max-dir-depth", 4096, [](Limits& l, std::uint64_t v) { l.max_dir_depth = v; }},
      {"max-config-bytes", 1ull << 32, [](Limits& l, std::uint64_t v) { l.max_config_bytes = v; }},
      {"max-json-depth", 4096, [](Limits& l, std::uint64_t v) { l.max_json_depth = v; }},
      {"max-archive-member-bytes", 1ull << 40, [](Limits& l, std::uint64_t v) { l.max_archive_member_bytes = v; }},
      {"max-archive-total-bytes", 1ull << 42, [](Limits& l, std::uint64_t v) { l.max_archive_total_bytes = v; }},
      {"max-archive-members", 100'000'000, [](Limits& l, std::uint64_t v) { l.max_archive_members = v; }},
      {"max-compression-ratio", 1'000'000, [](Limits& l, std::uint64_t v) { l.max_compression_ratio = v; }},
      {"max-archive-depth", 32, [](Limits& l, std::uint64_t v) { l.max_archive_depth = v; }},
      {"max-python-bytes", 1ull << 32, [](Limits& l, std::uint64_t v) { l.max_python_bytes = v; }},
      {"max-yara-file-bytes", 1ull << 36, [](Limits& l, std::uint64_t v) { l.max_yara_file_bytes = v; }},
      {"yara-timeout-seconds", 3600, [](Limits& l, std::uint64_t v) { l.yara_timeout_seconds = static_cast<int>(v); }},
  };
  return fields;
}

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  const auto word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9'); };
  if (s[0] >= '0' && s[0] <= '9') return false;
  return std::all_of(s.begin(), s.end(), word);
}

// `module.name` with identifier components and at least one dot.
bool split_dotted(std::string_view s, std::string& module, std::string& name) {
  const auto dot = s.rfind('.');
  if (dot == std::string_view::npos) return false;
  std::string_view m = s.substr(0, dot);
  for (std::size_t start = 0;;) {
    const auto next = m.find('.', start);
    if (!is_identifier(m.substr(start, next == std::string_view::npos ? std::string_view::npos : next - start))) return false;
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  if (!is_identifier(s.substr(dot + 1))) return false;
  module = std::string(m);
  name = std::string(s.substr(dot + 1));
  return true;
}

class Reader {
 public:
  Reader(std::string path, fs::path base) : path_(std::move(path)), base_(std::move(base)) {}

  // Reads modelgate's table; the first problem stops it.
  std::optional<Problem> read(const toml::table& table, std::string_view table_name, ScanSettings& s) {
    for (auto&& [key, node] : table) {
      const std::string k(key.str());
      const Origin at = origin_of(path_, key.source());
      std::optional<Problem> p;
      if (k == "fail-on") p = one_of(node, at, k, {"low", "medium", "high", "critical", "none"}, s.fail_on);
      else if (k == "format") p = one_of(node, at, k, {"text", "json", "sarif", "jsonl"}, s.format);
      else if (k == "output") p = path_value(node, at, k, s.output);
      else if (k == "engines") p = engines(node, at, s);
      else if (k == "reachable-only") p = boolean(node, at, k, s.reachable_only);
      else if (k == "jobs") p = jobs(node, at, s);
      else if (k == "follow-remote-code") p = follow(node, at, s);
      else if (k == "endpoint") p = string(node, at, k, s.endpoint);
      else if (k == "offline") p = boolean(node, at, k, s.offline);
      else if (k == "repo-type") p = one_of(node, at, k, {"model", "dataset", "space"}, s.repo_type);
      else if (k == "quiet") p = boolean(node, at, k, s.quiet);
      else if (k == "no-color") p = boolean(node, at, k, s.no_color);
      else if (k == "ignore-suppressions") p = boolean(node, at, k, s.ignore_suppressions);
      else if (k == "show-existing") p = boolean(node, at, k, s.show_existing);
      else if (k == "baseline") p = path_value(node, at, k, s.baseline);
      else if (k == "select") p = rule_list(node, at, k, s.select.emplace());
      else if (k == "ignore") p = rule_list(node, at, k, s.ignore);
      else if (k == "per-file-ignores") p = per_file_ignores(node, at, s);
      else if (k == "yara-rules") p = yara_rules(node, at, s);
      else if (k == "pickle-allow") p = pickle_allow(node, at, s);
      else if (k == "limits") p = limits(node, at, s);
      else p = unknown_key(at, k, table_name);
      if (p) return p;
    }
    return std::nullopt;
  }

 private:
  static std::optional<Problem> unknown_key(const Origin& at, const std::string& k, std::string_view table_name) {
    std::string hint;
    if (k.find('_') != std::string::npos) {
      std::string kebab = k;
      std::replace(kebab.begin(), kebab.end(), '_', '-');
      hint = " (keys are spelled with '-': '" + kebab + "')";
    }
    return Problem{at, "unknown key '" + k + "' in " + std::string(table_name) + hint};
  }

  Problem wrong_type(const toml::node& n, const std::string& key, std::string_view wanted) const {
    return {origin_of(path_, n.source()), "'" + key + "' must be " + std::string(wanted) + ", not " + std::string(type_name(n))};
  }

  std::optional<Problem> string(const toml::node& n, const Origin&, const std::string& key, std::optional<std::string>& out) const {
    const auto* v = n.as_string();
    if (v == nullptr) return wrong_type(n, key, "a string");
    out = v->get();
    return std::nullopt;
  }

  std::optional<Problem> boolean(const toml::node& n, const Origin&, const std::string& key, std::optional<bool>& out) const {
    const auto* v = n.as_boolean();
    if (v == nullptr) return wrong_type(n, key, "true or false");
    out = v->get();
    return std::nullopt;
  }

  std::optional<Problem> one_of(const toml::node& n, const Origin& at, const std::string& key, std::initializer_list<std::string_view> allowed,
                                std::optional<std::string>& out) const {
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    if (auto p = string(n, at, key, out)) return Problem{p->where, p->what + " (one of " + list + ")"};
    if (std::find(allowed.begin(), allowed.end(), *out) == allowed.end()) {
      return Problem{origin_of(path_, n.source()), "'" + key + "' is '" + *out + "'; expected one of " + list};
    }
    return std::nullopt;
  }

  // A path in the file is relative to the file's folder, not to wherever modelgate was started.
  std::string resolve(const std::string& p) const {
    const fs::path path(p);
    return path.is_absolute() ? p : (base_ / path).lexically_normal().string();
  }

  std::optional<Problem> path_value(const toml::node& n, const Origin& at, const std::string& key, std::optional<std::string>& out) const {
    if (auto p = string(n, at, key, out)) return p;
    if (out->empty()) return Problem{origin_of(path_, n.source()), "'" + key + "' is an empty path"};
    out = resolve(*out);
    return std::nullopt;
  }

  // An array of strings, each checked by `check` (which returns a complaint or "").
  std::optional<Problem> strings(const toml::node& n, const std::string& key, std::vector<std::string>& out,
                                 const std::function<std::string(const std::string&)>& check) const {
    const auto* arr = n.as_array();
    if (arr == nullptr) return wrong_type(n, key, "an array of strings");
    for (const auto& item : *arr) {
      const auto* s = item.as_string();
      if (s == nullptr) return wrong_type(item, key + "' item", "a string");
      if (std::string why = check(s->get()); !why.empty()) return Problem{origin_of(path_, item.source()), why};
      out.push_back(s->get());
    }
    return std::nullopt;
  }

  std::optional<Problem> engines(const toml::node& n, const Origin&, ScanSettings& s) const {
    auto& out = s.engines.emplace();
    auto p = strings(n, "engines", out, [](const std::string& e) {
      for (auto known : {"config", "python", "serialized", "yara"}) {
        if (e == known) return std::string();
      }
      return "unknown engine '" + e + "' (config, python, serialized, yara)";
    });
    if (!p && out.empty()) return Problem{origin_of(path_, n.source()), "'engines' is empty; name at least one (or leave it out for all)"};
    return p;
  }

  std::optional<Problem> integer(const toml::node& n, const std::string& key, std::int64_t lo, std::int64_t hi, std::int64_t& out) const {
    const auto* v = n.as_integer();
    if (v == nullptr) return wrong_type(n, key, "an integer");
    out = v->get();
    if (out < lo || out > hi) {
      return Problem{origin_of(path_, n.source()), "'" + key + "' is " + std::to_string(out) + "; expected " + std::to_string(lo) + " to " +
                                                       std::to_string(hi)};
    }
    return std::nullopt;
  }

  std::optional<Problem> jobs(const toml::node& n, const Origin&, ScanSettings& s) const {
    std::int64_t v = 0;
    if (auto p = integer(n, "jobs", 0, 1024, v)) return p;
    s.jobs = static_cast<unsigned>(v);
    return std::nullopt;
  }

  std::optional<Problem> follow(const toml::node& n, const Origin&, ScanSettings& s) const {
    std::int64_t v = 0;
    if (n.is_boolean()) {  // follow-remote-code = true is one hop, as the bare flag
      s.follow_remote_code = n.as_boolean()->get() ? 1 : 0;
      return std::nullopt;
    }
    if (!n.is_integer()) return wrong_type(n, "follow-remote-code", "an integer 0 to 5 or a boolean");
    if (auto p = integer(n, "follow-remote-code", 0, 5, v)) return p;
    s.follow_remote_code = static_cast<int>(v);
    return std::nullopt;
  }

  std::optional<Problem> rule_list(const toml::node& n, const Origin&, const std::string& key, std::vector<std::string>& out) const {
    return strings(n, key, out, [](const std::string& r) {
      return names_a_rule(r) ? std::string() : "'" + r + "' names no rule of this build (a rule id such as PY101, or a family prefix such as PY or BH)";
    });
  }

  std::optional<Problem> per_file_ignores(const toml::node& n, const Origin&, ScanSettings& s) const {
    const auto* table = n.as_table();
    if (table == nullptr) return wrong_type(n, "per-file-ignores", "a table of glob = [rules]");
    for (auto&& [glob, rules] : *table) {
      PathIgnore pi;
      pi.glob = std::string(glob.str());
      if (pi.glob.empty()) return Problem{origin_of(path_, glob.source()), "per-file-ignores has an empty glob"};
      if (auto p = rule_list(rules, {}, "per-file-ignores." + pi.glob, pi.rules)) return p;
      s.per_file_ignores.push_back(std::move(pi));
    }
    return std::nullopt;
  }

  std::optional<Problem> yara_rules(const toml::node& n, const Origin&, ScanSettings& s) const {
    std::vector<std::string> raw;
    if (auto p = strings(n, "yara-rules", raw, [](const std::string& r) { return r.empty() ? std::string("empty path in yara-rules") : std::string(); })) {
      return p;
    }
    for (const auto& r : raw) s.yara_rules.push_back(resolve(r));
    return std::nullopt;
  }

  std::optional<Problem> pickle_allow(const toml::node& n, const Origin&, ScanSettings& s) const {
    const auto* arr = n.as_array();
    if (arr == nullptr) return wrong_type(n, "pickle-allow", "an array of \"module.name\" strings");
    for (const auto& item : *arr) {
      const auto* v = item.as_string();
      if (v == nullptr) return wrong_type(item, "pickle-allow' item", "a string");
      PickleAllow a;
      a.origin = origin_of(path_, item.source());
      if (!split_dotted(v->get(), a.module, a.name)) {
        return Problem{a.origin, "pickle-allow entry '" + v->get() +
                                     "' is not a named callable: write module.name (e.g. mypackage.layers.Block), no wildcards"};
      }
      s.pickle_allow.push_back(std::move(a));
    }
    return std::nullopt;
  }

  std::optional<Problem> limits(const toml::node& n, const Origin&, ScanSettings& s) const {
    const auto* table = n.as_table();
    if (table == nullptr) return wrong_type(n, "limits", "a table");
    for (auto&& [key, value] : *table) {
      const std::string k(key.str());
      const auto& fields = limit_fields();
      const auto field = std::find_if(fields.begin(), fields.end(), [&](const LimitField& f) { return f.name == k; });
      if (field == fields.end()) {
        std::string names;
        for (const auto& f : fields) names += (names.empty() ? "" : ", ") + std::string(f.name);
        return Problem{origin_of(path_, key.source()), "unknown limit '" + k + "' (known: " + names + ")"};
      }
      std::int64_t v = 0;
      const auto hi = static_cast<std::int64_t>(std::min<std::uint64_t>(field->max, std::numeric_limits<std::int64_t>::max()));
      if (auto p = integer(value, "limits." + k, 1, hi, v)) return p;
      s.limits.emplace_back(k, static_cast<std::uint64_t>(v));
    }
    return std::nullopt;
  }

  std::string path_;
  fs::path base_;
};

}  // namespace

Result<Config> parse_config(std::string_view text, const std::string& path, bool pyproject) {
  if (text.size() > kMaxConfigBytes) return make_error(path + ": larger than 1 MiB; not a configuration file");
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return make_error(origin_of(path, e.source()).str() + ": not valid TOML: " + std::string(e.description()));
  } catch (const std::exception& e) {  // allocation failure and the like: still an error, not a crash
    return make_error(path + ": cannot parse: " + e.what());
  }
  Config config;
  config.path = path;
  const toml::table* mine = &doc;
  std::string_view name = "the file";
  if (pyproject) {
    const toml::node* tool = doc.get("tool");
    if (tool == nullptr || !tool->is_table()) return make_error(path + ": no [tool.modelgate] table");
    const toml::node* section = tool->as_table()->get("modelgate");
    if (section == nullptr) return make_error(path + ": no [tool.modelgate] table");
    if (!section->is_table()) {
      return make_error(origin_of(path, section->source()).str() + ": tool.modelgate must be a table, not " + std::string(type_name(*section)));
    }
    mine = section->as_table();
    name = "[tool.modelgate]";
  }
  const fs::path base = fs::path(path).parent_path();
  Reader reader(path, base.empty() ? fs::path(".") : base);
  try {
    if (auto problem = reader.read(*mine, name, config.scan)) return make_error(problem->where.str() + ": " + problem->what);
  } catch (const std::exception& e) {
    return make_error(path + ": cannot read: " + e.what());
  }
  return config;
}

namespace {

Result<std::string> read_text(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return make_error(path + ": no such configuration file");
  const auto size = fs::file_size(path, ec);
  if (ec) return make_error(path + ": " + ec.message());
  if (size > kMaxConfigBytes) return make_error(path + ": larger than 1 MiB; not a configuration file");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return make_error(path + ": cannot read");
  return ss.str();
}

bool is_pyproject(const fs::path& p) { return p.filename() == "pyproject.toml"; }

}  // namespace

Result<Config> load_config_file(const std::string& path) {
  auto text = read_text(path);
  if (!text) return text.error();
  return parse_config(*text, path, is_pyproject(path));
}

std::optional<fs::path> discover_config(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return std::nullopt;
  dir = dir.lexically_normal();
  for (int depth = 0; depth < 256; ++depth) {
    for (const char* name : {"modelgate.toml", ".modelgate.toml"}) {
      if (fs::is_regular_file(dir / name, ec)) return dir / name;
    }
    // A pyproject.toml counts only when it has a modelgate table; a cheap look for the name first,
    // so an unrelated (even broken) pyproject.toml is passed over as ruff does.
    if (const fs::path py = dir / "pyproject.toml"; fs::is_regular_file(py, ec)) {
      if (auto text = read_text(py.string()); text && text->find("tool.modelgate") != std::string::npos) return py;
    }
    if (fs::exists(dir / ".git", ec)) return std::nullopt;  // the repository's root: go no higher
    const fs::path parent = dir.parent_path();
    if (parent.empty() || parent == dir) return std::nullopt;
    dir = parent;
  }
  return std::nullopt;
}

void apply_limits(const ScanSettings& settings, Limits& limits) {
  for (const auto& [name, value] : settings.limits) {
    for (const auto& f : limit_fields()) {
      if (f.name == name) f.set(limits, value);
    }
  }
}

std::vector<std::string_view> limit_names() {
  std::vector<std::string_view> out;
  for (const auto& f : limit_fields()) out.push_back(f.name);
  return out;
}

namespace {

// Matches one path segment (no '/') against a segment pattern with *, ? and [...].
bool match_segment(std::string_view pat, std::string_view s) {
  std::size_t p = 0, i = 0, star_p = std::string_view::npos, star_i = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star_p = p++;
      star_i = i;
      continue;
    }
    bool ok = false;
    std::size_t next = p + 1;
    if (p < pat.size() && pat[p] == '?') {
      ok = true;
    } else if (p < pat.size() && pat[p] == '[') {
      const auto close = pat.find(']', p + 2);
      if (close == std::string_view::npos) {
        ok = pat[p] == s[i];
      } else {
        std::string_view set = pat.substr(p + 1, close - p - 1);
        const bool negate = !set.empty() && (set[0] == '!' || set[0] == '^');
        if (negate) set.remove_prefix(1);
        bool in = false;
        for (std::size_t k = 0; k < set.size(); ++k) {
          if (k + 2 < set.size() && set[k + 1] == '-') {
            in = in || (s[i] >= set[k] && s[i] <= set[k + 2]);
            k += 2;
          } else {
            in = in || s[i] == set[k];
          }
        }
        ok = in != negate;
        next = close + 1;
      }
    } else if (p < pat.size()) {
      ok = pat[p] == s[i];
    }
    if (ok) {
      p = next;
      ++i;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      i = ++star_i;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

std::vector<std::string_view> segments(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    const auto slash = s.find('/', start);
    std::string_view seg = s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!seg.empty()) out.push_back(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

// Backtracks over `**` only; `steps` bounds the work a pathological pattern (many `**`) can cost.
bool match_segments(const std::vector<std::string_view>& pat, std::size_t p, const std::vector<std::string_view>& path, std::size_t i,
                    int& steps) {
  if (--steps <= 0) return false;
  while (p < pat.size()) {
    if (pat[p] == "**") {
      while (p + 1 < pat.size() && pat[p + 1] == "**") ++p;  // a/**/**/b is a/**/b
      if (p + 1 == pat.size()) return true;
      for (std::size_t k = i; k <= path.size(); ++k) {
        if (match_segments(pat, p + 1, path, k, steps)) return true;
      }
      return false;
    }
    if (i >= path.size() || !match_segment(pat[p], path[i])) return false;
    ++p;
    ++i;
  }
  return i == path.size();
}

}  // namespace

bool glob_match(std::string_view glob, std::string_view path) {
  if (glob.size() > 4096 || path.size() > 65536) return false;
  if (glob.find('/') == std::string_view::npos) {
    const auto slash = path.rfind('/');
    return match_segment(glob, slash == std::string_view::npos ? path : path.substr(slash + 1));
  }
  if (glob.starts_with("./")) glob.remove_prefix(2);
  int steps = 100'000;
  return match_segments(segments(glob), 0, segments(path), 0, steps);
}

bool rule_matches(std::string_view entry, std::string_view id) { return !entry.empty() && id.starts_with(entry); }

bool names_a_rule(std::string_view entry) {
  if (entry.empty()) return false;
  for (const auto& r : RuleRegistry::builtin().all()) {
    if (rule_matches(entry, r.id)) return true;
  }
  return false;
}

}  // namespace mg::config
