// Benign corpus for the behaviour rules (PY95x): no high or critical finding on the machine's
// CPython standard library or on the benign bundled examples.
#include <gtest/gtest.h>

#include <filesystem>

#include "engines/python/python_engine.hpp"
#include "platform/load_plan.hpp"

namespace fs = std::filesystem;

namespace {

std::size_t loud_behaviour_findings(const std::string& target) {
  const mg::Limits limits;
  auto snaps = mg::open_target(target, limits);
  if (!snaps) {
    ADD_FAILURE() << target << ": " << snaps.error().message;
    return 0;
  }
  std::size_t loud = 0;
  auto engine = mg::make_python_engine();
  for (const auto& snap : *snaps) {
    const mg::LoadPlan plan = mg::build_load_plan(snap, limits);
    mg::EngineOutput out;
    engine->run({snap, plan, limits}, out);
    for (const auto& f : out.findings) {
      if (f.rule_id.rfind("PY95", 0) != 0 || f.severity < mg::Severity::high) continue;
      ++loud;
      ADD_FAILURE() << target << "/" << f.file << ":" << f.line << ": " << f.rule_id << " on benign code: " << f.snippet;
    }
  }
  return loud;
}

TEST(BehaviourCorpus, CPythonStdlibIsQuiet) {
  const std::string stdlib = "/usr/lib/python3.11";
  if (!fs::is_directory(stdlib)) GTEST_SKIP() << stdlib << " not on this machine";
  EXPECT_EQ(loud_behaviour_findings(stdlib), 0u);
}

TEST(BehaviourCorpus, BenignExamplesAreQuiet) {
  for (const auto& e : fs::directory_iterator(fs::path(MODELGATE_SOURCE_DIR) / "examples")) {
    if (!e.is_directory() || e.path().filename().string().rfind("malicious-", 0) == 0) continue;
    EXPECT_EQ(loud_behaviour_findings(e.path().string()), 0u) << e.path();
  }
}

}  // namespace
