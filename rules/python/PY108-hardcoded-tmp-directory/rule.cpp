#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, TSNode n, std::string_view value) {
  for (std::string_view dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
    if (value.substr(0, dir.size()) == dir) {
      c.report("PY108", n, "hard-coded path in a shared temporary directory; use tempfile to create private files");
      return;
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY108{.id = "PY108", .on_string = check};

}  // namespace mg::py
