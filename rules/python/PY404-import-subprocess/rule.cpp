#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"subprocess"})) {
    c.report("PY404", ev.node, "import of " + ev.record->qualified() + ": this module starts processes");
  }
}
}  // namespace

extern const RuleSpec kRule_PY404{.id = "PY404", .on_import = check};

}  // namespace mg::py
