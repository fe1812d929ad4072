// Cross-repository references made by load-time Python code (issue #12): extraction of the calls
// and their constant arguments, and the load-plan references and LD112 findings they become once
// reachability is known (fixtures: tests/fixtures/cross-repo-code, marked `# ref:`/`# ref!:`).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "engines/engine.hpp"
#include "pipeline/reachability_stage.hpp"
#include "pipeline/scan.hpp"
#include "platform/cross_repo_code.hpp"
#include "platform/load_plan.hpp"
#include "python/load_calls.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<mg::py::CrossRepoCall> calls_of(std::string_view src) {
  mg::py::Parser parser;
  return mg::py::read_cross_repo_calls(parser, src);
}

TEST(CrossRepoCalls, ConstantIdsRefsAndTrust) {
  const auto calls = calls_of(
      "import torch\n"
      "m = torch.hub.load('owner-a/repo-a:v1.2', 'entry')\n"
      "from transformers import AutoModel\n"
      "x = AutoModel.from_pretrained('org-b/name-b', trust_remote_code=True, revision='" + std::string(40, 'a') + "')\n"
      "y = AutoModel.from_pretrained(pretrained_model_name_or_path='org-c/name-c', trust_remote_code=flag)\n"
      "p = pipeline('text-classification', model='org-d/name-d', trust_remote_code=True)\n");
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].loader, "torch.hub");
  EXPECT_EQ(calls[0].repo, "owner-a/repo-a");
  EXPECT_EQ(calls[0].revision, "v1.2");
  EXPECT_EQ(calls[0].line, 2u);
  EXPECT_TRUE(calls[0].pulls_code());
  EXPECT_FALSE(calls[0].pinned());  // a tag can move
  EXPECT_EQ(mg::follow_target(calls[0]), "torchhub:owner-a/repo-a:v1.2");
  EXPECT_EQ(calls[1].loader, "transformers");
  EXPECT_TRUE(calls[1].trust_remote_code);
  EXPECT_TRUE(calls[1].pinned());
  EXPECT_EQ(mg::follow_target(calls[1]), "hf:org-b/name-b@" + std::string(40, 'a'));
  EXPECT_EQ(calls[2].repo, "org-c/name-c");
  EXPECT_FALSE(calls[2].trust_remote_code);
  EXPECT_TRUE(calls[2].trust_computed);
  EXPECT_EQ(calls[3].callee, "pipeline");
  EXPECT_EQ(calls[3].repo, "org-d/name-d");
}

// Calls are found from where their names occur in the text: every spelling of the callee chain,
// in source order with an enclosing call first, and never from strings, comments or longer names.
TEST(CrossRepoCalls, FoundWhereverTheCalleeIsSpelled) {
  const auto calls = calls_of(
      "# AutoModel.from_pretrained('org-z/in-comment', trust_remote_code=True)\n"
      "s = \"torch.hub.load('org-z/in-string', 'e')\"\n"
      "m = torch.hub . load('owner-a/repo-a', 'entry')\n"
      "x = AutoModel.from_pretrained(snapshot_download('org-b/name-b'), trust_remote_code=True)\n"
      "run(pipeline=make_pipeline('org-z/not-a-call'))\n"
      "y = super().from_pretrained('org-c/name-c', trust_remote_code=True)\n"
      "z = my_from_pretrained_x('org-z/longer-name')\n");
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].repo, "owner-a/repo-a");
  EXPECT_EQ(calls[0].loader, "torch.hub");
  EXPECT_EQ(calls[1].callee, "AutoModel.from_pretrained");
  EXPECT_EQ(calls[1].line, 4u);
  EXPECT_EQ(calls[2].repo, "org-b/name-b");
  EXPECT_EQ(calls[2].line, 4u);
  EXPECT_EQ(calls[3].repo, "org-c/name-c");
}

