// OpenMMLab (mmengine / mmcv): Python configs run by Config.fromfile, their `_base_` chains and
// `custom_imports` (hub-loading.md §4).
#include <algorithm>
#include <set>

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

}  // namespace

void profile_mmengine(PlanBuilder& b) {
  std::vector<std::string> work;
  for (const auto& f : b.snap.files) {
    if (!ends_with(f.path, ".py") || f.size > b.limits.max_config_bytes) continue;
    auto src = b.text(f.path);
    if (src && may_be_config(*src)) work.push_back(f.path);
  }
  std::set<std::string> done;
  std::set<std::string> bases;  // configs reached only through _base_ still run
  while (!work.empty()) {
    const std::string file = work.back();
    work.pop_back();
    if (!done.insert(file).second) continue;
    auto src = b.text(file);
    if (!src) continue;
    auto top = read_top_level(*src);
    if (!top) {
      b.add_incomplete(file, "Python parse time limit reached");
      continue;
    }
    if (!is_config(*top) && !bases.count(file)) continue;

    Trigger t;
    t.file = file;
    t.key = "(python config)";
    t.loader = "mmengine";
    t.gate = "none";
    t.module = file;
    t.rule_id = "LD107";
    t.value = top->find("_base_") ? "_base_" : top->find("custom_imports") ? "custom_imports" : "model";
    t.why = "mmengine Config.fromfile compiles and runs Python configuration files; no flag guards it.";
    b.add_trigger(std::move(t));

    if (const TSNode* base = top->find("_base_")) {
      for (const auto& ref : py::string_list(top->tree, *base).value_or(std::vector<std::string>{})) {
        std::string path;
        if (ref.find("::") != std::string::npos || !normalize_relative(join_path(dirname(file), ref), path)) continue;
        if (ends_with(path, ".py") && b.snap.contains(path)) {
          bases.insert(path);
          work.push_back(path);
        }
      }
    }
    if (const TSNode* ci = top->find("custom_imports")) {
      auto imports = dict_item(top->tree, *ci, "imports");
      auto names = imports ? py::string_list(top->tree, *imports) : std::nullopt;
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
}

}  // namespace mg
