#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"xml.dom.pulldom"})) {
    c.report("PY409", ev.node, "import of " + ev.record->qualified() + ": import of xml.dom.pulldom");
  }
}
}  // namespace

extern const RuleSpec kRule_PY409{.id = "PY409", .on_import = check};

}  // namespace mg::py
