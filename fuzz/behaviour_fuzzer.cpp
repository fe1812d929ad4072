// Python source as hostile input for the behaviour engine: parse, build the behaviour model (the
// partial evaluator runs on every constant: decoder chains, deep nesting, huge repeats), link it
// through the call graph and judge it. Must stay bounded in time and memory whatever the input.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>

#include "behaviour/behaviour.hpp"
#include "behaviour/model_builder.hpp"
#include "python/module_facts.hpp"
#include "python/module_index.hpp"
#include "python/reachability.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view src(reinterpret_cast<const char*>(data), size);
  mg::py::Parser parser;
  mg::py::Tree tree = parser.parse(src, 2'000'000);
  if (!tree) return 0;
  mg::py::NameTable names;
  (void)mg::py::index_module(tree, &names);
  std::vector<mg::behaviour::FileModel> models;
  models.push_back(mg::behaviour::build_model(tree, names, "m.py"));
  std::map<std::string, mg::py::ModuleFacts> modules;
  modules.emplace("m.py", mg::py::extract_module_facts(tree, "m.py"));
  mg::LoadPlan plan;
  plan.entry_points.push_back({"m.py", "Model", "config.json:auto_map.AutoModel"});
  const mg::py::Reachability reach(plan, std::move(modules));
  (void)mg::behaviour::analyse_repository(models, reach);
  return 0;
}