TEST(CrossRepoCalls, ComputedLocalAndWeightsOnly) {
  const auto calls = calls_of(
      "torch.hub.load(REPO, 'entry')\n"                              // computed, pulls code: recorded
      "torch.hub.load('./here', 'entry', source='local')\n"          // a directory: not another repository
      "AutoModel.from_pretrained(self.config.name_or_path)\n"        // computed weights: everywhere, not recorded
      "AutoModel.from_pretrained('bert-base-uncased')\n"             // not an org/name id
      "AutoModel.from_pretrained('../up/one')\n"                     // a path
      "AutoModel.from_pretrained('org/weights-only')\n"              // recorded, pulls no code
      "pipeline('text-generation')\n");                               // the task's default model
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(calls[0].computed);
  EXPECT_TRUE(calls[0].repo.empty());
  EXPECT_EQ(mg::follow_target(calls[0]), "");
  EXPECT_EQ(calls[1].repo, "org/weights-only");
  EXPECT_FALSE(calls[1].pulls_code());
}

TEST(CrossRepoCalls, ModelScopeNamesGoToModelScope) {
  const auto calls = calls_of(
      "from modelscope.pipelines import pipeline\n"
      "from modelscope.models import Model\n"
      "import modelscope as ms\n"
      "p = pipeline(task='x', model='damo/ms-one', trust_remote_code=True)\n"
      "m = Model.from_pretrained('damo/ms-two')\n"
      "d = ms.snapshot_download('damo/ms-three')\n");
  ASSERT_EQ(calls.size(), 3u);
  for (const auto& c : calls) EXPECT_EQ(c.loader, "modelscope") << c.callee;
  EXPECT_EQ(mg::follow_target(calls[0]), "ms:damo/ms-one");
}

TEST(CrossRepoCalls, IdShapes) {
  EXPECT_TRUE(mg::py::looks_like_repo_id("org/name.v2_x-y"));
  for (const char* bad : {"name", "/abs", "a/b/c", "org/", "../x", "a/..", "org/na me", "-x/y"}) {
    EXPECT_FALSE(mg::py::looks_like_repo_id(bad)) << bad;
  }
  EXPECT_FALSE(mg::py::may_call_other_repo("import os\nos.listdir('.')\n"));
  EXPECT_TRUE(calls_of("garbage ((( from_pretrained").empty());  // error recovery, no call
}

