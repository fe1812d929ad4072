#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"pickle", "cPickle", "dill", "shelve"})) {
    c.report("PY403", ev.node, "import of " + ev.record->qualified() + ": pickle-family modules can run code while loading data");
  }
}
}  // namespace

extern const RuleSpec kRule_PY403{.id = "PY403", .on_import = check};

}  // namespace mg::py
