// Suppression comments, partial files, Python 2 sources and the engine over a snapshot.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <span>

#include "engines/python/analyzer.hpp"
#include "engines/python/python_engine.hpp"

namespace fs = std::filesystem;

namespace {

// These tests pin Bandit-parity behaviour; the behaviour rules (PY95x) that also fire on some of
// the snippets (module-level processes and requests) have their own cases in rules/python.
bool behaviour_rule(std::string_view id) { return id.rfind("PY95", 0) == 0; }

std::span<const mg::py::RuleSpec* const> checks_under_test() {
  static const std::vector<const mg::py::RuleSpec*> rules = [] {
    std::vector<const mg::py::RuleSpec*> out;
    for (const auto* r : mg::py::builtin_python_rules()) {
      if (!behaviour_rule(r->id)) out.push_back(r);
    }
    return out;
  }();
  return rules;
}

std::vector<std::pair<std::string, std::uint32_t>> run(const std::string& src, const mg::py::AnalyzerOptions& o = {}) {
  static const mg::py::Analyzer analyzer(checks_under_test());
  mg::py::Parser parser;
  const auto r = analyzer.analyse("t.py", src, parser, o);
  std::vector<std::pair<std::string, std::uint32_t>> out;
  for (const auto& f : r.findings) out.emplace_back(f.rule_id, f.line);
  std::sort(out.begin(), out.end());
  return out;
}

using Hits = std::vector<std::pair<std::string, std::uint32_t>>;

TEST(PythonSuppression, ParsesCommentForms) {
  bool all = false;
  std::vector<std::string> ids;
  EXPECT_TRUE(mg::py::parse_suppression("# nosec", all, ids));
  EXPECT_TRUE(all);
  EXPECT_TRUE(mg::py::parse_suppression("#nosec B602, B607", all, ids));
  EXPECT_FALSE(all);
  EXPECT_EQ(ids, (std::vector<std::string>{"B602", "B607"}));
  EXPECT_TRUE(mg::py::parse_suppression("# nosec: b602 -- reviewed", all, ids));
  EXPECT_EQ(ids, std::vector<std::string>{"B602"});
  EXPECT_TRUE(mg::py::parse_suppression("# modelgate: ignore[PY602,PY607]", all, ids));
  EXPECT_EQ(ids, (std::vector<std::string>{"PY602", "PY607"}));
  EXPECT_TRUE(mg::py::parse_suppression("# modelgate: ignore", all, ids));
  EXPECT_TRUE(all);
  EXPECT_FALSE(mg::py::parse_suppression("# this is not a nosecurity marker", all, ids));
  EXPECT_FALSE(mg::py::parse_suppression("# TODO: ignore this", all, ids));
}

TEST(PythonSuppression, BanditSemantics) {
  const std::string head = "import subprocess  # nosec\n";
  // Blanket nosec drops everything on the line.
  EXPECT_EQ(run(head + "subprocess.Popen('ls', shell=True)  # nosec\n"), Hits{});
  // Listed ids drop only those checks.
  EXPECT_EQ(run(head + "subprocess.Popen('ls', shell=True)  # nosec B602\n"), (Hits{{"PY607", 2}}));
  EXPECT_EQ(run(head + "subprocess.Popen('ls', shell=True)  # nosec B602, B607\n"), Hits{});
  // Our own ids and syntax.
  EXPECT_EQ(run(head + "subprocess.Popen('ls', shell=True)  # modelgate: ignore[PY607]\n"), (Hits{{"PY602", 2}}));
  // A comment on the closing line of a multi-line call covers the call.
  EXPECT_EQ(run(head + "subprocess.Popen(\n    cmd,\n    shell=True)  # nosec\n"), Hits{});
  // A nosec inside a string is not a comment.
  EXPECT_EQ(run("x = eval('1  # nosec')\n"), (Hits{{"PY307", 1}}));
  // Suppressions can be switched off (a repository's author writes its comments).
  mg::py::AnalyzerOptions strict;
  strict.honor_suppressions = false;
  EXPECT_EQ(run("x = eval(s)  # nosec\n", strict), (Hits{{"PY307", 1}, {"PY901", 1}}));
}

TEST(PythonAnalyzer, FindingsOutsideErrorNodesAndPartialFiles) {
  static const mg::py::Analyzer analyzer(checks_under_test());
  mg::py::Parser parser;
  // A small syntax error: the rest is analysed and the file is complete.
  std::string src = "import os\nos.system(cmd)\n";
  for (int i = 0; i < 60; ++i) src += "x" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  src += "def broken(:\n    pass\n";
  auto r = analyzer.analyse("a.py", src, parser);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].rule_id, "PY605");
  EXPECT_EQ(r.findings[0].snippet, "os.system(cmd)");
  EXPECT_FALSE(r.incomplete.has_value());
  // Mostly garbage: partial.
  r = analyzer.analyse("b.py", "import os\nos.system(cmd)\n)))) ((( $$$ ?? ]]]] @@@ !!! ``` \n", parser);
  EXPECT_TRUE(r.incomplete.has_value());
}

