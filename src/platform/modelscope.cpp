// ModelScope: configuration.json `allow_remote` and `plugins`, and the owners whose models are
// trusted by path (hub-loading.md §2).
#include "core/text.hpp"
#include "platform/config_json.hpp"
#include "platform/plan_builder.hpp"

namespace mg {

void profile_modelscope(PlanBuilder& b) {
  const nlohmann::json* j = b.json("configuration.json");
  if (j == nullptr || !j->is_object()) return;
  const std::string gate = "trust_remote_code (ModelScope >= 1.28.1 for plugins, >= 1.37.0 for allow_remote; honoured ungated before)";

  if (auto it = j->find("allow_remote"); it != j->end() && it->is_boolean() && it->get<bool>()) {
    const bool reqs = b.snap.contains("requirements.txt");
    for (const auto& f : b.snap.files) {
      if (!ends_with(f.path, ".py")) continue;
      Trigger t;
      t.file = "configuration.json";
      t.key = "allow_remote";
      t.loader = "modelscope";
      t.gate = gate;
      t.module = f.path;
      t.rule_id = "LD104";
      t.why = std::string("allow_remote makes ModelScope import every .py file of the model folder") +
              (reqs ? " after pip-installing requirements.txt." : ".");
      b.add_trigger(std::move(t));
      b.add_module_file(f.path);
    }
  }

  if (auto it = j->find("plugins"); it != j->end()) {
    std::vector<std::string> plugins;
    if (it->is_string()) plugins.push_back(it->get<std::string>());
    else if (it->is_array()) {
      for (const auto& p : *it) if (p.is_string()) plugins.push_back(p.get<std::string>());
    }
    for (std::size_t i = 0; i < plugins.size(); ++i) {
      Trigger t;
      t.file = "configuration.json";
      t.key = it->is_array() ? index_path("plugins", i) : "plugins";
      t.loader = "modelscope";
      t.gate = gate;
      t.module = plugins[i];
      t.rule_id = "LD105";
      t.value = plugins[i];
      t.why = (plugins[i].find("://") != std::string::npos ? "ModelScope downloads and pip-installs " : "ModelScope pip-installs the package ") +
              plugins[i] + " and imports it; nothing of that code is in the repository to review.";
      b.add_trigger(std::move(t));
    }
  }

  // check_model_from_owner_group: a folder whose parent is named iic or damo is trusted outright.
  const std::string parent(basename(dirname(b.snap.root)));
  if (parent == "iic" || parent == "damo") {
    Finding f = make_finding("LD106", "configuration.json",
                             "This model folder sits under a directory named '" + parent +
                                 "', so ModelScope forces trust_remote_code=True for it whoever published it.");
    f.snippet = b.snap.root;
    f.load_reachable = Reach::yes;
    b.add_finding(std::move(f));
  }
}

}  // namespace mg
