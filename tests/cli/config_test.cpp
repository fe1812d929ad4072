// The configuration file (docs/configuration.md) as a user relies on it: found by walking up,
// pyproject's [tool.modelgate], command line over file over defaults, errors with file:line:column
// and exit 2, rule selection, per-file ignores and the pickle allow-list.
#include <gtest/gtest.h>

#include <filesystem>

#include "../support/run_command.hpp"
#include "../support/temp_repo.hpp"
#include "cli/config.hpp"

namespace {

using Run = mg::test::CommandRun;

// Runs modelgate with `args` from the folder `cwd` (configuration discovery starts there).
Run modelgate_in(const std::string& cwd, const std::string& args) {
  return mg::test::run_command("cd '" + cwd + "' && " + std::string(MODELGATE_BINARY_DIR) + "/modelgate " + args);
}

const std::string kExamples = std::string(MODELGATE_SOURCE_DIR) + "/examples/";
const std::string kHighExample = kExamples + "cross-repo-auto-map";  // exit 1 at the default fail-on (high)

// A project folder: a git root holding the configuration, a nested folder to run from.
struct Project {
  mg::test::TempRepo root;
  Project(const std::string& file, const std::string& text) {
    root.write(".git/HEAD", "ref: refs/heads/main\n");
    root.write(file, text);
    root.write("sub/deeper/.keep", "");
  }
  std::string deep() const { return root.path("sub/deeper"); }
};

TEST(ConfigDiscovery, WalksUpToTheFileAndStopsAtTheRepositoryRoot) {
  Project project("modelgate.toml", "fail-on = \"none\"\n");
  const auto found = mg::config::discover_config(project.deep());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->filename(), "modelgate.toml");
  EXPECT_EQ(std::filesystem::canonical(*found), std::filesystem::canonical(project.root.path("modelgate.toml")));

  // A file above the .git folder's parent is not the project's: the walk stops at the root.
  mg::test::TempRepo outer;
  outer.write("modelgate.toml", "fail-on = \"none\"\n");
  outer.write("repo/.git/HEAD", "x\n");
  outer.write("repo/src/.keep", "");
  EXPECT_FALSE(mg::config::discover_config(outer.path("repo/src")).has_value());
  // Without a .git it goes on to the filesystem root and finds it.
  outer.write("plain/src/.keep", "");
  EXPECT_TRUE(mg::config::discover_config(outer.path("plain/src")).has_value());
}

TEST(ConfigDiscovery, TheDiscoveredFileChangesTheExitCode) {
  Project project("modelgate.toml", "fail-on = \"none\"\n");
  EXPECT_EQ(modelgate_in(project.deep(), "scan -q " + kHighExample).code, 0);
  EXPECT_EQ(modelgate_in(project.deep(), "scan -q --no-config " + kHighExample).code, 1);
  EXPECT_EQ(modelgate_in(project.deep(), "scan -q --isolated " + kHighExample).code, 1);
}

TEST(ConfigDiscovery, PyprojectToolModelgate) {
  Project project("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.modelgate]\nfail-on = \"none\"\n\n[tool.ruff]\nline-length = 99\n");
  EXPECT_EQ(modelgate_in(project.deep(), "scan -q " + kHighExample).code, 0);
  // A pyproject.toml without the table is someone else's file: skipped, defaults apply.
  Project other("pyproject.toml", "[project]\nname = \"x\"\n[tool.black]\nline-length = 99\n");
  EXPECT_EQ(modelgate_in(other.deep(), "scan -q " + kHighExample).code, 1);
  // --config names a pyproject.toml directly.
  EXPECT_EQ(modelgate_in(other.deep(), "scan -q --config " + project.root.path("pyproject.toml") + " " + kHighExample).code, 0);
}

