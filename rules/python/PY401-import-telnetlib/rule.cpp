#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"telnetlib"})) {
    c.report("PY401", ev.node, "import of " + ev.record->qualified() + ": import of telnetlib");
  }
}
}  // namespace

extern const RuleSpec kRule_PY401{.id = "PY401", .on_import = check};

}  // namespace mg::py
