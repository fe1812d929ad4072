// Every bundled example yields exactly its expected load plan (tests/examples/*.expected).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engines/engine.hpp"
#include "pipeline/scan.hpp"

namespace fs = std::filesystem;

namespace {

std::string dash(const std::string& s) { return s.empty() ? "-" : s; }
std::string underscore_spaces(std::string s) {
  std::replace(s.begin(), s.end(), ' ', '_');
  return s;
}

std::multiset<std::string> actual_facts(const mg::TargetReport& r) {
  std::multiset<std::string> facts;
  facts.insert("platform " + r.plan.platform);
  for (const auto& t : r.plan.triggers) {
    facts.insert("trigger " + t.file + " " + underscore_spaces(t.key) + " " + t.loader + " " + t.module + " " + dash(t.symbol) + " " + dash(t.remote_repo));
  }
  for (const auto& m : r.plan.module_files) facts.insert("module " + m);
  for (const auto& d : r.plan.deserialization) facts.insert("deser " + d.file + " " + d.format);
  for (const auto& f : r.findings) {
    if (f.engine == "load" || f.engine == "config") facts.insert("finding " + f.rule_id + " " + f.file);
  }
  return facts;
}

std::multiset<std::string> expected_facts(const fs::path& file) {
  std::multiset<std::string> facts;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) facts.insert(line);
  }
  return facts;
}

std::string diff(const std::multiset<std::string>& want, const std::multiset<std::string>& got) {
  std::ostringstream out;
  for (const auto& w : want) if (got.count(w) < want.count(w)) out << "  missing: " << w << "\n";
  for (const auto& g : got) if (want.count(g) < got.count(g)) out << "  unexpected: " << g << "\n";
  return out.str();
}

}  // namespace

TEST(Examples, EveryExampleHasAnExpectation) {
  const fs::path root = fs::path(MODELGATE_SOURCE_DIR);
  for (const auto& e : fs::directory_iterator(root / "examples")) {
    if (!e.is_directory()) continue;
    EXPECT_TRUE(fs::exists(root / "tests/examples" / (e.path().filename().string() + ".expected"))) << e.path();
  }
}

TEST(Examples, LoadPlansMatchExpectations) {
  const fs::path root = fs::path(MODELGATE_SOURCE_DIR);
  const auto engines = mg::make_builtin_engines();
  int checked = 0;
  for (const auto& e : fs::directory_iterator(root / "tests/examples")) {
    if (e.path().extension() != ".expected") continue;
    const std::string name = e.path().stem().string();
    const fs::path target = root / "examples" / name;
    ASSERT_TRUE(fs::is_directory(target)) << name;
    mg::ScanOptions options;
    auto report = mg::scan({target.string()}, options, &engines);
    ASSERT_EQ(report.targets.size(), 1u) << name;
    const auto want = expected_facts(e.path());
    const auto got = actual_facts(report.targets[0]);
    EXPECT_EQ(want, got) << name << ":\n" << diff(want, got);
    ++checked;
  }
  EXPECT_GE(checked, 11);
}

TEST(Examples, CleanModelHasNoFindingAndNoTrigger) {
  const fs::path target = fs::path(MODELGATE_SOURCE_DIR) / "examples/clean-safetensors";
  auto report = mg::scan({target.string()}, mg::ScanOptions{});
  ASSERT_EQ(report.targets.size(), 1u);
  EXPECT_FALSE(report.targets[0].plan.custom_code_required());
  EXPECT_TRUE(report.targets[0].findings.empty());
  EXPECT_FALSE(report.targets[0].verdict.has_value());
}

TEST(Examples, UnreferencedScriptIsNotExecutionRelevant) {
  const fs::path target = fs::path(MODELGATE_SOURCE_DIR) / "examples/remote-code-model";
  auto report = mg::scan({target.string()}, mg::ScanOptions{});
  const auto& files = report.targets[0].plan.module_files;
  EXPECT_EQ(std::count(files.begin(), files.end(), "train.py"), 0);
  EXPECT_EQ(std::count(files.begin(), files.end(), "activations.py"), 1);  // two relative imports deep
}
