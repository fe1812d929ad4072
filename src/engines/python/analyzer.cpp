#include "engines/python/analyzer.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "behaviour/model_builder.hpp"
#include "core/text.hpp"

namespace mg::py {

namespace {

std::vector<std::string_view> words(const char* list) {
  std::vector<std::string_view> out;
  if (list == nullptr) return out;
  for (auto w : split(list, ' ')) {
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

bool is_id_token(std::string_view t) {
  // B602 or PY602 (letters then three digits).
  std::size_t i = 0;
  while (i < t.size() && ((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z'))) ++i;
  if (i == 0 || i > 2 || t.size() - i != 3) return false;
  for (std::size_t k = i; k < t.size(); ++k) {
    if (t[k] < '0' || t[k] > '9') return false;
  }
  return true;
}

std::string upper(std::string_view s) {
  std::string o(s);
  for (auto& ch : o) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  return o;
}

// Ids in "B602, B607" / "[PY602,PY607]" up to the next '#' or ']'.
void collect_ids(std::string_view rest, std::vector<std::string>& ids) {
  std::string token;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    const char ch = i < rest.size() ? rest[i] : ' ';
    if (ch == '#' || ch == ']') {
      if (is_id_token(token)) ids.push_back(upper(token));
      return;
    }
    if (ch == ',' || ch == ' ' || ch == '\t' || ch == '[' || ch == ':') {
      if (is_id_token(token)) ids.push_back(upper(token));
      token.clear();
    } else {
      token += ch;
    }
  }
}

// The source line `line` (1-based), trimmed and bounded.
std::string snippet_at(std::string_view src, const std::vector<std::uint32_t>& starts, std::uint32_t line) {
  if (line == 0 || line > starts.size()) return {};
  const std::uint32_t b = starts[line - 1];
  const std::uint32_t e = line < starts.size() ? starts[line] : static_cast<std::uint32_t>(src.size());
  std::string_view l = trim(src.substr(b, e - b));
  if (l.size() > 240) l = l.substr(0, 240);
  return sanitize_utf8(l);
}

bool is_docstring_like(TSNode parent) {
  // A string that is a whole expression statement (docstrings and bare strings): Bandit skips it.
  return is(parent, "expression_statement") && ts_node_named_child_count(parent) == 1;
}

bool is_bytes_literal(std::string_view text) {
  for (char ch : text) {
    if (ch == '\'' || ch == '"') return false;
    if (ch == 'b' || ch == 'B') return true;
  }
  return false;
}

}  // namespace

bool parse_suppression(std::string_view comment, bool& all, std::vector<std::string>& ids) {
  all = false;
  ids.clear();
  bool found = false;
  // Bandit: "nosec" after the comment marker, optionally followed by test ids.
  if (auto p = comment.find("nosec"); p != std::string_view::npos) {
    const std::string_view before = trim(comment.substr(0, p));
    if (!before.empty() && before.back() == '#') {
      found = true;
      std::vector<std::string> got;
      collect_ids(comment.substr(p + 5), got);
      if (got.empty()) all = true;
      ids.insert(ids.end(), got.begin(), got.end());
    }
  }
  if (auto p = comment.find("modelgate:"); p != std::string_view::npos) {
    std::string_view rest = trim(comment.substr(p + 10));
    if (starts_with(rest, "ignore")) {
      found = true;
      rest.remove_prefix(6);
      rest = trim(rest);
      if (starts_with(rest, "[")) {
        std::vector<std::string> got;
        collect_ids(rest.substr(1), got);
        if (got.empty()) all = true;
        ids.insert(ids.end(), got.begin(), got.end());
      } else {
        all = true;
      }
    }
  }
  return found;
}

Analyzer::Analyzer(std::span<const RuleSpec* const> rules) {
  by_type_.resize(std::size(grammar::kNodeTypes));
  for (const RuleSpec* r : rules) {
    if (r->on_call != nullptr) {
      if (r->call_names == nullptr) calls_any_.push_back(r);
      else {
        for (auto w : words(r->call_names)) calls_by_name_[std::string(w)].push_back(r);
      }
    }
    if (r->on_import != nullptr) imports_.push_back(r);
    if (r->on_string != nullptr) strings_.push_back(r);
    if (r->on_file != nullptr) files_.push_back(r);
    if (r->on_end != nullptr) ends_.push_back(r);
    if (r->on_node != nullptr) {
      for (auto w : words(r->node_types)) {
        const auto* it = std::find(std::begin(grammar::kNodeTypes), std::end(grammar::kNodeTypes), w);
        if (it == std::end(grammar::kNodeTypes)) continue;  // unknown node type: the rule-case test catches it
        by_type_[static_cast<std::size_t>(it - std::begin(grammar::kNodeTypes))].push_back(r);
      }
    }
  }
}

FileAnalysis Analyzer::analyse(std::string_view path, std::string_view source, Parser& parser,
                               const AnalyzerOptions& options) const {
  FileAnalysis out;
  out.facts.path = std::string(path);
  Tree tree = parser.parse(source, options.parse_timeout_micros, options.max_tree_bytes);
  if (!tree) {
    out.incomplete = parser.last_failure() == Parser::Failure::memory
                         ? "python: the syntax tree would take more than " + std::to_string(options.max_tree_bytes >> 20) +
                               " MiB; the file was not analysed"
                         : std::string("python: parse did not finish within the time limit");
    out.facts.parsed = false;
    return out;
  }
  FactsCollector facts(tree, path);  // reachability's facts, gathered on this one walk
  IndexBuilder builder(tree);
  Checker checker(tree, builder.names(), path);
  for (const RuleSpec* r : files_) r->on_file(checker, source);

  struct Suppression {
    bool all = false;
    std::vector<std::string> ids;
  };
  std::unordered_map<std::uint32_t, Suppression> suppressions;
  std::vector<std::string> ids_scratch;

  // Rules get parents from the builder's root-to-node path, not ts_node_parent's search.
  const std::vector<TSNode>& stack = builder.path();
  checker.set_ancestors(&stack);

  auto visit = [&](TSNode n) -> bool {
    const std::uint16_t type = type_index(n);  // once per node, for every consumer below
    facts.enter(n, type);  // before any early return: leave() is called for every entered node
    const std::size_t imports_before = builder.index().imports.size();
    if (!builder.enter(n, type)) return false;  // ERROR subtree: not analysed
    checker.set_in_function(builder.in_function());
    if (builder.index().imports.size() != imports_before && !imports_.empty()) {
      auto& recs = builder.index().imports;
      for (std::size_t i = imports_before; i < recs.size(); ++i) {
        const ImportEvent ev{n, &recs[i]};
        for (const RuleSpec* r : imports_) r->on_import(checker, ev);
      }
    }
    if (type == type_id("call")) {
      const Call call = decode_call(tree, builder.names(), n);
      for (const RuleSpec* r : calls_any_) r->on_call(checker, call);
      if (!call.name.empty()) {
        if (auto it = calls_by_name_.find(call.name); it != calls_by_name_.end()) {
          for (const RuleSpec* r : it->second) r->on_call(checker, call);
        }
      }
    } else if (type == type_id("comment")) {
      bool all = false;
      if (options.honor_suppressions && parse_suppression(tree.text(n), all, ids_scratch)) {
        auto& s = suppressions[line_of(n)];
        s.all = s.all || all;
        s.ids.insert(s.ids.end(), ids_scratch.begin(), ids_scratch.end());
      }
      return false;
    } else if (!strings_.empty() && (type == type_id("string") || type == type_id("concatenated_string"))) {
      const TSNode parent = stack.size() >= 2 ? stack[stack.size() - 2] : TSNode{};
      const bool part = is(parent, "concatenated_string");
      if (!part && !is_docstring_like(parent) && !is_bytes_literal(tree.text(n))) {
        if (auto v = string_value(tree, n)) {
          for (const RuleSpec* r : strings_) r->on_string(checker, n, *v);
        }
      }
    } else if (!strings_.empty() && type == type_id("string_content") && stack.size() >= 3) {
      // The literal pieces of an f-string are string constants too (as in Python's AST), so
      // f"/tmp/{x}" is checked; the rule sees the piece with the f-string as its parent.
      const TSNode str = stack[stack.size() - 2];
      const TSNode outer = stack[stack.size() - 3];
      const TSNode holder = is(outer, "concatenated_string") && stack.size() >= 4 ? stack[stack.size() - 4] : outer;
      if (is(str, "string") && is_fstring(tree, str) && !is_docstring_like(holder)) {
        for (const RuleSpec* r : strings_) r->on_string(checker, n, tree.text(n));
      }
    }
    if (type < by_type_.size()) {
      for (const RuleSpec* r : by_type_[type]) r->on_node(checker, n);
    }
    return true;
  };
  auto leave = [&](TSNode n) {
    facts.leave();
    builder.leave(n);
  };
  const bool complete = walk_tree(tree.root(), visit, leave, options.max_nodes);
  builder.index().truncated = !complete;
  checker.set_ancestors(nullptr);  // the walk's path is gone
  checker.set_in_function(false);
  for (const RuleSpec* r : ends_) r->on_end(checker);

  // Line starts, for snippets (only files with findings need them).
  std::vector<std::uint32_t> starts{0};
  if (!checker.hits().empty()) {
    for (const char* p = source.data(), *end = p + source.size(); (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr;) {
      ++p;
      starts.push_back(static_cast<std::uint32_t>(p - source.data()));
    }
  }

  const auto& registry = RuleRegistry::builtin();
  for (Hit& h : checker.hits()) {
    const RuleInfo* info = registry.find(h.rule_id);
    if (info == nullptr) continue;  // a rule without metadata: the rule-case test reports it
    if (!suppressions.empty()) {
      bool drop = false;
      const std::uint32_t last = std::min(h.last_line, h.line + 1000);
      for (std::uint32_t l = h.line; l <= last && !drop; ++l) {
        auto it = suppressions.find(l);
        if (it == suppressions.end()) continue;
        const Suppression& s = it->second;
        drop = s.all || std::find(s.ids.begin(), s.ids.end(), info->id) != s.ids.end() ||
               (!info->equivalents.bandit.empty() &&
                std::find(s.ids.begin(), s.ids.end(), info->equivalents.bandit) != s.ids.end());
      }
      if (drop) {
        ++out.suppressed;
        continue;
      }
    }
    Finding f = make_finding(*info, std::string(path), std::move(h.message));
    f.line = h.line;
    f.column = h.column;
    f.snippet = snippet_at(source, starts, h.line);
    if (h.severity) f.severity = *h.severity;
    if (h.confidence) f.confidence = *h.confidence;
    out.findings.push_back(std::move(f));
  }

  if (options.behaviour) out.model = behaviour::build_model(tree, builder.names(), path);
  if (may_call_other_repo(source)) out.cross_repo_calls = extract_cross_repo_calls(tree);  // same tree, no second parse
  out.index = std::move(builder.index());
  out.facts = facts.take();
  out.facts.parsed = complete;
  if (!complete) {
    out.incomplete = "python: node budget exhausted; the rest of the file was not analysed";
  } else if (out.index.error_fraction(source.size()) >= options.partial_error_fraction) {
    const int pct = static_cast<int>(out.index.error_fraction(source.size()) * 100.0 + 0.5);
    out.incomplete = "python: syntax errors cover " + std::to_string(pct) +
                     "% of the file; code inside them was not analysed";
  }
  return out;
}

}  // namespace mg::py
