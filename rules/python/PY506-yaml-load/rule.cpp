#include "python/checker.hpp"

namespace mg::py {
namespace {
bool safe_loader(const Checker& c, TSNode n) {
  if (ts_node_is_null(n)) return false;
  const auto v = bandit_value(c.tree(), n);
  return v && (*v == "SafeLoader" || *v == "CSafeLoader");
}

void check(Checker& c, const Call& call) {
  // As Bandit: needs `import yaml`, a callee named load with yaml in its path, and no safe loader.
  if (!c.imported_exact("yaml")) return;
  const std::string& q = call.qualname;
  bool has_yaml = false;
  std::size_t start = 0;
  while (start <= q.size()) {
    const auto dot = q.find('.', start);
    const std::string_view part = std::string_view(q).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part == "yaml") has_yaml = true;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!has_yaml) return;
  if (safe_loader(c, call.keyword("Loader")) || safe_loader(c, call.arg(1))) return;
  c.report("PY506", call.node, "yaml.load without SafeLoader can build arbitrary Python objects; use yaml.safe_load");
}
}  // namespace

extern const RuleSpec kRule_PY506{.id = "PY506", .call_names = "load", .on_call = check};

}  // namespace mg::py
