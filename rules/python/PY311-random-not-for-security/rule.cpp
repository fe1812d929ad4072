#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname.size() > 7 && call.qualname.compare(0, 7, "random.") == 0 && call.qualname.find('.', 7) == std::string::npos) {
    c.report("PY311", call.node, call.qualname + " is not a cryptographic generator; use secrets for tokens and keys");
  }
}
}  // namespace

extern const RuleSpec kRule_PY311{.id = "PY311", .call_names = "Random random randrange randint choice choices uniform triangular randbytes sample getrandbits", .on_call = check};

}  // namespace mg::py
