#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  for (const auto& [kw, value] : call.keywords) {
    if (is_string_literal(value) && !is_fstring(c.tree(), value) && is_password_name(kw)) {
      c.report("PY106", call.node, "possible hard-coded password passed as " + std::string(kw));
      return;
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY106{.id = "PY106", .on_call = check};

}  // namespace mg::py
