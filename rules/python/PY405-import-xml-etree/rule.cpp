#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"xml.etree.cElementTree", "xml.etree.ElementTree"})) {
    c.report("PY405", ev.node, "import of " + ev.record->qualified() + ": import of xml.etree (entity expansion on untrusted XML)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY405{.id = "PY405", .on_import = check};

}  // namespace mg::py
