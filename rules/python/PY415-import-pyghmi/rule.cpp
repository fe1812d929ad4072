#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"pyghmi"})) {
    c.report("PY415", ev.node, "import of " + ev.record->qualified() + ": import of pyghmi (IPMI)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY415{.id = "PY415", .on_import = check};

}  // namespace mg::py
