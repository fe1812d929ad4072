// OpenMMLab (mmengine / mmcv): Python configs run by Config.fromfile, their `_base_` chains and
// `custom_imports` (hub-loading.md §4).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/parallel.hpp"
#include "core/text.hpp"
#include "platform/config_json.hpp"
#include "platform/plan_builder.hpp"
#include "platform/python_config.hpp"

namespace mg {

namespace {

// Cheap text test before parsing: only files where a statement may assign `_base_`,
// `custom_imports` or `model = dict(...)` are parsed. A superset of is_config: the name as a whole
// word at the start of a line or after `;` (any indentation), and for `model` an `=` then `dict(`,
// across spaces, line continuations and an annotation. `self._base_folder` or `model = dict(...)`
// with a longer name no longer costs a parse (120 of corpus B's 4,470 files did, none a config).
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || (static_cast<unsigned char>(c) & 0x80) != 0; }

std::size_t skip_blank(std::string_view s, std::size_t i) {
  for (;;) {
    if (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f' || s[i] == '\v')) ++i;
    else if (i + 1 < s.size() && s[i] == '\\' && s[i + 1] == '\n') i += 2;
    else if (i + 2 < s.size() && s[i] == '\\' && s[i + 1] == '\r' && s[i + 2] == '\n') i += 3;
    else return i;
  }
}

bool assigns_dict_call(std::string_view s, std::size_t i) {
  i = skip_blank(s, i);
  if (i < s.size() && s[i] == ':') {  // model: dict = dict(...)
    while (i < s.size() && s[i] != '=' && s[i] != '\n') ++i;
  }
  if (i >= s.size() || s[i] != '=' || (i + 1 < s.size() && s[i + 1] == '=')) return false;
  i = skip_blank(s, i + 1);
  if (s.substr(i, 4) != "dict") return false;
  i = skip_blank(s, i + 4);
  return i < s.size() && s[i] == '(';
}

bool may_be_config(std::string_view src) {
  for (std::string_view name : {std::string_view("_base_"), std::string_view("custom_imports"), std::string_view("model")}) {
    for (std::size_t at = src.find(name); at != std::string_view::npos; at = src.find(name, at + 1)) {
      const std::size_t end = at + name.size();
      if (end < src.size() && is_ident_char(src[end])) continue;
      std::size_t b = at;
      while (b > 0 && (src[b - 1] == ' ' || src[b - 1] == '\t' || src[b - 1] == '\f' || src[b - 1] == '\v')) --b;
      const bool statement_start = b == 0 || src[b - 1] == '\n' || src[b - 1] == '\r' || src[b - 1] == ';' ||
                                   (b == 3 && src.substr(0, 3) == "\xef\xbb\xbf");
      if (!statement_start) continue;
      if (name != "model" || assigns_dict_call(src, end)) return true;
    }
  }
  return false;
}

bool is_config(const PythonTopLevel& top) {
  if (top.find("_base_") || top.find("custom_imports")) return true;
  const TSNode* model = top.find("model");
  return model != nullptr && py::is(*model, "call") && top.tree.text(py::field(*model, "function")) == "dict";
}

// What the profile needs of one Python file read as a config; its syntax tree is gone once this
// is filled, so files parsed side by side never hold many trees at once.
struct ConfigFile {
  bool parsed = false;        // false: the parse hit its time limit
  bool config_shaped = false;  // _base_, custom_imports or `model = dict(...)` at top level
  std::string value;           // the trigger's value: _base_ | custom_imports | model
  std::vector<std::string> bases;                          // the _base_ strings
  std::optional<std::vector<std::string>> custom_imports;  // custom_imports["imports"]
};

ConfigFile read_config(std::string_view source) {
  ConfigFile c;
  auto top = read_top_level(source);
  if (!top) return c;
  c.parsed = true;
  c.config_shaped = is_config(*top);
  c.value = top->find("_base_") ? "_base_" : top->find("custom_imports") ? "custom_imports" : "model";
  if (const TSNode* base = top->find("_base_")) c.bases = py::string_list(top->tree, *base).value_or(std::vector<std::string>{});
  if (const TSNode* ci = top->find("custom_imports")) {
    if (auto imports = dict_item(top->tree, *ci, "imports")) c.custom_imports = py::string_list(top->tree, *imports);
  }
  return c;
}

}  // namespace

void profile_mmengine(PlanBuilder& b) {
  // Every .py file is read (the Python engine then finds them read) and the config-shaped ones
  // parsed, both on the plan's threads.
  std::vector<const FileEntry*> sources;
  for (const auto& f : b.snap.files) {
    if (ends_with(f.path, ".py") && f.size <= b.limits.max_config_bytes) sources.push_back(&f);
  }
  b.prefetch(sources);
  std::vector<std::string> work;
  std::vector<std::string_view> texts;
  for (const FileEntry* f : sources) {
    auto src = b.text(f->path);
    if (src && may_be_config(*src)) {
      work.push_back(f->path);
      texts.push_back(*src);
    }
  }
  std::map<std::string, ConfigFile, std::less<>> parsed;
  {
    std::vector<ConfigFile> read(work.size());
    parallel_for(work.size(), work.size() < 4 ? 1 : b.threads, [&](std::size_t i) { read[i] = read_config(texts[i]); });
    for (std::size_t i = 0; i < work.size(); ++i) parsed.emplace(work[i], std::move(read[i]));
  }
  std::set<std::string> done;
  std::set<std::string> bases;  // configs reached only through _base_ still run
  while (!work.empty()) {
    const std::string file = work.back();
    work.pop_back();
    if (!done.insert(file).second) continue;
    ConfigFile top;
    if (auto it = parsed.find(file); it != parsed.end()) {
      top = std::move(it->second);
    } else {
      auto src = b.text(file);  // a _base_ file that is not config-shaped itself
      if (!src) continue;
      top = read_config(*src);
    }
    if (!top.parsed) {
      b.add_incomplete(file, "Python parse time limit reached");
      continue;
    }
    if (!top.config_shaped && !bases.count(file)) continue;

    Trigger t;
    t.file = file;
    t.key = "(python config)";
    t.loader = "mmengine";
    t.gate = "none";
    t.module = file;
    t.rule_id = "LD107";
    t.value = top.value;
    t.why = "mmengine Config.fromfile compiles and runs Python configuration files; no flag guards it.";
    b.add_trigger(std::move(t));

    for (const auto& ref : top.bases) {
      std::string path;
      if (ref.find("::") != std::string::npos || !normalize_relative(join_path(dirname(file), ref), path)) continue;
      if (ends_with(path, ".py") && b.snap.contains(path)) {
        bases.insert(path);
        work.push_back(path);
      }
    }
    const auto& names = top.custom_imports;
    for (std::size_t i = 0; names && i < names->size(); ++i) {
      std::string rel = (*names)[i];
      std::replace(rel.begin(), rel.end(), '.', '/');
      Trigger c;
      c.file = file;
      c.key = index_path("custom_imports.imports", i);
      c.loader = "mmengine";
      c.gate = "none";
      c.module = b.snap.contains(rel + ".py") ? rel + ".py" : b.snap.contains(rel + "/__init__.py") ? rel + "/__init__.py" : (*names)[i];
      c.rule_id = "LD108";
      c.value = "custom_imports";
      c.why = "custom_imports makes mmengine import " + (*names)[i] + " after reading the configuration.";
      b.add_trigger(std::move(c));
    }
  }
}

}  // namespace mg
