#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.keywords.empty()) return;
  const TSNode t = call.keyword("trust_remote_code");
  if (ts_node_is_null(t)) return;
  const auto v = literal_truth(c.tree(), t);
  if (v && !*v) return;
  c.report_line("PY808", call.node, line_of(t),
                (v ? std::string("trust_remote_code=True") : std::string("trust_remote_code set from a variable")) +
                    " in repository code: loading this model loads and runs code from another repository",
                std::nullopt, v ? std::optional<Confidence>() : std::optional<Confidence>(Confidence::medium));
}

// {"trust_remote_code": True} built up for a later `**kwargs` call.
void on_pair(Checker& c, TSNode pair) {
  const auto key = c.literal(field(pair, "key"));
  if (!key || *key != "trust_remote_code") return;
  if (!literal_truth(c.tree(), field(pair, "value")).value_or(false)) return;
  c.report("PY808", pair, "trust_remote_code=True prepared in a dict for a later call: nested remote code");
}
}  // namespace

extern const RuleSpec kRule_PY808{.id = "PY808", .on_call = check, .node_types = "pair", .on_node = on_pair};

}  // namespace mg::py
