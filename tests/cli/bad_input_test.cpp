// Hostile and broken input: a clear reason, status partial where analysis could not complete,
// never a crash or a hang.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/text.hpp"
#include "pipeline/scan.hpp"
#include "report/report.hpp"
#include "../support/temp_repo.hpp"

namespace {

using mg::test::TempRepo;

mg::TargetReport scan_path(const std::string& path, const mg::Limits& limits = {}) {
  mg::ScanOptions o;
  o.limits = limits;
  auto report = mg::scan({path}, o);
  EXPECT_GE(report.targets.size(), 1u);
  return report.targets.at(0);
}

bool has_reason(const mg::TargetReport& r, std::string_view file, std::string_view fragment) {
  return std::any_of(r.incomplete.begin(), r.incomplete.end(), [&](const mg::Incomplete& i) {
    return i.file == file && i.reason.find(fragment) != std::string::npos;
  });
}

bool has_finding(const mg::TargetReport& r, std::string_view rule) {
  return std::any_of(r.findings.begin(), r.findings.end(), [&](const mg::Finding& f) { return f.rule_id == rule; });
}

// Writes an archive with libarchive: members as (name, content, symlink target).
struct Member {
  std::string name;
  std::string content;
  std::string link;
  std::size_t zeros = 0;  // extra zero bytes appended (for bombs)
};
void write_archive(const std::string& path, bool zip, const std::vector<Member>& members) {
  archive* a = archive_write_new();
  if (zip) archive_write_set_format_zip(a);
  else archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  const std::string chunk(1 << 20, '\0');
  for (const auto& m : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    if (!m.link.empty()) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, m.link.c_str());
      archive_entry_set_perm(e, 0777);
      archive_write_header(a, e);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(m.content.size() + m.zeros));
      archive_write_header(a, e);
      archive_write_data(a, m.content.data(), m.content.size());
      for (std::size_t left = m.zeros; left > 0;) {
        const std::size_t n = std::min(left, chunk.size());
        archive_write_data(a, chunk.data(), n);
        left -= n;
      }
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

TEST(BadInput, MissingTargetIsAnErrorNotClean) {
  auto r = scan_path("/nonexistent/modelgate-test-target");
  EXPECT_TRUE(r.partial());
  EXPECT_TRUE(has_reason(r, "", "No such file"));
}

TEST(BadInput, InvalidAndBinaryConfigJson) {
  TempRepo repo({{"config.json", "{\"auto_map\": {\"AutoModel\": "}, {"sub/tokenizer_config.json", std::string("\x00\x01\x02garbage", 10)}});
  auto r = scan_path(repo.path());
  EXPECT_TRUE(r.partial());
  EXPECT_TRUE(has_reason(r, "config.json", "invalid JSON"));
  EXPECT_TRUE(has_reason(r, "sub/tokenizer_config.json", "binary content"));
}

TEST(BadInput, JsonNestedHundredThousandDeep) {
  TempRepo repo({{"config.json", std::string(100000, '[') + std::string(100000, ']')}});
  auto r = scan_path(repo.path());
  EXPECT_TRUE(has_reason(r, "config.json", "nested deeper"));
}

TEST(BadInput, HugeConfigIsNotRead) {
  TempRepo repo;
  const std::string p = repo.path("config.json");
  const int fd = open(p.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 40ll << 20), 0);  // sparse: 40 MiB of zeros
  close(fd);
  auto r = scan_path(repo.path());
  EXPECT_TRUE(has_reason(r, "config.json", "larger than"));
}

TEST(BadInput, HugeSparseCheckpointCostsItsHeader) {
  TempRepo repo;
  const std::string p = repo.path("pytorch_model.bin");
  const int fd = open(p.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "\x80\x02}q\x00.", 6), 6);
  ASSERT_EQ(ftruncate(fd, 3ll << 30), 0);  // 3 GiB, nearly all hole
  close(fd);
  const auto start = std::chrono::steady_clock::now();
  auto r = scan_path(repo.path());
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.plan.deserialization.size(), 1u);
  EXPECT_EQ(r.plan.deserialization[0].format, "pickle");
  EXPECT_LT(seconds, 30.0);  // a generous bound against reading 3 GiB; the bench measures the real cost
}

TEST(BadInput, SymlinkLoopsAndBrokenLinks) {
  TempRepo repo({{"config.json", "{}"}});
  repo.symlink("b", "a");
  repo.symlink("a", "b");
  repo.symlink("missing-target", "dangling");
  repo.symlink("..", "sub/up");  // a directory loop back to the root
  auto r = scan_path(repo.path());
  EXPECT_TRUE(has_reason(r, "a", "loop"));
  EXPECT_TRUE(has_reason(r, "dangling", "broken"));
  EXPECT_TRUE(has_reason(r, "sub/up", "twice"));
}

