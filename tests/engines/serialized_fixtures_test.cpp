// The bypass regression suite: every sample of tests/fixtures/serialized/MANIFEST (one per bypass of
// model-formats.md §3, built by tools/make_serialized_fixtures.py) must raise the rules listed for
// it; the real benign checkpoints must produce nothing at all, not even an incomplete.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/limits.hpp"
#include "engines/serialized/serialized_engine.hpp"
#include "platform/load_plan.hpp"
#include "source/snapshot.hpp"

namespace fs = std::filesystem;

namespace mg {
namespace {

const fs::path kRoot = fs::path(MODELGATE_SOURCE_DIR) / "tests/fixtures/serialized";

struct Outcome {
  std::set<std::string> rules;
  std::vector<std::string> descriptions;
  std::vector<Incomplete> incomplete;
  std::vector<std::string> analysed;
  std::size_t findings = 0;
};

Outcome run_engine(const fs::path& target) {
  Outcome o;
  Limits limits;
  auto snaps = open_target(target.string(), limits);
  if (!snaps || snaps->empty()) {
    o.incomplete.push_back({target.string(), "cannot open"});
    return o;
  }
  auto engine = make_serialized_engine();
  for (const auto& snap : *snaps) {
    const LoadPlan plan = build_load_plan(snap, limits);
    EngineOutput out;
    engine->run(EngineContext{snap, plan, limits}, out);
    for (const auto& f : out.findings) {
      o.rules.insert(f.rule_id);
      o.descriptions.push_back(f.rule_id + " " + f.file + ": " + f.message + " [" + f.snippet + "]");
    }
    o.findings += out.findings.size();
    o.analysed.insert(o.analysed.end(), out.analysed_files.begin(), out.analysed_files.end());
    o.incomplete.insert(o.incomplete.end(), out.incomplete.begin(), out.incomplete.end());
  }
  return o;
}

std::string describe(const Outcome& o) {
  std::string s;
  for (const auto& d : o.descriptions) s += "  " + d + "\n";
  for (const auto& i : o.incomplete) s += "  incomplete " + i.file + ": " + i.reason + "\n";
  return s;
}

struct Case {
  std::string path;
  std::string expect;
};

std::vector<Case> manifest() {
  std::vector<Case> cases;
  std::ifstream in(kRoot / "MANIFEST");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    Case c;
    ls >> c.path >> c.expect;
    cases.push_back(c);
  }
  return cases;
}

TEST(SerializedFixtures, ManifestIsThere) { EXPECT_GE(manifest().size(), 150u); }

TEST(SerializedFixtures, EveryBypassIsCaughtAndBenignIsClean) {
  int caught = 0, clean = 0;
  for (const auto& c : manifest()) {
    // Samples that are one file of a repository layout (tokenizer_config.json) run as that folder.
    fs::path target = kRoot / c.path;
    const auto base = target.filename().string();
    if (base == "tokenizer_config.json" || base == "chat_template.jinja") target = target.parent_path();
    const Outcome o = run_engine(target);
    if (std::getenv("MODELGATE_DUMP_FIXTURES")) std::printf("%s %s\n%s", c.path.c_str(), c.expect.c_str(), describe(o).c_str());
    if (c.expect == "clean") {
      // Clean must mean analysed, not skipped (template files are no deserialization point).
      const bool template_file = base.ends_with(".json") || base.ends_with(".yaml") || base.ends_with(".jinja");
      if (!template_file && base.find("png") == std::string::npos) {
        EXPECT_FALSE(o.analysed.empty()) << c.path << " was not analysed";
      }
      EXPECT_EQ(o.findings, 0u) << c.path << " should be clean:\n" << describe(o);
      EXPECT_TRUE(o.incomplete.empty()) << c.path << " should be complete:\n" << describe(o);
      ++clean;
      continue;
    }
    if (c.expect == "incomplete") {  // unreadable as the format it claims: partial, never clean
      EXPECT_FALSE(o.incomplete.empty()) << c.path << " should be partial:\n" << describe(o);
      continue;
    }
    std::stringstream ids(c.expect);
    std::string id;
    while (std::getline(ids, id, ',')) {
      EXPECT_TRUE(o.rules.count(id)) << c.path << " should raise " << id << ":\n" << describe(o);
    }
    ++caught;
  }
  EXPECT_GE(caught, 140);
  EXPECT_GE(clean, 22);
}

// An HDF5 failure names the attribute and the JSON error, not a config.json the file does not have.
TEST(SerializedFixtures, BrokenHdf5ConfigNamesTheAttribute) {
  const Outcome o = run_engine(kRoot / "f/F08c-h5-config-not-json.h5");
  ASSERT_EQ(o.incomplete.size(), 1u) << describe(o);
  const std::string& why = o.incomplete[0].reason;
  EXPECT_NE(why.find("HDF5 attribute 'model_config' of '/'"), std::string::npos) << why;
  EXPECT_NE(why.find("is not valid JSON (parse error at line 1"), std::string::npos) << why;
  EXPECT_EQ(why.find("config.json"), std::string::npos) << why;
}

// A 7z container (nullifAI, C5) whose member is not named like a pickle; written at test time
// through libarchive because Debian has no 7z writer for the generator.
TEST(SerializedFixtures, SevenZipMemberIsScannedByContent) {
  std::ifstream evil_in(kRoot / "c/C06-plain-pickle.bin", std::ios::binary);
  const std::string evil((std::istreambuf_iterator<char>(evil_in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(evil.empty());
  std::vector<char> buf(1 << 20);
  std::size_t used = 0;
  archive* a = archive_write_new();
  ASSERT_EQ(archive_write_set_format_7zip(a), ARCHIVE_OK);
  ASSERT_EQ(archive_write_open_memory(a, buf.data(), buf.size(), &used), ARCHIVE_OK);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "archive/model.bin");
  archive_entry_set_size(e, static_cast<la_int64_t>(evil.size()));
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
  ASSERT_EQ(archive_write_data(a, evil.data(), evil.size()), static_cast<la_ssize_t>(evil.size()));
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  const fs::path dir = fs::temp_directory_path() / "modelgate-7z-test";
  fs::create_directories(dir);
  const fs::path file = dir / "model.7z";
  std::ofstream(file, std::ios::binary).write(buf.data(), static_cast<std::streamsize>(used));
  const Outcome o = run_engine(file);
  EXPECT_TRUE(o.rules.count("SZ201")) << describe(o);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mg
