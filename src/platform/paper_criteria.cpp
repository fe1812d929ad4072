// The study's RQ1 criteria (paper.md §2.4), computed from the files as the paper did.
#include "core/text.hpp"
#include "platform/plan_builder.hpp"

namespace mg {

void profile_paper_criteria(PlanBuilder& b) {
  PaperCriteria& p = b.plan.paper;
  if (const nlohmann::json* cfg = b.json("config.json"); cfg != nullptr && cfg->is_object()) {
    p.custom_code_tag = cfg->contains("auto_map");  // the Hub tags custom_code from config.json's auto_map
  }
  for (const auto& f : b.snap.files) {
    if (f.nested) continue;  // the paper counted the files a hub lists, not what archives hold
    const auto name = basename(f.path);
    if (name == "tokenizer.py" || name == "__init__.py" || name == "hubconf.py") p.entry_files.push_back(f.path);
    if (ends_with(name, ".py") &&
        (starts_with(name, "modeling_") || starts_with(name, "tokenization_") || starts_with(name, "configuration_"))) {
      p.prefixed_files.push_back(f.path);
    }
  }
}

}  // namespace mg
