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
}  // namespace

extern const RuleSpec kRule_PY808{.id = "PY808", .on_call = check};

}  // namespace mg::py