TEST(BadInput, SymlinkOutOfRepositoryIsNotFollowed) {
  TempRepo outside({{"secret.txt", "token"}});
  TempRepo repo({{"config.json", "{}"}});
  repo.symlink(outside.path("secret.txt"), "tokenizer.json");
  auto r = scan_path(repo.path());
  EXPECT_TRUE(has_finding(r, "SR301"));
  EXPECT_FALSE(std::any_of(r.findings.begin(), r.findings.end(), [](const mg::Finding& f) { return f.file == "secret.txt"; }));
}

TEST(BadInput, FifoIsSkippedWithoutHanging) {
  TempRepo repo({{"config.json", "{}"}});
  ASSERT_EQ(mkfifo(repo.path("weights.bin").c_str(), 0644), 0);
  auto r = scan_path(repo.path());
  EXPECT_TRUE(has_reason(r, "weights.bin", "not a regular file"));
}

TEST(BadInput, NonUtf8NamesStayReadableInJson) {
  TempRepo repo({{std::string("caf\xE9.py"), "x = 1\n"}, {"config.json", "{}"}});
  mg::ScanOptions o;
  auto report = mg::scan({repo.path()}, o);
  ASSERT_EQ(report.targets.size(), 1u);
  const std::string json = mg::render_json(report, {});
  EXPECT_TRUE(mg::is_valid_utf8(json));
  const std::string sarif = mg::render_sarif(report, {});
  EXPECT_TRUE(mg::is_valid_utf8(sarif));
  EXPECT_EQ(mg::sanitize_utf8("caf\xE9.py"), "caf\\xE9.py");
}

TEST(BadInput, HundredThousandFileTree) {
  TempRepo repo;
  for (int d = 0; d < 100; ++d) {
    const std::string dir = repo.path("d" + std::to_string(d));
    std::filesystem::create_directories(dir);
    for (int f = 0; f < 1000; ++f) {
      const int fd = open((dir + "/f" + std::to_string(f) + ".txt").c_str(), O_CREAT | O_WRONLY, 0644);
      close(fd);
    }
  }
  auto full = scan_path(repo.path());
  EXPECT_FALSE(full.partial());
  mg::Limits small;
  small.max_files = 5000;
  auto capped = scan_path(repo.path(), small);
  EXPECT_TRUE(std::any_of(capped.incomplete.begin(), capped.incomplete.end(),
                          [](const mg::Incomplete& i) { return i.reason.find("file limit") != std::string::npos; }));
}

TEST(Archives, ZipIsReadInPlaceWithTraversalReported) {
  TempRepo dir;
  const std::string zip = dir.path("repo.zip");
  write_archive(zip, true, {{"repo-main/config.json", R"({"auto_map": {"AutoModel": "modeling_z.Z"}})", ""},
                            {"repo-main/modeling_z.py", "class Z:\n    pass\n", ""},
                            {"../../evil.py", "x = 1\n", ""},
                            {"/etc/cron.d/evil", "* * * * * root true\n", ""}});
  auto r = scan_path(zip);
  EXPECT_EQ(r.kind, "archive");
  ASSERT_EQ(r.plan.triggers.size(), 1u);  // the single top folder is the repository root
  EXPECT_EQ(r.plan.triggers[0].module, "modeling_z.py");
  int traversal = 0;
  for (const auto& f : r.findings) traversal += f.rule_id == "SR302";
  EXPECT_EQ(traversal, 2);
  EXPECT_FALSE(std::filesystem::exists(dir.path("../../evil.py")));
}

TEST(Archives, TarLinkOutsideArchive) {
  TempRepo dir;
  const std::string tar = dir.path("model.tar");
  write_archive(tar, false, {{"model_config.yaml", "a: 1\n", ""}, {"tokenizer.json", "", "/etc/passwd"}, {"ok.json", "", "model_config.yaml"}});
  auto r = scan_path(tar);
  int links = 0;
  for (const auto& f : r.findings) links += f.rule_id == "SR303";
  EXPECT_EQ(links, 1);
}

TEST(Archives, ZipBombStopsWithAReason) {
  TempRepo dir;
  const std::string zip = dir.path("bomb.zip");
  write_archive(zip, true, {{"weights.bin", "", "", 64u << 20}});
  mg::Limits limits;
  limits.bomb_check_after_bytes = 4u << 20;
  limits.max_compression_ratio = 100;
  auto r = scan_path(zip, limits);
  EXPECT_TRUE(r.partial());
  EXPECT_TRUE(has_reason(r, "weights.bin", "decompression bomb"));
}

