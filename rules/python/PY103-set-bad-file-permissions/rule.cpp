#include <cstdio>
#include <regex>

#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.name.find("chmod") == std::string_view::npos || call.args.size() != 2) return;
  const auto mode = literal_int(c.tree(), call.args[1]);
  if (!mode) return;
  constexpr long long kOtherWrite = 0002, kGroupExec = 0010;
  if ((*mode & kOtherWrite) == 0 && (*mode & kGroupExec) == 0) return;
  char buf[32];
  std::snprintf(buf, sizeof buf, "0o%llo", *mode);
  c.report("PY103", call.node, std::string("chmod sets a permissive mode ") + buf,
           (*mode & kOtherWrite) != 0 ? Severity::high : Severity::medium, Confidence::high);
}
}  // namespace

extern const RuleSpec kRule_PY103{.id = "PY103", .on_call = check};

}  // namespace mg::py
