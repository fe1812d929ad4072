#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"xmlrpc", "xmlrpclib"})) {
    c.report("PY411", ev.node, "import of " + ev.record->qualified() + ": import of xmlrpc / xmlrpclib");
  }
}
}  // namespace

extern const RuleSpec kRule_PY411{.id = "PY411", .on_import = check};

}  // namespace mg::py
