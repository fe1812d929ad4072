// sentence-transformers: modules.json entries whose type is outside the library (§1.5).
#include <algorithm>

#include "core/text.hpp"
#include "platform/config_json.hpp"
#include "platform/plan_builder.hpp"

namespace mg {

void profile_sentence_transformers(PlanBuilder& b) {
  const nlohmann::json* j = b.json("modules.json");
  if (j == nullptr || !j->is_array()) return;
  for (std::size_t i = 0; i < j->size(); ++i) {
    const auto& m = (*j)[i];
    if (!m.is_object()) continue;
    auto type = m.find("type");
    if (type == m.end() || !type->is_string()) continue;
    const std::string& ref = type->get_ref<const std::string&>();
    if (starts_with(ref, "sentence_transformers.")) continue;
    const auto dot = ref.rfind('.');
    std::string module = dot == std::string::npos ? ref : ref.substr(0, dot);
    const std::string symbol = dot == std::string::npos ? std::string() : ref.substr(dot + 1);
    std::string file = module;
    std::replace(file.begin(), file.end(), '.', '/');
    file += ".py";
    std::string sub;
    if (auto p = m.find("path"); p != m.end() && p->is_string()) sub = p->get<std::string>();
    std::string in_sub;
    const bool found_root = b.snap.contains(file);
    const bool found_sub = !sub.empty() && normalize_relative(join_path(sub, file), in_sub) && b.snap.contains(in_sub);
    Trigger t;
    t.file = "modules.json";
    t.key = index_path("modules", i) + ".type";
    t.loader = "sentence-transformers";
    t.gate = "trust_remote_code (sentence-transformers >= 6.0, local folders too; only a warning in 5.x)";
    t.symbol = symbol;
    t.rule_id = "LD101";
    t.value = ref;
    if (found_root || found_sub) {
      t.module = found_root ? file : in_sub;
      t.why = "SentenceTransformer imports " + t.module + " from the repository and instantiates " + symbol + ".";
    } else {
      t.module = module;
      t.why = "SentenceTransformer imports the installed module " + module + ", named by the repository.";
    }
    b.add_trigger(std::move(t));
  }
}

}  // namespace mg
