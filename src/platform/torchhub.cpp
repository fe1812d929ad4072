// PyTorch Hub: hubconf.py is imported (module body runs) and an entry function is called (§5).
#include "core/text.hpp"
#include "platform/plan_builder.hpp"
#include "platform/python_config.hpp"

namespace mg {

void profile_torchhub(PlanBuilder& b) {
  auto src = b.text("hubconf.py");
  if (!src) return;
  auto top = read_top_level(*src);
  if (!top) {
    b.add_incomplete("hubconf.py", "Python parse time limit reached");
    return;
  }
  const std::string gate = "trust_repo (default None: a warning only; source=\"local\": none)";
  std::string deps;
  if (const TSNode* d = top->find("dependencies")) {
    for (const auto& name : py::string_list(top->tree, *d).value_or(std::vector<std::string>{})) deps += (deps.empty() ? "" : ", ") + name;
  }
  const std::string why = "torch.hub.load imports hubconf.py, running its module body, then calls the entry function" +
                          (deps.empty() ? std::string(".") : "; it declares dependencies " + deps + ".");
  bool any = false;
  for (const auto& fn : top->functions) {
    if (starts_with(fn, "_")) continue;  // hidden from torch.hub.list but still callable
    Trigger t{"hubconf.py", fn, "torch.hub", gate, "hubconf.py", fn, "", "LD109", why, "", {}, 0, {}};
    b.add_trigger(std::move(t));
    any = true;
  }
  if (!any) b.add_trigger(Trigger{"hubconf.py", "(module body)", "torch.hub", gate, "hubconf.py", "", "", "LD109", why, "", {}, 0, {}});
}

}  // namespace mg
