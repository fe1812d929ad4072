// Rule-case runner: every rules/python/<ID>-<slug>/cases/*.py is analysed with all rules on; each
// line marked `# expect: <ID>` must produce exactly those findings of the folder's rule, and no
// other line may produce one. A case without marks asserts silence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/rule.hpp"
#include "engines/python/analyzer.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kRulesDir = fs::path(MODELGATE_SOURCE_DIR) / "rules" / "python";

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool looks_like_id(const std::string& t) {
  if (t.size() != 5) return false;
  return std::isupper(static_cast<unsigned char>(t[0])) && std::isupper(static_cast<unsigned char>(t[1])) &&
         std::isdigit(static_cast<unsigned char>(t[2])) && std::isdigit(static_cast<unsigned char>(t[3])) &&
         std::isdigit(static_cast<unsigned char>(t[4]));
}

// line -> ids expected there (several marks: "# expect: PY602, PY607").
std::map<std::uint32_t, std::multiset<std::string>> expectations(const std::string& text) {
  std::map<std::uint32_t, std::multiset<std::string>> out;
  std::istringstream in(text);
  std::string line;
  std::uint32_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    const auto p = line.find("# expect:");
    if (p == std::string::npos) continue;
    // Ids separated by commas/spaces; the first other word ends the list (room for a remark).
    std::string rest = line.substr(p + 9);
    std::string tok;
    for (char ch : rest + ",") {
      if (ch == ',' || ch == ' ' || ch == '\t') {
        if (tok.empty()) continue;
        if (!looks_like_id(tok)) break;
        out[n].insert(tok);
        tok.clear();
      } else {
        tok += ch;
      }
    }
  }
  return out;
}

struct RuleFolder {
  std::string id;
  fs::path dir;
};

std::vector<RuleFolder> rule_folders() {
  std::vector<RuleFolder> out;
  for (const auto& e : fs::directory_iterator(kRulesDir)) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    const auto dash = name.find('-');
    if (dash == std::string::npos) continue;
    out.push_back({name.substr(0, dash), e.path()});
  }
  std::sort(out.begin(), out.end(), [](const RuleFolder& a, const RuleFolder& b) { return a.id < b.id; });
  return out;
}

TEST(PythonRules, TableMatchesFoldersAndMetadata) {
  const auto rules = mg::py::builtin_python_rules();
  std::vector<std::string> table;
  for (const auto* r : rules) table.emplace_back(r->id);
  EXPECT_TRUE(std::is_sorted(table.begin(), table.end())) << "rules.def must stay sorted";
  std::vector<std::string> folders;
  for (const auto& f : rule_folders()) folders.push_back(f.id);
  EXPECT_EQ(table, folders) << "rules/python/rules.def and the rule folders disagree";
  const auto& reg = mg::RuleRegistry::builtin();
  EXPECT_TRUE(reg.problems().empty()) << (reg.problems().empty() ? "" : reg.problems().front());
  for (const auto& id : table) {
    const auto* info = reg.find(id);
    ASSERT_NE(info, nullptr) << id << " has no README.md metadata";
    EXPECT_EQ(info->engine, "python") << id;
    // PY1xx-PY7xx mirror Bandit's numbers; PY8xx/PY9xx have no Bandit equivalent.
    if (id.size() == 5 && id[2] >= '1' && id[2] <= '7') {
      EXPECT_EQ(info->equivalents.bandit, "B" + id.substr(2)) << id;
    } else {
      EXPECT_TRUE(info->equivalents.bandit.empty()) << id;
    }
    EXPECT_FALSE(info->cwe.empty()) << id;
    for (const char* section : {"## What it flags", "## Why it matters when loading a model", "## Example", "## What to do instead"}) {
      EXPECT_NE(info->doc.find(section), std::string::npos) << id << " README lacks " << section;
    }
  }
}

TEST(PythonRules, EveryRuleHasFiringAndSilentCases) {
  for (const auto& f : rule_folders()) {
    bool fires = false, silent = false;
    const fs::path cases = f.dir / "cases";
    if (fs::exists(cases)) {
      for (const auto& e : fs::directory_iterator(cases)) {
        if (e.path().extension() != ".py") continue;
        const auto text = read_all(e.path());
        bool any = false;
        for (const auto& [line, ids] : expectations(text)) any = any || ids.count(f.id) != 0;
        (any ? fires : silent) = true;
        if (any && text.find("# ok") != std::string::npos) silent = true;
      }
    }
    EXPECT_TRUE(fires) << f.id << ": no case with `# expect: " << f.id << "`";
    EXPECT_TRUE(silent) << f.id << ": no silent case (a file without marks, or `# ok` lines)";
  }
}

TEST(PythonRules, CasesFireExactlyOnMarkedLines) {
  const mg::py::Analyzer analyzer;
  mg::py::Parser parser;
  std::size_t files = 0;
  for (const auto& f : rule_folders()) {
    const fs::path cases = f.dir / "cases";
    if (!fs::exists(cases)) continue;
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(cases)) {
      if (e.path().extension() == ".py") paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      ++files;
      const std::string text = read_all(p);
      const auto expected_all = expectations(text);
      const auto result = analyzer.analyse(p.filename().string(), text, parser);
      EXPECT_FALSE(result.incomplete.has_value()) << p << ": " << result.incomplete.value_or("");
      // Only the folder's own rule is checked strictly; marks for other ids on the same line are
      // checked too so one case file can show interplay (e.g. PY602 + PY607).
      std::map<std::uint32_t, std::multiset<std::string>> got;
      std::set<std::string> ids_in_marks{f.id};
      for (const auto& [line, ids] : expected_all) ids_in_marks.insert(ids.begin(), ids.end());
      for (const auto& finding : result.findings) {
        if (ids_in_marks.count(finding.rule_id) != 0) got[finding.line].insert(finding.rule_id);
      }
      for (const auto& [line, ids] : expected_all) {
        EXPECT_EQ(got[line], ids) << p.string() << ":" << line;
      }
      for (const auto& [line, ids] : got) {
        if (expected_all.count(line) == 0) {
          ADD_FAILURE() << p.string() << ":" << line << ": unexpected " << *ids.begin();
        }
      }
    }
  }
  EXPECT_GT(files, 0u);
}

}  // namespace
