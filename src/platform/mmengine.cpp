// OpenMMLab (mmengine / mmcv): Python configs run by Config.fromfile, their `_base_` chains and
// `custom_imports` (hub-loading.md §4).
#include <algorithm>
#include <map>
#include <set>

#include "core/parallel.hpp"
#include "core/text.hpp"
#include "platform/config_json.hpp"
#include "platform/plan_builder.hpp"
#include "platform/python_config.hpp"

namespace mg {

namespace {

// Cheap text test before parsing: only files that assign a config-shaped name are parsed.
bool may_be_config(std::string_view src) {
  return src.find("_base_") != std::string_view::npos || src.find("custom_imports") != std::string_view::npos ||
         src.find("model = dict(") != std::string_view::npos || src.find("model=dict(") != std::string_view::npos;
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
