#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"xml.dom.minidom"})) {
    c.report("PY408", ev.node, "import of " + ev.record->qualified() + ": import of xml.dom.minidom");
  }
}
}  // namespace

extern const RuleSpec kRule_PY408{.id = "PY408", .on_import = check};

}  // namespace mg::py