// Each fixture line marked `# ref: v` becomes a reference (trigger) with value v and no finding,
// `# ref!: v` a reference and an LD112 finding, `# ref: none` neither.
TEST(CrossRepoCode, FixturesMatchTheirMarks) {
  const fs::path root = fs::path(MODELGATE_SOURCE_DIR) / "tests/fixtures/cross-repo-code";
  int marks = 0;
  for (const char* name : {"hubconf-delegates", "nested-trust"}) {
    mg::Limits limits;
    auto snaps = mg::open_target((root / name).string(), limits);
    ASSERT_TRUE(snaps) << name;
    const auto& snap = snaps->front();
    mg::LoadPlan plan = mg::build_load_plan(snap, limits);
    const auto reach = mg::compute_reachability(snap, plan, limits);
    const std::size_t before = plan.triggers.size();
    std::vector<mg::Finding> findings;
    mg::add_cross_repo_code(snap, limits, nullptr, reach, plan, findings);
    std::map<std::pair<std::string, std::uint32_t>, const mg::Trigger*> refs;
    for (std::size_t i = before; i < plan.triggers.size(); ++i) refs[{plan.triggers[i].file, plan.triggers[i].line}] = &plan.triggers[i];
    std::map<std::pair<std::string, std::uint32_t>, const mg::Finding*> found;
    for (const auto& f : findings) found[{f.file, f.line}] = &f;
    std::size_t want_refs = 0, want_findings = 0;
    for (const auto& f : snap.files) {
      std::ifstream in(f.abs_path);
      std::uint32_t line_no = 0;
      for (std::string line; std::getline(in, line);) {
        ++line_no;
        const auto mark = line.find("# ref");
        if (mark == std::string::npos || line.find("# ref", mark + 1) != std::string::npos) continue;
        const bool flagged = line.compare(mark, 7, "# ref!:") == 0;
        const std::string want = line.substr(line.find(':', mark) + 2);
        ++marks;
        const auto r = refs.find({f.path, line_no});
        const auto g = found.find({f.path, line_no});
        if (want == "none") {
          EXPECT_EQ(r, refs.end()) << name << "/" << f.path << ":" << line_no;
          EXPECT_EQ(g, found.end()) << name << "/" << f.path << ":" << line_no;
          continue;
        }
        ++want_refs;
        ASSERT_NE(r, refs.end()) << name << "/" << f.path << ":" << line_no;
        EXPECT_EQ(r->second->value, want) << f.path << ":" << line_no;
        EXPECT_EQ(r->second->rule_id, flagged ? "LD112" : "") << f.path << ":" << line_no;
        if (want == "computed") EXPECT_TRUE(r->second->remote_repo.empty());
        else EXPECT_FALSE(r->second->remote_target.empty());
        EXPECT_EQ(g != found.end(), flagged) << name << "/" << f.path << ":" << line_no;
        if (flagged && g != found.end()) {
          EXPECT_EQ(g->second->rule_id, "LD112");
          EXPECT_NE(g->second->load_reachable, mg::Reach::no);
          EXPECT_EQ(g->second->severity, mg::Severity::high);
          ++want_findings;
        }
      }
    }
    EXPECT_EQ(plan.triggers.size() - before, want_refs) << name;
    EXPECT_EQ(findings.size(), want_findings) << name;
  }
  EXPECT_EQ(marks, 12);  // every mark of the fixtures was read
}

}  // namespace

namespace {

// (file, line, value, rule) of the references a scan added to the load plan.
std::set<std::tuple<std::string, std::uint32_t, std::string, std::string>> remote_refs(const mg::TargetReport& r) {
  std::set<std::tuple<std::string, std::uint32_t, std::string, std::string>> out;
  for (const auto& t : r.plan.triggers) {
    if (t.key.rfind("line ", 0) == 0) out.insert({t.file, t.line, t.value, t.rule_id});
  }
  return out;
}

}  // namespace

// The full scan reads the calls on the Python engine's own walk; without that engine it reads the
// files itself. Both must add the same references and LD112 findings.
TEST(CrossRepoCode, ScanFindsTheSameReferencesWithAndWithoutThePythonEngine) {
  const fs::path root = fs::path(MODELGATE_SOURCE_DIR) / "tests/fixtures/cross-repo-code";
  for (const char* name : {"hubconf-delegates", "nested-trust"}) {
    mg::Limits limits;
    auto snaps = mg::open_target((root / name).string(), limits);
    ASSERT_TRUE(snaps) << name;
    const auto& snap = snaps->front();
    const auto all = mg::make_builtin_engines();
    std::vector<std::unique_ptr<mg::Engine>> no_python;
    for (auto& e : mg::make_builtin_engines()) {
      if (e->name() != "python") no_python.push_back(std::move(e));
    }
    const mg::TargetReport with = mg::scan_snapshot(snap, all, limits, 1);
    const mg::TargetReport without = mg::scan_snapshot(snap, no_python, limits, 1);
    const auto refs = remote_refs(with);
    EXPECT_FALSE(refs.empty()) << name;
    EXPECT_EQ(refs, remote_refs(without)) << name;
    auto ld112 = [](const mg::TargetReport& r) {
      std::set<std::pair<std::string, std::uint32_t>> out;
      for (const auto& f : r.findings) {
        if (f.rule_id == "LD112") out.insert({f.file, f.line});
      }
      return out;
    };
    EXPECT_FALSE(ld112(with).empty()) << name;
    EXPECT_EQ(ld112(with), ld112(without)) << name;
  }
}