TEST(ConfigPrecedence, CommandLineOverFileOverDefaults) {
  Project project("modelgate.toml", "fail-on = \"none\"\nformat = \"json\"\nengines = [\"config\"]\n");
  const auto from_file = modelgate_in(project.deep(), "scan -q " + kExamples + "malicious-remote-code");
  EXPECT_EQ(from_file.code, 0);                                          // fail-on from the file
  EXPECT_NE(from_file.out.find("\"targets\": ["), std::string::npos);    // format from the file
  EXPECT_EQ(from_file.out.find("\"engine\": \"python\""), std::string::npos);  // engines from the file

  const auto cli = modelgate_in(project.deep(), "scan -q --fail-on high -f sarif --engines python " + kExamples + "malicious-remote-code");
  EXPECT_EQ(cli.code, 1);
  EXPECT_NE(cli.out.find("\"version\": \"2.1.0\""), std::string::npos);
  EXPECT_NE(cli.out.find("\"ruleId\": \"PY"), std::string::npos);

  const auto defaults = modelgate_in(project.deep(), "scan -q --no-config " + kExamples + "malicious-remote-code");
  EXPECT_EQ(defaults.code, 1);
  EXPECT_NE(defaults.out.find("CRITICAL"), std::string::npos);  // text
}

TEST(ConfigErrors, UnknownKeyIsExitTwoWithFileLineColumn) {
  Project project("modelgate.toml", "fail-on = \"high\"\n\nfail_on = \"low\"\n");
  const auto r = modelgate_in(project.deep(), "scan -q " + kHighExample);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("modelgate.toml:3:1: unknown key 'fail_on'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'fail-on'"), std::string::npos) << r.err;  // the hint
  EXPECT_TRUE(r.out.empty());
}

TEST(ConfigErrors, BadValuesAreExitTwoWithTheirPlace) {
  const std::pair<std::string, std::string> cases[] = {
      {"jobs = \"four\"\n", "modelgate.toml:1:8: 'jobs' must be an integer"},
      {"fail-on = \"severe\"\n", "modelgate.toml:1:11: 'fail-on' is 'severe'"},
      {"\nselect = [\"PY\", \"ZZ9\"]\n", "modelgate.toml:2:17: 'ZZ9' names no rule"},
      {"pickle-allow = [\"os.*\"]\n", "modelgate.toml:1:17: pickle-allow entry 'os.*' is not a named callable"},
      {"[limits]\nmax-files = 0\n", "modelgate.toml:2:13: 'limits.max-files' is 0"},
      {"[limits]\nmax-rows = 3\n", "modelgate.toml:2:1: unknown limit 'max-rows'"},
      {"engines = [\"python\", 3]\n", "modelgate.toml:1:22:"},
      {"fail-on = \n", "modelgate.toml:1:"},  // not TOML at all
  };
  for (const auto& [text, expected] : cases) {
    Project project("modelgate.toml", text);
    const auto r = modelgate_in(project.deep(), "scan -q " + kHighExample);
    EXPECT_EQ(r.code, 2) << text;
    EXPECT_NE(r.err.find(expected), std::string::npos) << text << " -> " << r.err;
  }
  // A missing --config file and a wrong [tool.modelgate] type.
  Project project("pyproject.toml", "[tool]\nmodelgate = 3\n");
  EXPECT_EQ(modelgate_in(project.deep(), "scan -q --config " + project.root.path("nope.toml") + " " + kHighExample).code, 2);
  const auto r = modelgate_in(project.deep(), "scan -q --config " + project.root.path("pyproject.toml") + " " + kHighExample);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("pyproject.toml:2:13: tool.modelgate must be a table"), std::string::npos) << r.err;
}

bool has_rule(const std::string& out, const std::string& id) { return out.find("\"rule_id\": \"" + id) != std::string::npos; }

