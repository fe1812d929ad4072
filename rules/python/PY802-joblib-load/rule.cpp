#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"joblib.load", "sklearn.externals.joblib.load"})) {
    c.report("PY802", call.node, call.qualname + " unpickles the file: loading it can run code");
  }
}
}  // namespace

extern const RuleSpec kRule_PY802{.id = "PY802", .call_names = "load", .on_call = check};

}  // namespace mg::py
