#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"xml.sax"})) {
    c.report("PY406", ev.node, "import of " + ev.record->qualified() + ": import of xml.sax");
  }
}
}  // namespace

extern const RuleSpec kRule_PY406{.id = "PY406", .on_import = check};

}  // namespace mg::py
