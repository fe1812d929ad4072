// Python source as hostile input for the reachability stage: parse, collect module facts, run the
// call graph with the file as a trigger module, and read module-level config assignments.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>

#include "platform/python_config.hpp"
#include "python/module_facts.hpp"
#include "python/reachability.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view src(reinterpret_cast<const char*>(data), size);
  mg::py::Parser parser;
  std::map<std::string, mg::py::ModuleFacts> modules;
  modules.emplace("m.py", mg::py::read_module_facts(parser, src, "m.py"));
  mg::LoadPlan plan;
  plan.entry_points.push_back({"m.py", "Model", "config.json:auto_map.AutoModel"});
  mg::py::Reachability reach(plan, std::move(modules));
  std::vector<std::string> path;
  for (std::uint32_t line = 0; line < 64; ++line) (void)reach.classify("m.py", line, &path);
  (void)mg::read_top_level(src);
  return 0;
}
