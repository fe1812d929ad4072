// Behaviour rule cases: every rules/behaviour/<ID>-<slug>/cases/<case> (a .py file, or a folder
// laid out as a repository) goes through the whole scan; each line marked `# expect: BHxxx` must
// produce exactly those behaviour findings and no other line may produce one. A case without
// marks asserts silence. Every behaviour finding must carry evidence ending at its sink.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "engines/engine.hpp"
#include "pipeline/scan.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kRulesDir = fs::path(MODELGATE_SOURCE_DIR) / "rules" / "behaviour";

using Marks = std::map<std::pair<std::string, std::uint32_t>, std::multiset<std::string>>;

void read_marks(const fs::path& file, const std::string& rel, Marks& out) {
  std::ifstream in(file);
  std::uint32_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    const auto p = line.find("# expect:");
    if (p == std::string::npos) continue;
    std::istringstream ids(line.substr(p + 9));
    for (std::string tok; std::getline(ids, tok, ',');) {
      tok.erase(std::remove(tok.begin(), tok.end(), ' '), tok.end());
      if (tok.size() == 5 && tok.rfind("BH", 0) == 0) out[{rel, n}].insert(tok);
    }
  }
}

Marks scan_case(const fs::path& target, std::vector<mg::Finding>* all = nullptr) {
  mg::Limits limits;
  auto snaps = mg::open_target(target.string(), limits);
  EXPECT_TRUE(snaps) << target;
  Marks got;
  if (!snaps) return got;
  const auto engines = mg::make_builtin_engines();
  for (const auto& snap : *snaps) {
    auto report = mg::scan_snapshot(snap, engines, limits, 1);
    for (const auto& f : report.findings) {
      if (f.rule_id.rfind("BH", 0) != 0) continue;
      got[{f.file, f.line}].insert(f.rule_id);
      if (all != nullptr) all->push_back(f);
    }
  }
  return got;
}

std::string describe(const Marks& m) {
  std::string s;
  for (const auto& [where, ids] : m) {
    for (const auto& id : ids) s += "  " + where.first + ":" + std::to_string(where.second) + " " + id + "\n";
  }
  return s.empty() ? "  (none)\n" : s;
}

TEST(BehaviourRules, CasesMatchTheirMarks) {
  int folders = 0, cases = 0;
  for (const auto& rule : fs::directory_iterator(kRulesDir)) {
    if (!rule.is_directory()) continue;
    ++folders;
    const std::string id = rule.path().filename().string().substr(0, 5);
    bool fired = false;
    for (const auto& c : fs::directory_iterator(rule.path() / "cases")) {
      ++cases;
      Marks want;
      if (c.is_directory()) {
        for (const auto& f : fs::recursive_directory_iterator(c.path())) {
          if (f.path().extension() == ".py") read_marks(f.path(), fs::relative(f.path(), c.path()).generic_string(), want);
        }
      } else {
        read_marks(c.path(), c.path().filename().string(), want);
      }
      std::vector<mg::Finding> findings;
      const Marks got = scan_case(c.path(), &findings);
      EXPECT_EQ(got, want) << c.path() << "\nexpected:\n" << describe(want) << "got:\n" << describe(got);
      for (const auto& f : findings) {
        fired = fired || f.rule_id == id;
        ASSERT_FALSE(f.evidence.empty()) << f.rule_id << " at " << f.file << ":" << f.line;
        EXPECT_EQ(f.evidence.back().line, f.line) << f.rule_id << " at " << f.file << ":" << f.line;
        EXPECT_EQ(f.evidence.back().note.rfind("sink: ", 0), 0u) << f.evidence.back().note;
      }
    }
    EXPECT_TRUE(fired) << id << ": no case makes the rule fire";
  }
  EXPECT_GE(folders, 10);
  EXPECT_GE(cases, 20);
}

// Repositories shaped like real remote-code models: the verdict, and each behaviour finding that
// must be there and run at load (tests/fixtures/behaviour/*/expected).
TEST(BehaviourRules, RepositoriesReachTheirVerdicts) {
  const fs::path root = fs::path(MODELGATE_SOURCE_DIR) / "tests/fixtures/behaviour";
  int repos = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    ++repos;
    const std::string name = dir.path().filename().string();
    mg::Limits limits;
    auto snaps = mg::open_target(dir.path().string(), limits);
    ASSERT_TRUE(snaps) << name;
    const auto engines = mg::make_builtin_engines();
    const auto report = mg::scan_snapshot(snaps->front(), engines, limits, 1);
    std::ifstream in(dir.path() / "expected");
    for (std::string word; in >> word;) {
      if (word == "verdict") {
        std::string want;
        in >> want;
        EXPECT_EQ(report.verdict ? std::string(mg::to_string(*report.verdict)) : "clean", want) << name;
      } else if (word == "finding") {
        std::string id, where, reach;
        in >> id >> where >> reach;
        const auto colon = where.rfind(':');
        const std::string file = where.substr(0, colon);
        const auto line = static_cast<std::uint32_t>(std::stoul(where.substr(colon + 1)));
        const auto it = std::find_if(report.findings.begin(), report.findings.end(), [&](const mg::Finding& f) {
          return f.rule_id == id && f.file == file && f.line == line;
        });
        ASSERT_NE(it, report.findings.end()) << name << ": no " << id << " at " << where;
        EXPECT_EQ(it->load_reachable, mg::Reach::yes) << name << ": " << id << " at " << where;
        EXPECT_FALSE(it->reach_path.empty()) << name;
        if (reach == "reachable+source") {
          EXPECT_GE(it->evidence.size(), 2u) << name << ": " << id << " should name where its data came from";
        }
      }
    }
  }
  EXPECT_GE(repos, 6);
}

}  // namespace
