#include <gtest/gtest.h>

#include "core/finding.hpp"
#include "core/json_writer.hpp"
#include "core/rule.hpp"
#include "core/text.hpp"

namespace {

TEST(Text, Utf8Sanitizing) {
  EXPECT_TRUE(mg::is_valid_utf8("plain ascii"));
  EXPECT_TRUE(mg::is_valid_utf8("caf\xC3\xA9"));
  EXPECT_FALSE(mg::is_valid_utf8("caf\xE9"));
  EXPECT_FALSE(mg::is_valid_utf8("\xC0\xAF"));      // overlong '/'
  EXPECT_FALSE(mg::is_valid_utf8("\xED\xA0\x80"));  // surrogate
  EXPECT_EQ(mg::sanitize_utf8("a\xFF" "b"), "a\\xFFb");
}

TEST(Text, NormalizeRelative) {
  std::string out;
  EXPECT_TRUE(mg::normalize_relative("a/./b/../c.py", out));
  EXPECT_EQ(out, "a/c.py");
  EXPECT_FALSE(mg::normalize_relative("../x", out));
  EXPECT_FALSE(mg::normalize_relative("a/../../x", out));
}

TEST(JsonWriter, EscapesAndNests) {
  mg::JsonWriter w(false);
  w.begin_object().key("s").value("q\"\\\n\x01").key("n").null().key("a").begin_array().value(1).value(true).end_array().end_object();
  EXPECT_EQ(w.str(), R"({"s":"q\"\\\n\u0001","n":null,"a":[1,true]})");
}

TEST(Rules, EveryEmbeddedRuleParses) {
  const auto& reg = mg::RuleRegistry::builtin();
  EXPECT_TRUE(reg.problems().empty()) << (reg.problems().empty() ? "" : reg.problems().front());
  EXPECT_GE(reg.all().size(), 15u);
  for (const auto& r : reg.all()) {
    EXPECT_NE(r.doc.find("## What it flags"), std::string::npos) << r.id;
    EXPECT_NE(r.doc.find("## Why it matters when loading a model"), std::string::npos) << r.id;
    EXPECT_NE(r.doc.find("## Example"), std::string::npos) << r.id;
    EXPECT_NE(r.doc.find("## What to do instead"), std::string::npos) << r.id;
    EXPECT_FALSE(r.cwe.empty()) << r.id;
  }
}

TEST(Rules, FrontMatterErrorsAreReported) {
  std::string problem;
  EXPECT_FALSE(mg::RuleRegistry::parse("rules/x/AB001-s/README.md", "no front matter", problem));
  EXPECT_FALSE(mg::RuleRegistry::parse("rules/x/AB001-s/README.md", "---\nid: AB001\nslug: s\n---\n", problem));
  EXPECT_FALSE(mg::RuleRegistry::parse("rules/x/AB001-other/README.md",
                                       "---\nid: AB001\nslug: s\nsummary: x\nengine: load\nseverity: low\nconfidence: low\n---\nbody", problem));
  EXPECT_NE(problem.find("folder should be named"), std::string::npos);
  auto ok = mg::RuleRegistry::parse("rules/x/AB001-s/README.md",
                                    "---\nid: AB001\nslug: s\nsummary: x\nengine: load\nseverity: high\nconfidence: low\ncwe: 22, 59\nbandit: -\n---\nbody",
                                    problem);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->cwe, (std::vector<int>{22, 59}));
  EXPECT_EQ(ok->severity, mg::Severity::high);
  EXPECT_TRUE(ok->equivalents.bandit.empty());
}

TEST(Findings, FingerprintsAreStableAndDistinct) {
  auto make = [](std::uint32_t line) {
    mg::Finding f;
    f.rule_id = "LD101";
    f.file = "config.json";
    f.snippet = "\"AutoModel\": \"m.M\"";
    f.line = line;
    return f;
  };
  std::vector<mg::Finding> a{make(3), make(9)};
  std::vector<mg::Finding> b{make(40), make(41)};  // same content, moved lines
  mg::finalize_fingerprints(a);
  mg::finalize_fingerprints(b);
  EXPECT_EQ(a[0].fingerprint, b[0].fingerprint);
  EXPECT_NE(a[0].fingerprint, a[1].fingerprint);
  EXPECT_EQ(a[0].fingerprint.size(), 32u);
}

}  // namespace
