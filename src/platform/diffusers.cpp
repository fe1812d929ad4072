// diffusers: model_index.json custom pipelines and components (hub-loading.md §1.4). auto_map in
// diffusers configs goes through the transformers profile with loader "diffusers".
#include "core/text.hpp"
#include "platform/plan_builder.hpp"

namespace mg {

void profile_diffusers(PlanBuilder& b) {
  const nlohmann::json* j = b.json("model_index.json");
  if (j == nullptr || !j->is_object()) return;
  const std::string gate = "trust_remote_code (diffusers >= 0.38; local folders ran it ungated before)";
  auto add = [&](const std::string& key, const std::string& module, const std::string& symbol) {
    Trigger t;
    t.file = "model_index.json";
    t.key = key;
    t.loader = "diffusers";
    t.gate = gate;
    t.module = module;
    t.symbol = symbol;
    t.rule_id = "LD101";
    t.why = "DiffusionPipeline.from_pretrained imports " + module + " and instantiates " + symbol + " from it.";
    b.add_trigger(std::move(t));
  };
  for (const auto& [key, v] : j->items()) {
    if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_string()) continue;
    const std::string& lib = v[0].get_ref<const std::string&>();
    const std::string& cls = v[1].get_ref<const std::string&>();
    if (key == "_class_name") {
      if (b.snap.contains(lib + ".py")) add("_class_name", lib + ".py", cls);
    } else if (!starts_with(key, "_")) {
      const std::string module = key + "/" + lib + ".py";  // custom component: <component>/<lib>.py
      if (b.snap.contains(module)) add(key, module, cls);
    }
  }
}

}  // namespace mg
