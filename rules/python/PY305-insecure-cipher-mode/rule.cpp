#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"cryptography.hazmat.primitives.ciphers.modes.ECB"})) {
    c.report("PY305", call.node, call.qualname + ": eCB cipher mode");
  }
}
}  // namespace

extern const RuleSpec kRule_PY305{.id = "PY305", .call_names = "ECB", .on_call = check};

}  // namespace mg::py
