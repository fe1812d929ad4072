#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"xml.dom.expatbuilder"})) {
    c.report("PY407", ev.node, "import of " + ev.record->qualified() + ": import of xml.dom.expatbuilder");
  }
}
}  // namespace

extern const RuleSpec kRule_PY407{.id = "PY407", .on_import = check};

}  // namespace mg::py