TEST(ConfigRules, SelectAndIgnoreByIdAndPrefix) {
  const std::string target = kExamples + "malicious-remote-code";
  Project all("modelgate.toml", "format = \"json\"\n");
  const auto base = modelgate_in(all.deep(), "scan -q " + target);
  ASSERT_TRUE(has_rule(base.out, "BH1") && has_rule(base.out, "PY955") && has_rule(base.out, "YR"));

  Project ignore_family("modelgate.toml", "format = \"json\"\nignore = [\"BH\", \"PY955\"]\n");
  const auto ignored = modelgate_in(ignore_family.deep(), "scan -q " + target);
  EXPECT_FALSE(has_rule(ignored.out, "BH"));
  EXPECT_FALSE(has_rule(ignored.out, "PY955"));
  EXPECT_TRUE(has_rule(ignored.out, "PY952"));
  EXPECT_TRUE(has_rule(ignored.out, "YR"));

  Project select_family("modelgate.toml", "format = \"json\"\nselect = [\"YR\"]\n");
  const auto selected = modelgate_in(select_family.deep(), "scan -q " + target);
  EXPECT_TRUE(has_rule(selected.out, "YR"));
  EXPECT_FALSE(has_rule(selected.out, "PY"));
  EXPECT_FALSE(has_rule(selected.out, "BH"));
  // The command line replaces the file's list.
  const auto cli = modelgate_in(select_family.deep(), "scan -q --select BH1 " + target);
  EXPECT_TRUE(has_rule(cli.out, "BH1"));
  EXPECT_FALSE(has_rule(cli.out, "YR"));
  EXPECT_EQ(modelgate_in(select_family.deep(), "scan -q --ignore QQ " + target).code, 2);
}

TEST(ConfigRules, IgnoringEverythingDangerousChangesTheVerdictAndExitCode) {
  Project project("modelgate.toml", "select = [\"LD\"]\n");  // the triggers only: medium at most
  EXPECT_EQ(modelgate_in(project.deep(), "scan -q " + kExamples + "malicious-remote-code").code, 0);
  const auto json = modelgate_in(project.deep(), "scan -q -f json " + kExamples + "malicious-remote-code");
  EXPECT_EQ(json.out.find("\"verdict\": \"critical\""), std::string::npos);
}

TEST(ConfigRules, PerFileIgnoresByGlob) {
  mg::test::TempRepo target;
  const std::string code = "import subprocess\nsubprocess.call('ls ' + input(), shell=True)\n";
  target.write("tests/unit/test_a.py", code);
  target.write("tools/b.py", code);
  target.write("c.py", code);
  Project project("modelgate.toml", "format = \"json\"\n[per-file-ignores]\n\"tests/**\" = [\"PY\", \"BH\"]\n\"c.py\" = [\"PY6\", \"PY404\"]\n");
  const auto r = modelgate_in(project.deep(), "scan -q --fail-on none " + target.path());
  EXPECT_EQ(r.out.find("\"file\": \"tests/unit/test_a.py\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"file\": \"tools/b.py\""), std::string::npos);
  const auto plain = modelgate_in(project.deep(), "scan -q --no-config -f json --fail-on none " + target.path());
  EXPECT_NE(plain.out.find("\"file\": \"tests/unit/test_a.py\""), std::string::npos);
  // c.py keeps what the glob's rules do not name, loses what they do.
  std::size_t c_plain = 0, c_cfg = 0;
  for (std::size_t at = 0; (at = plain.out.find("\"file\": \"c.py\"", at)) != std::string::npos; ++at) ++c_plain;
  for (std::size_t at = 0; (at = r.out.find("\"file\": \"c.py\"", at)) != std::string::npos; ++at) ++c_cfg;
  EXPECT_GT(c_plain, c_cfg);
}

