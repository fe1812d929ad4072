#include "python/checker.hpp"

namespace mg::py {
namespace {
bool is_commit_hash(std::string_view s) {
  if (s.size() < 7) return false;
  for (char ch : s) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) return false;
  }
  return true;
}

void check(Checker& c, const Call& call) {
  const std::string& q = call.qualname;
  const bool transformers = q.find("transformers") != std::string::npos && c.imported_like("transformers");
  const bool datasets = q.find("datasets") != std::string::npos && c.imported_like("datasets");
  const bool hub = q.find("huggingface_hub") != std::string::npos && c.imported_like("huggingface_hub");
  if (!transformers && !datasets && !hub) return;
  if (call.name == "from_pretrained") {
    if (!transformers && !hub) return;
  } else if (call.name == "load_dataset") {
    if (!datasets) return;
  } else if (!hub) {
    return;
  }
  // A local path downloads nothing.
  const TSNode src = call.arg(0);
  if (!ts_node_is_null(src)) {
    if (const auto s = c.literal(src); s && (s->rfind("./", 0) == 0 || s->rfind("/", 0) == 0 || s->rfind("../", 0) == 0)) return;
  }
  for (std::string_view k : {"revision", "commit_id"}) {
    const TSNode r = call.keyword(k);
    if (ts_node_is_null(r)) continue;
    if (is(r, "none")) continue;
    const auto v = c.literal(r);
    if (!v) return;  // computed revision: cannot tell, as Bandit
    if (is_commit_hash(*v)) return;
  }
  if (call.star_kwargs) return;
  c.report("PY615", call.node, q + " without a pinned commit revision downloads whatever the repository holds today");
}
}  // namespace

extern const RuleSpec kRule_PY615{.id = "PY615", .call_names = "from_pretrained load_dataset hf_hub_download snapshot_download", .on_call = check};

}  // namespace mg::py
