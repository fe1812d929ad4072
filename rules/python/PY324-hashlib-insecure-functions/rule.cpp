#include "python/checker.hpp"

namespace mg::py {
namespace {
bool not_for_security(const Checker& c, const Call& call) {
  const TSNode u = call.keyword("usedforsecurity");
  if (ts_node_is_null(u)) return false;
  const auto v = literal_truth(c.tree(), u);
  return v && !*v;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return s;
}

void check(Checker& c, const Call& call) {
  const std::string& q = call.qualname;
  if (q == "hashlib.new") {
    const TSNode n = call.arg_or_keyword(0, "name");
    if (ts_node_is_null(n)) return;
    const auto name = c.literal(n);
    if (!name || !one_of(lower(*name), {"md4", "md5", "sha", "sha1"})) return;
    if (not_for_security(c, call)) return;
    c.report("PY324", call.node, "weak hash " + *name + " used; pass usedforsecurity=False for non-security uses",
             Severity::high, Confidence::high);
  } else if (one_of(q, {"hashlib.md4", "hashlib.md5", "hashlib.sha", "hashlib.sha1"})) {
    if (not_for_security(c, call)) return;
    c.report("PY324", call.node, q + " is a broken hash; pass usedforsecurity=False for non-security uses",
             Severity::high, Confidence::high);
  } else if (one_of(q, {"crypt.crypt", "crypt.mksalt"})) {
    const TSNode m = q == "crypt.crypt" ? call.arg_or_keyword(1, "salt") : call.arg_or_keyword(0, "method");
    if (ts_node_is_null(m)) return;
    const std::string mq = c.qualname(m);
    if (one_of(mq, {"crypt.METHOD_CRYPT", "crypt.METHOD_MD5", "crypt.METHOD_BLOWFISH"})) {
      c.report("PY324", call.node, q + " with " + mq + " is a weak password hash", Severity::medium, Confidence::high);
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY324{.id = "PY324", .call_names = "new md4 md5 sha sha1 crypt mksalt", .on_call = check};

}  // namespace mg::py