TEST(Archives, OversizedMemberIsReported) {
  TempRepo dir;
  const std::string zip = dir.path("big.zip");
  write_archive(zip, true, {{"a.bin", "", "", 3u << 20}});
  mg::Limits limits;
  limits.max_archive_member_bytes = 1u << 20;
  auto r = scan_path(zip, limits);
  EXPECT_TRUE(has_reason(r, "a.bin", "member larger than"));
}

TEST(Archives, CorruptArchiveIsPartial) {
  TempRepo dir({{"broken.zip", "PK\x03\x04 this is not really a zip"}});
  auto r = scan_path(dir.path("broken.zip"));
  EXPECT_TRUE(r.partial());
}

TEST(Caches, HuggingFaceCacheResolvesRefsAndBlobs) {
  TempRepo cache;
  const std::string sha = "0123456789abcdef0123456789abcdef01234567";
  const std::string repo = "models--example-org--tiny";
  cache.write(repo + "/refs/main", sha + "\n");
  cache.write(repo + "/blobs/aaa", R"({"auto_map": {"AutoModel": "modeling_t.T"}})");
  cache.write(repo + "/blobs/bbb", "class T:\n    pass\n");
  cache.symlink("../../blobs/aaa", repo + "/snapshots/" + sha + "/config.json");
  cache.symlink("../../blobs/bbb", repo + "/snapshots/" + sha + "/modeling_t.py");
  cache.symlink("/etc/hostname", repo + "/snapshots/" + sha + "/escape.txt");
  cache.write(repo + "/snapshots/ffffffffffffffffffffffffffffffffffffffff/config.json", "{}");  // stale snapshot, not refs/main

  for (const std::string& target : {cache.path(repo), cache.path(), cache.path(repo + "/snapshots/" + sha)}) {
    mg::ScanOptions o;
    auto report = mg::scan({target}, o);
    ASSERT_EQ(report.targets.size(), 1u) << target;
    const auto& r = report.targets[0];
    EXPECT_EQ(r.kind, "hf-cache");
    EXPECT_EQ(r.repo_id, "example-org/tiny");
    EXPECT_EQ(r.revision, sha);
    EXPECT_EQ(r.plan.platform, "huggingface");
    ASSERT_EQ(r.plan.triggers.size(), 1u);
    EXPECT_EQ(r.plan.module_files, std::vector<std::string>{"modeling_t.py"});
    EXPECT_TRUE(has_finding(r, "SR301"));
  }
}

TEST(Caches, TorchHubRootExpandsToRepositories) {
  TempRepo hub({{"trusted_list", "owner_repo\n"},
                {"owner_repo_main/hubconf.py", "def model():\n    pass\n"},
                {"other_thing_v1/hubconf.py", "def net():\n    pass\n"},
                {"checkpoints/resnet-abcdef12.pth", std::string("\x80\x02}q\x00.", 6) + "        "}});
  mg::ScanOptions o;
  auto report = mg::scan({hub.path()}, o);
  ASSERT_EQ(report.targets.size(), 3u);
  int with_trigger = 0;
  for (const auto& t : report.targets) {
    EXPECT_EQ(t.kind, "torchhub-cache");
    with_trigger += t.plan.triggers.size() == 1;
  }
  EXPECT_EQ(with_trigger, 2);
}

TEST(Caches, ModelScopeCacheRoot) {
  TempRepo ms({{"models/iic/tiny/configuration.json", R"({"framework": "pytorch", "allow_remote": true})"},
               {"models/iic/tiny/model.py", "x = 1\n"},
               {"models/iic/tiny/.mdl", std::string("\x80\x02}q\x00.", 6) + "        "},
               {"models/someone/other/configuration.json", R"({"framework": "pytorch"})"}});
  mg::ScanOptions o;
  auto report = mg::scan({ms.path()}, o);
  ASSERT_EQ(report.targets.size(), 2u);
  const auto& iic = report.targets[0].repo_id == "iic/tiny" ? report.targets[0] : report.targets[1];
  EXPECT_EQ(iic.kind, "modelscope-cache");
  EXPECT_EQ(iic.plan.platform, "modelscope");
  EXPECT_TRUE(has_finding(iic, "LD104"));
  EXPECT_TRUE(has_finding(iic, "LD106"));
  EXPECT_TRUE(std::any_of(iic.plan.deserialization.begin(), iic.plan.deserialization.end(),
                          [](const mg::DeserializationPoint& d) { return d.file == ".mdl" && d.format == "pickle"; }));
}

}  // namespace
