#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  const std::string& q = call.qualname;
  const bool keras = q.find("keras") != std::string::npos;
  if (!keras) return;
  if (call.name == "enable_unsafe_deserialization") {
    c.report("PY804", call.node, "Keras unsafe deserialization enabled: Lambda layers in loaded models run their code");
    return;
  }
  const TSNode s = call.keyword("safe_mode");
  if (ts_node_is_null(s)) return;
  const auto v = literal_truth(c.tree(), s);
  if (v && *v) return;
  c.report("PY804", call.node, q + " with safe_mode disabled: Lambda layers in the model file run their code");
}
}  // namespace

extern const RuleSpec kRule_PY804{.id = "PY804", .call_names = "load_model enable_unsafe_deserialization", .on_call = check};

}  // namespace mg::py
