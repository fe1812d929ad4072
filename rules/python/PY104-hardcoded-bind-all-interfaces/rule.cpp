#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, TSNode n, std::string_view value) {
  if (value == "0.0.0.0") c.report("PY104", n, "binding to 0.0.0.0 listens on every network interface");
}
}  // namespace

extern const RuleSpec kRule_PY104{.id = "PY104", .on_string = check};

}  // namespace mg::py
