// One load-engine finding per group of triggers, so six auto_map keys naming one module make one
// finding, not six; the report's `triggers` list keeps every key.
#include <map>
#include <tuple>

#include "core/text.hpp"
#include "platform/plan_builder.hpp"

namespace mg {

namespace {

// Line, column and text of the first line of `file` that names `needle` (for JSON keys/values).
void locate(PlanBuilder& b, Finding& f, std::string_view needle) {
  if (needle.empty()) return;
  auto text = b.text(f.file);
  if (!text) return;
  const auto pos = text->find(needle);
  if (pos == std::string_view::npos) return;
  std::uint32_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < pos; ++i) {
    if ((*text)[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  auto line_end = text->find('\n', pos);
  if (line_end == std::string_view::npos) line_end = text->size();
  f.line = line;
  f.column = static_cast<std::uint32_t>(pos - line_start + 1);
  std::string snippet(trim(text->substr(line_start, line_end - line_start)));
  if (snippet.size() > 200) snippet = snippet.substr(0, 200) + "...";
  f.snippet = std::move(snippet);
}

// Rules whose triggers make one finding per repository rather than per module.
bool grouped_per_repo(std::string_view rule) { return rule == "LD104" || rule == "LD107"; }

}  // namespace

void add_trigger_findings(PlanBuilder& b) {
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, std::vector<const Trigger*>> groups;
  for (const auto& t : b.plan.triggers) {
    Key k = grouped_per_repo(t.rule_id) ? Key{t.rule_id, "", "", ""} : Key{t.rule_id, t.file, t.module, t.remote_repo};
    groups[k].push_back(&t);
  }
  for (const auto& [key, triggers] : groups) {
    const Trigger& first = *triggers.front();
    std::string message = first.why;
    if (triggers.size() > 1) {
      message += grouped_per_repo(first.rule_id) ? " (" + std::to_string(triggers.size()) + " files)" : " Keys:";
      if (!grouped_per_repo(first.rule_id)) {
        for (std::size_t i = 0; i < triggers.size(); ++i) message += (i ? ", " : " ") + triggers[i]->key;
        message += ".";
      }
    }
    Finding f = make_finding(first.rule_id, first.file, std::move(message));
    for (const Trigger* t : triggers) {
      if (t->severity && *t->severity > f.severity) f.severity = *t->severity;
    }
    f.load_reachable = Reach::yes;
    f.reach_path = {first.file + ":" + first.key};
    if (ends_with(first.file, ".json")) {
      if (!first.value.empty()) locate(b, f, "\"" + first.value + "\"");
      if (f.line == 0) {
        const auto leaf = first.key.substr(first.key.rfind('.') == std::string::npos ? 0 : first.key.rfind('.') + 1);
        locate(b, f, "\"" + leaf.substr(0, leaf.find('[')) + "\"");
      }
    } else if (ends_with(first.file, ".py") && !first.symbol.empty()) {
      locate(b, f, "def " + first.symbol + "(");
    } else if (ends_with(first.file, ".py") && !first.value.empty()) {
      locate(b, f, first.value);  // the assignment that makes the file a config
    } else if (ends_with(first.file, ".yaml") && !first.value.empty()) {
      locate(b, f, first.value);
    }
    b.add_finding(std::move(f));

    // A module the configuration names but the repository lacks: the load fails, or (from the Hub)
    // fetches it at load time, outside any review of this snapshot.
    if (first.remote_repo.empty() && ends_with(first.module, ".py") && !b.snap.contains(first.module)) {
      Finding m = make_finding("LD110", first.file, first.file + " names " + first.module + ", which this snapshot does not contain; " +
                                                         "loading fails, or fetches that file from the Hub at load time without it being reviewed here.");
      m.load_reachable = Reach::yes;
      m.reach_path = f.reach_path;
      m.line = f.line;
      m.column = f.column;
      m.snippet = f.snippet;
      b.add_finding(std::move(m));
    }
  }
}

}  // namespace mg
