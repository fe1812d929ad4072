#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"torch.package.PackageImporter", "torch.package.package_importer.PackageImporter"})) {
    c.report("PY807", call.node, "torch.package imports Python code and pickles from the package: opening it runs code");
  }
}
}  // namespace

extern const RuleSpec kRule_PY807{.id = "PY807", .call_names = "PackageImporter", .on_call = check};

}  // namespace mg::py