TEST(ConfigGlob, Semantics) {
  using mg::config::glob_match;
  EXPECT_TRUE(glob_match("tests/**", "tests/a.py"));
  EXPECT_TRUE(glob_match("tests/**", "tests/x/y/a.py"));
  EXPECT_FALSE(glob_match("tests/**", "src/tests.py"));
  EXPECT_TRUE(glob_match("**/test_*.py", "test_a.py"));
  EXPECT_TRUE(glob_match("**/test_*.py", "a/b/test_a.py"));
  EXPECT_FALSE(glob_match("src/*.py", "src/a/b.py"));
  EXPECT_TRUE(glob_match("src/*.py", "src/b.py"));
  EXPECT_TRUE(glob_match("*.pkl", "deep/dir/w.pkl"));  // no '/': the file name in any folder
  EXPECT_TRUE(glob_match("model_[0-9].bin", "model_3.bin"));
  EXPECT_FALSE(glob_match("model_[!0-9].bin", "model_3.bin"));
  EXPECT_TRUE(glob_match("./src/?.py", "src/a.py"));
  // Pathological patterns stay bounded.
  std::string many;
  for (int i = 0; i < 40; ++i) many += "**/a/";
  EXPECT_FALSE(glob_match(many + "b", std::string(200, 'a')));
}

TEST(ConfigPickle, AllowListAdditionChangesTheFindingAndWarnsWhenDangerous) {
  mg::test::TempRepo target;
  target.write("weights.pkl", std::string("\x80\x02" "cmypkg.layers\nBlock\n)\x81.", 25));
  target.write("evil.pkl", std::string("\x80\x02" "cos\nsystem\nX\x02\x00\x00\x00idq\x00\x85R.", 28));
  Project plain("modelgate.toml", "format = \"json\"\nfail-on = \"none\"\n");
  const auto before = modelgate_in(plain.deep(), "scan -q " + target.path());
  ASSERT_TRUE(has_rule(before.out, "SZ202")) << before.out;
  ASSERT_TRUE(has_rule(before.out, "SZ201"));

  Project allowed("modelgate.toml", "format = \"json\"\nfail-on = \"none\"\npickle-allow = [\"mypkg.layers.Block\", \"os.system\"]\n");
  const auto after = modelgate_in(allowed.deep(), "scan -q " + target.path());
  EXPECT_FALSE(has_rule(after.out, "SZ202")) << after.out;
  EXPECT_TRUE(has_rule(after.out, "SZ201"));  // the denylist wins
  EXPECT_NE(after.err.find("modelgate.toml:3:39: pickle-allow entry 'os.system' is dangerous"), std::string::npos) << after.err;
  EXPECT_EQ(after.err.find("mypkg"), std::string::npos);  // no warning for the harmless one
}

TEST(ConfigLimits, AppliesNamedLimits) {
  auto c = mg::config::parse_config("[limits]\nmax-files = 7\nyara-timeout-seconds = 3\n", "/x/modelgate.toml", false);
  ASSERT_TRUE(c.ok()) << c.error().message;
  mg::Limits limits;
  mg::config::apply_limits(c->scan, limits);
  EXPECT_EQ(limits.max_files, 7u);
  EXPECT_EQ(limits.yara_timeout_seconds, 3);
  EXPECT_EQ(limits.max_json_depth, mg::Limits{}.max_json_depth);
}

TEST(ConfigPaths, RelativePathsAreTheFilesFolders) {
  auto c = mg::config::parse_config("yara-rules = [\"rules/extra\"]\nbaseline = \"../bl.json\"\n", "/proj/sub/modelgate.toml", false);
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->scan.yara_rules.size(), 1u);
  EXPECT_EQ(c->scan.yara_rules[0], "/proj/sub/rules/extra");
  EXPECT_EQ(*c->scan.baseline, "/proj/bl.json");
}

TEST(ConfigLimits, TheFileLimitReachesTheScan) {
  Project project("modelgate.toml", "[limits]\nmax-files = 1\n");
  const auto r = modelgate_in(project.deep(), "scan -q " + kExamples + "malicious-remote-code");
  EXPECT_EQ(r.code, 2);  // more files than the limit: partial
}

}  // namespace
