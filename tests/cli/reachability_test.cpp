// Load-time reachability on fixture repositories with known answers (tests/fixtures/reachability).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/reachability_stage.hpp"
#include "pipeline/scan.hpp"
#include "platform/load_plan.hpp"
#include "source/snapshot.hpp"

namespace fs = std::filesystem;

namespace {

const char* name_of(mg::Reach r) { return r == mg::Reach::yes ? "yes" : r == mg::Reach::no ? "no" : "unknown"; }

TEST(Reachability, FixturesMatchTheirMarks) {
  const fs::path root = fs::path(MODELGATE_SOURCE_DIR) / "tests/fixtures/reachability";
  int cases = 0, marks = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    ++cases;
    const std::string name = dir.path().filename().string();
    mg::Limits limits;
    auto snaps = mg::open_target(dir.path().string(), limits);
    ASSERT_TRUE(snaps) << name;
    const auto& snap = snaps->front();
    mg::LoadPlan plan = mg::build_load_plan(snap, limits);
    const auto reach = mg::compute_reachability(snap, plan, limits);
    for (const auto& f : snap.files) {
      if (f.path.size() < 3 || f.path.substr(f.path.size() - 3) != ".py") continue;
      std::ifstream in(f.abs_path);
      std::uint32_t line_no = 0;
      for (std::string line; std::getline(in, line);) {
        ++line_no;
        const auto mark = line.find("# reach: ");
        if (mark == std::string::npos) continue;
        const std::string want = line.substr(mark + 9);
        std::vector<std::string> path;
        const auto got = reach.classify(f.path, line_no, &path);
        EXPECT_EQ(want, name_of(got)) << name << "/" << f.path << ":" << line_no;
        if (got == mg::Reach::yes) {
          EXPECT_FALSE(path.empty()) << name << "/" << f.path << ":" << line_no;
        }
        ++marks;
      }
    }
    if (fs::exists(dir.path() / "expected_files")) {
      std::vector<std::string> want;
      std::ifstream in(dir.path() / "expected_files");
      for (std::string l; std::getline(in, l);) if (!l.empty()) want.push_back(l);
      std::vector<mg::Finding> none;
      mg::apply_reachability(reach, plan, none);
      EXPECT_EQ(plan.module_files, want) << name;
    }
  }
  EXPECT_GE(cases, 8);
  EXPECT_GE(marks, 30);
}

TEST(Reachability, PathStartsAtTheTrigger) {
  const fs::path dir = fs::path(MODELGATE_SOURCE_DIR) / "tests/fixtures/reachability/lazy-helper";
  mg::Limits limits;
  auto snaps = mg::open_target(dir.string(), limits);
  ASSERT_TRUE(snaps);
  const auto plan = mg::build_load_plan(snaps->front(), limits);
  const auto reach = mg::compute_reachability(snaps->front(), plan, limits);
  std::vector<std::string> path;
  ASSERT_EQ(reach.classify("helper.py", 5, &path), mg::Reach::yes);
  ASSERT_GE(path.size(), 3u);
  EXPECT_EQ(path.front(), "config.json:auto_map.AutoModel");
  EXPECT_EQ(path.back(), "helper.py:prepare");
}

TEST(Reachability, RequiredPackagesAreThirdPartyTopLevelImports) {
  const fs::path dir = fs::path(MODELGATE_SOURCE_DIR) / "examples/remote-code-model";
  mg::Limits limits;
  auto snaps = mg::open_target(dir.string(), limits);
  ASSERT_TRUE(snaps);
  const auto plan = mg::build_load_plan(snaps->front(), limits);
  EXPECT_EQ(mg::compute_reachability(snaps->front(), plan, limits).required_packages(), (std::vector<std::string>{"torch", "transformers"}));
}

}  // namespace

namespace {

TEST(Verdict, UnreachableCodeFindingsDoNotCountButMalwareSignaturesDo) {
  mg::Finding bandit;
  bandit.engine = "python";
  bandit.severity = mg::Severity::high;
  bandit.load_reachable = mg::Reach::no;
  mg::Finding shell = bandit;
  shell.engine = "yara";
  shell.severity = mg::Severity::critical;
  EXPECT_FALSE(mg::verdict_of({bandit}).has_value());
  EXPECT_EQ(mg::verdict_of({bandit, shell}), mg::Severity::high);  // one level down, still counted
  bandit.load_reachable = mg::Reach::unknown;
  EXPECT_EQ(mg::verdict_of({bandit}), mg::Severity::high);
}

}  // namespace
