#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"wsgiref.handlers.CGIHandler", "twisted.web.twcgi.CGIScript", "twisted.web.twcgi.CGIDirectory"})) {
    c.report("PY412", ev.node, "import of " + ev.record->qualified() + ": import of CGI handlers affected by httpoxy");
  }
}
}  // namespace

extern const RuleSpec kRule_PY412{.id = "PY412", .on_import = check};

}  // namespace mg::py
