#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname == "logging.config.listen" && !call.has_keyword("verify") && !call.star_kwargs) {
    c.report("PY612", call.node, "logging.config.listen without verify= evaluates configuration received over a socket");
  }
}
}  // namespace

extern const RuleSpec kRule_PY612{.id = "PY612", .call_names = "listen", .on_call = check};

}  // namespace mg::py
