// The rule table, from the sorted X-macro list in rules/python/rules.def.
#include <array>

#include "engines/python/analyzer.hpp"

namespace mg::py {

#define MG_PY_RULE(id) extern const RuleSpec kRule_##id;
#include "rules/python/rules.def"
#undef MG_PY_RULE

namespace {
constexpr const RuleSpec* kRules[] = {
#define MG_PY_RULE(id) &kRule_##id,
#include "rules/python/rules.def"
#undef MG_PY_RULE
};
}  // namespace

std::span<const RuleSpec* const> builtin_python_rules() { return {kRules, std::size(kRules)}; }

}  // namespace mg::py
