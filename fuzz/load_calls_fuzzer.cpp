// Python source as hostile input for the cross-repository call extraction (python/load_calls.hpp)
// and the load-plan references it becomes (platform/cross_repo_code.hpp): every call found must
// name a well-formed id or be marked computed, and its follow target must parse as a hub target.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string_view>

#include "platform/cross_repo_code.hpp"
#include "python/load_calls.hpp"
#include "python/module_facts.hpp"
#include "python/reachability.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view src(reinterpret_cast<const char*>(data), size);
  mg::py::Parser parser;
  auto calls = mg::py::read_cross_repo_calls(parser, src);
  for (const auto& c : calls) {
    if (c.computed != c.repo.empty()) std::abort();
    if (!c.repo.empty() && !mg::py::looks_like_repo_id(c.repo)) std::abort();
    if (c.snippet.size() > 200) std::abort();
  }
  std::map<std::string, mg::py::ModuleFacts> modules;
  modules.emplace("hubconf.py", mg::py::read_module_facts(parser, src, "hubconf.py"));
  mg::LoadPlan plan;
  plan.entry_points.push_back({"hubconf.py", "", "hubconf.py"});
  mg::py::Reachability reach(plan, std::move(modules));
  std::vector<mg::Finding> findings;
  mg::add_cross_repo_calls({{"hubconf.py", std::move(calls)}}, reach, plan, findings);
  return 0;
}
