#include <cstdio>
#include <regex>

#include "python/checker.hpp"

namespace mg::py {
namespace {
// Bandit's password-name test: the word alone, or delimited by underscores.
bool password_name(std::string_view name) {
  if (name.size() > 256) return false;  // bounded regex cost on hostile identifiers
  static const std::regex re("(^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|"
      "^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$)",
      std::regex::icase | std::regex::optimize);
  return std::regex_search(name.begin(), name.end(), re);
}

void check(Checker& c, const Call& call) {
  for (const auto& [kw, value] : call.keywords) {
    if (is_string_literal(value) && !is_fstring(c.tree(), value) && password_name(kw)) {
      c.report("PY106", call.node, "possible hard-coded password passed as " + std::string(kw));
      return;
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY106{.id = "PY106", .on_call = check};

}  // namespace mg::py