TEST(PythonAnalyzer, Python2File) {
  const std::string src =
      "import os, urllib2\nprint 'downloading'\ndata = urllib2.urlopen(url).read()\nexec data\n"
      "try:\n    os.system('rm -rf ' + d)\nexcept Exception, e:\n    pass\n";
  static const mg::py::Analyzer analyzer(checks_under_test());
  mg::py::Parser parser;
  const auto r = analyzer.analyse("py2.py", src, parser);
  EXPECT_FALSE(r.incomplete.has_value());
  std::vector<std::string> ids;
  for (const auto& f : r.findings) ids.push_back(f.rule_id + ":" + std::to_string(f.line));
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"PY102:4", "PY110:7", "PY310:3", "PY605:6", "PY901:4"}));
}

TEST(PythonAnalyzer, NodeBudgetMakesFileIncomplete) {
  static const mg::py::Analyzer analyzer(checks_under_test());
  mg::py::Parser parser;
  mg::py::AnalyzerOptions o;
  o.max_nodes = 10;
  const auto r = analyzer.analyse("c.py", "import os\nos.system(a)\nos.system(b)\nos.system(c)\n", parser, o);
  EXPECT_TRUE(r.incomplete.has_value());
}

TEST(PythonAnalyzer, TreeMemoryBudgetMakesFileIncomplete) {
  // ~400 KB of calls: a syntax tree of tens of MiB, over a 4 MiB budget.
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "os.system(cmd_" + std::to_string(i) + ")\n";
  static const mg::py::Analyzer analyzer(checks_under_test());
  mg::py::Parser parser;
  mg::py::AnalyzerOptions o;
  o.max_tree_bytes = 4u << 20;
  const auto r = analyzer.analyse("big.py", big, parser, o);
  if (mg::py::Parser::enforces_memory_budget()) {
    ASSERT_TRUE(r.incomplete.has_value());
    EXPECT_NE(r.incomplete->find("more than 4 MiB"), std::string::npos) << *r.incomplete;
    EXPECT_TRUE(r.findings.empty());
  } else {
    EXPECT_FALSE(r.incomplete.has_value());  // heap parsing (sanitizer builds) has no budget
  }
  // The same parser parses the next file normally.
  const auto small = analyzer.analyse("s.py", "import os\nos.system(cmd)\n", parser, o);
  EXPECT_FALSE(small.incomplete.has_value());
  EXPECT_EQ(small.findings.size(), 1u);
}

TEST(PythonAnalyzer, HostileInputsDoNotCrash) {
  static const mg::py::Analyzer analyzer(checks_under_test());
  mg::py::Parser parser;
  std::string deep = "x = ";
  for (int i = 0; i < 50000; ++i) deep += "[";
  analyzer.analyse("d.py", deep, parser);
  std::string chain = "y = a";
  for (int i = 0; i < 50000; ++i) chain += ".b";
  chain += "()\n";
  analyzer.analyse("e.py", chain, parser);
  std::string concat = "z = 'a'";
  for (int i = 0; i < 20000; ++i) concat += " + 'a'";
  concat += "\nexec(z)\n";
  analyzer.analyse("f.py", concat, parser);
  analyzer.analyse("g.py", std::string("\0\xff\xfe import os", 14), parser);
  // Heuristics must stay linear on huge literals and identifiers.
  std::string sql = "q = '";
  for (int i = 0; i < 200000; ++i) sql += "select ";
  sql += "' % x\n";
  std::string name(300000, 'a');
  sql += "pass_" + name + "_word = 'x'\n";
  const auto t0 = std::chrono::steady_clock::now();
  analyzer.analyse("h.py", sql, parser);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
  SUCCEED();
}

TEST(PythonEngine, SnapshotFilesReachabilityAndIncomplete) {
  const fs::path dir = fs::temp_directory_path() / "modelgate-python-engine-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "pkg");
  std::ofstream(dir / "modeling_x.py") << "import os\nos.system(cmd)\n";
  std::ofstream(dir / "pkg" / "util.py") << "import pickle\npickle.loads(b)\n";
  std::ofstream(dir / "broken.py") << ")))) ((( $$$ ?? ]]]] @@@ !!! ```\n";
  std::ofstream(dir / "notes.txt") << "os.system(x)\n";
  mg::Limits limits;
  auto snaps = mg::open_target(dir.string(), limits);
  ASSERT_TRUE(snaps.ok()) << snaps.error().message;
  ASSERT_EQ(snaps->size(), 1u);
  mg::LoadPlan plan;
  plan.module_files = {"modeling_x.py"};
  mg::EngineContext ctx{snaps->front(), plan, limits};
  mg::EngineOutput out;
  mg::make_python_engine()->run(ctx, out);
  std::vector<std::string> got;
  for (const auto& f : out.findings) {
    if (behaviour_rule(f.rule_id)) continue;
    got.push_back(f.file + ":" + f.rule_id + ":" + (f.load_reachable == mg::Reach::yes ? "yes" : "unknown"));
  }
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"modeling_x.py:PY605:yes", "pkg/util.py:PY301:unknown", "pkg/util.py:PY403:unknown"}));
  ASSERT_EQ(out.incomplete.size(), 1u);
  EXPECT_EQ(out.incomplete[0].file, "broken.py");
  fs::remove_all(dir);
}

}  // namespace
