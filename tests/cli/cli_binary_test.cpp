// The modelgate binary as users script it: exit codes, formats, --output, rules and explain.
#include <gtest/gtest.h>

#include <filesystem>

#include "../support/run_command.hpp"
#include "../support/temp_repo.hpp"

namespace {

using Run = mg::test::CommandRun;

Run modelgate(const std::string& args) { return mg::test::run_command(std::string(MODELGATE_BINARY_DIR) + "/modelgate " + args); }

const std::string kExamples = std::string(MODELGATE_SOURCE_DIR) + "/examples/";

// Needs remote code (a medium trigger) and nothing else.
mg::test::TempRepo benign_remote_code() {
  return mg::test::TempRepo({{"config.json", R"({"auto_map": {"AutoModel": "modeling_b.B"}})"}, {"modeling_b.py", "class B:\n    pass\n"}});
}

TEST(Cli, ExitZeroWhenNothingReachesFailOn) {
  const auto repo = benign_remote_code();
  EXPECT_EQ(modelgate("scan -q " + repo.path()).code, 0);  // medium < default high
}

TEST(Cli, ExitOneWhenAFindingReachesFailOn) {
  const auto repo = benign_remote_code();
  EXPECT_EQ(modelgate("scan -q " + kExamples + "cross-repo-auto-map").code, 1);
  EXPECT_EQ(modelgate("scan -q --fail-on medium " + repo.path()).code, 1);
  EXPECT_EQ(modelgate("scan -q --fail-on none " + kExamples + "cross-repo-auto-map").code, 0);
}

TEST(Cli, ExitTwoWhenAnalysisIsIncomplete) {
  mg::test::TempRepo repo({{"config.json", "{ not json"}});
  EXPECT_EQ(modelgate("scan -q " + repo.path()).code, 2);
  EXPECT_EQ(modelgate("scan -q /nonexistent/modelgate-target").code, 2);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(modelgate("scan").code, 2);
  EXPECT_EQ(modelgate("scan --format xml " + kExamples + "remote-code-model").code, 2);
  EXPECT_EQ(modelgate("frobnicate").code, 2);
  EXPECT_EQ(modelgate("explain NO999").code, 2);
}

TEST(Cli, OutputFileAndFormats) {
  mg::test::TempRepo dir;
  const std::string out = dir.path("report.json");
  const auto r = modelgate("scan -q --format json --output " + out + " " + kExamples + "cross-repo-auto-map");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(mg::test::slurp(out).find("\"rule_id\": \"LD102\""), std::string::npos);
  EXPECT_NE(modelgate("scan -q -f sarif " + kExamples + "cross-repo-auto-map").out.find("\"version\": \"2.1.0\""), std::string::npos);
}

TEST(Cli, TextHasNoColourWhenPiped) {
  const auto r = modelgate("scan -q " + kExamples + "cross-repo-auto-map");
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
  EXPECT_NE(r.out.find("HIGH (2)"), std::string::npos);
}

TEST(Cli, RulesAndExplain) {
  const auto rules = modelgate("rules");
  EXPECT_EQ(rules.code, 0);
  EXPECT_NE(rules.out.find("LD102"), std::string::npos);
  const auto explain = modelgate("explain LD102");
  EXPECT_EQ(explain.code, 0);
  EXPECT_NE(explain.out.find("## What to do instead"), std::string::npos);
  EXPECT_NE(explain.out.find("CWE-494"), std::string::npos);
}

}  // namespace

namespace {

TEST(Cli, UserYaraRules) {
  mg::test::TempRepo rules({{"mine.yar", "rule Canary_String {\n  meta:\n    id = \"ORG001\"\n    severity = \"high\"\n    cwe = \"506\"\n"
                                         "    description = \"Our canary\"\n  strings:\n    $a = \"modelgate-user-canary\"\n  condition:\n    $a\n}\n"},
                            {"broken/bad.yar", "rule Broken {\n  strings:\n    $a = \"x\"\n  condition:\n    $b\n}\n"}});
  mg::test::TempRepo repo({{"helper.py", "MARK = 'modelgate-user-canary'\n"}});
  // helper.py never runs at load: the high signature counts one level lower (medium).
  const auto ok = modelgate("scan -q --fail-on medium -f json --yara-rules " + rules.path("mine.yar") + " " + repo.path());
  EXPECT_EQ(ok.code, 1);
  EXPECT_NE(ok.out.find("\"rule_id\": \"ORG001\""), std::string::npos);
  const auto broken = modelgate("scan -q --yara-rules " + rules.path("broken") + " " + repo.path());
  EXPECT_EQ(broken.code, 2);
  const std::string& err = broken.err;
  EXPECT_NE(err.find("bad.yar:"), std::string::npos) << err;
  EXPECT_NE(err.find("undefined string"), std::string::npos) << err;
}

}  // namespace

namespace {

TEST(Cli, IgnoreSuppressions) {
  mg::test::TempRepo repo({{"config.json", R"({"auto_map": {"AutoModel": "modeling_n.N"}})"},
                           {"modeling_n.py", "import os\nos.system(cmd)  # nosec\nclass N:\n    pass\n"}});
  EXPECT_EQ(modelgate("scan -q -f json " + repo.path()).out.find("\"PY605\""), std::string::npos);
  EXPECT_NE(modelgate("scan -q -f json --ignore-suppressions " + repo.path()).out.find("\"PY605\""), std::string::npos);
}

TEST(Cli, EngineSelection) {
  // malicious-remote-code: Python and YARA findings; with --engines python only the Python ones
  // (and the load plan's triggers, which are not an engine's).
  const std::string all = modelgate("scan -q -f json " + kExamples + "malicious-remote-code").out;
  const std::string py = modelgate("scan -q -f json --engines python " + kExamples + "malicious-remote-code").out;
  EXPECT_NE(all.find("\"engine\": \"yara\""), std::string::npos);
  EXPECT_EQ(py.find("\"engine\": \"yara\""), std::string::npos);
  EXPECT_NE(py.find("\"engine\": \"python\""), std::string::npos);
  // A pickle no selected engine reads is not clean: the report is partial (exit 2).
  EXPECT_EQ(modelgate("scan -q --fail-on none --engines python " + kExamples + "malicious-pickle").code, 2);
  EXPECT_EQ(modelgate("scan -q --fail-on none --engines python,serialized " + kExamples + "malicious-pickle").code, 0);
  EXPECT_EQ(modelgate("scan -q --engines pyhton " + kExamples + "malicious-pickle").code, 2);
}

}  // namespace
