#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"ftplib"})) {
    c.report("PY402", ev.node, "import of " + ev.record->qualified() + ": import of ftplib");
  }
}
}  // namespace

extern const RuleSpec kRule_PY402{.id = "PY402", .on_import = check};

}  // namespace mg::py
