// Archives inside a repository (issue 16): tars in every compression, .nemo checkpoints and 7z
// are opened by content and their members scanned like any file; what cannot be opened, or a
// bound stops, makes the target partial with the member named. Also CRC-broken and encrypted
// members (issue 11). Every archive is built here at run time; the malicious pickle is written
// opcode by opcode (GLOBAL os.system on a canary command) and nothing ever unpickles it.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/scan.hpp"
#include "platform/load_plan.hpp"
#include "source/archive.hpp"
#include "../support/temp_repo.hpp"

namespace {

using mg::test::TempRepo;

const std::string kCanary = "echo canary-modelgate";

// PROTO 2, GLOBAL os system, BINUNICODE canary, TUPLE1, REDUCE, STOP.
std::string evil_pickle() {
  std::string p = "\x80\x02" "cos\nsystem\nX";
  const auto n = static_cast<std::uint32_t>(kCanary.size());
  p += std::string{static_cast<char>(n & 0xFF), static_cast<char>((n >> 8) & 0xFF), '\0', '\0'};
  return p + kCanary + "\x85R.";
}
// {"a": 1}: PROTO 2, EMPTY_DICT, BINPUT, MARK, BINUNICODE "a", BININT1 1, SETITEMS, STOP.
const std::string kBenignPickle("\x80\x02}q\x00(X\x01\x00\x00\x00" "aK\x01u.", 16);

struct Entry {
  std::string name;
  std::string data;
  std::size_t zeros = 0;  // zero bytes appended (bombs, oversized members)
};

la_ssize_t append(archive*, void* out, const void* buf, std::size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// An archive in memory through libarchive: format ARCHIVE_FORMAT_*, filter ARCHIVE_FILTER_*.
std::string make_archive(int format, int filter, const std::vector<Entry>& entries) {
  std::string out;
  archive* a = archive_write_new();
  EXPECT_EQ(archive_write_set_format(a, format), ARCHIVE_OK);
  EXPECT_EQ(archive_write_add_filter(a, filter), ARCHIVE_OK);
  archive_write_set_bytes_in_last_block(a, 1);
  EXPECT_EQ(archive_write_open(a, &out, nullptr, append, nullptr), ARCHIVE_OK);
  const std::string chunk(1 << 20, '\0');
  for (const auto& m : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(m.data.size() + m.zeros));
    archive_write_header(a, e);
    archive_write_data(a, m.data.data(), m.data.size());
    for (std::size_t left = m.zeros; left > 0;) {
      const std::size_t n = std::min(left, chunk.size());
      archive_write_data(a, chunk.data(), n);
      left -= n;
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}
std::string tar(const std::vector<Entry>& e, int filter = ARCHIVE_FILTER_NONE) { return make_archive(ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, filter, e); }
std::string seven_zip(const std::vector<Entry>& e) { return make_archive(ARCHIVE_FORMAT_7ZIP, ARCHIVE_FILTER_NONE, e); }

void put16(std::string& s, unsigned v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

// A one-member stored zip, written by hand so the CRC and the flags can lie.
std::string stored_zip(const std::string& name, const std::string& data, bool break_crc, unsigned flags = 0) {
  std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  if (break_crc) crc ^= 0x5a5a5a5au;
  std::string z;
  put32(z, 0x04034b50);
  put16(z, 20);
  put16(z, flags);
  put16(z, 0);
  put32(z, 0);
  put32(z, crc);
  put32(z, static_cast<std::uint32_t>(data.size()));
  put32(z, static_cast<std::uint32_t>(data.size()));
  put16(z, static_cast<unsigned>(name.size()));
  put16(z, 0);
  z += name + data;
  const std::size_t cd = z.size();
  put32(z, 0x02014b50);
  put16(z, 20);
  put16(z, 20);
  put16(z, flags);
  put16(z, 0);
  put32(z, 0);
  put32(z, crc);
  put32(z, static_cast<std::uint32_t>(data.size()));
  put32(z, static_cast<std::uint32_t>(data.size()));
  put16(z, static_cast<unsigned>(name.size()));
  put16(z, 0);
  put16(z, 0);
  put16(z, 0);
  put16(z, 0);
  put32(z, 0);
  put32(z, 0);
  z += name;
  const std::size_t cd_size = z.size() - cd;
  put32(z, 0x06054b50);
  put16(z, 0);
  put16(z, 0);
  put16(z, 1);
  put16(z, 1);
  put32(z, static_cast<std::uint32_t>(cd_size));
  put32(z, static_cast<std::uint32_t>(cd));
  put16(z, 0);
  return z;
}

mg::TargetReport scan_path(const std::string& path, const mg::Limits& limits = {}) {
  mg::ScanOptions o;
  o.limits = limits;
  auto report = mg::scan({path}, o);
  EXPECT_EQ(report.targets.size(), 1u);
  return report.targets.at(0);
}

std::string describe(const mg::TargetReport& r) {
  std::string s;
  for (const auto& f : r.findings) s += "  " + f.rule_id + " " + f.file + ": " + f.message + "\n";
  for (const auto& i : r.incomplete) s += "  incomplete " + i.file + ": " + i.reason + "\n";
  for (const auto& d : r.plan.deserialization) s += "  deser " + d.file + " " + d.format + " (" + d.loader + ")\n";
  return s;
}

bool has_finding(const mg::TargetReport& r, std::string_view rule, std::string_view file) {
  return std::any_of(r.findings.begin(), r.findings.end(), [&](const mg::Finding& f) { return f.rule_id == rule && f.file == file; });
}
const mg::Finding* finding(const mg::TargetReport& r, std::string_view rule) {
  auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const mg::Finding& f) { return f.rule_id == rule; });
  return it == r.findings.end() ? nullptr : &*it;
}
bool has_reason(const mg::TargetReport& r, std::string_view file, std::string_view fragment) {
  return std::any_of(r.incomplete.begin(), r.incomplete.end(), [&](const mg::Incomplete& i) {
    return i.file == file && i.reason.find(fragment) != std::string::npos;
  });
}
const mg::DeserializationPoint* point(const mg::TargetReport& r, std::string_view file) {
  auto it = std::find_if(r.plan.deserialization.begin(), r.plan.deserialization.end(), [&](const auto& d) { return d.file == file; });
  return it == r.plan.deserialization.end() ? nullptr : &*it;
}

std::string nemo_config(const std::string& extra = "") {
  return "target: nemo.collections.asr.models.EncDecCTCModel\n"
         "sample_rate: 16000\n"
         "preprocessor:\n"
         "  _target_: nemo.collections.asr.modules.AudioToMelSpectrogramPreprocessor\n"
         "  window_size: 0.025\n" + extra;
}
std::string nemo(const std::string& weights, const std::string& extra = "", int filter = ARCHIVE_FILTER_GZIP) {
  return tar({{"./model_config.yaml", nemo_config(extra)}, {"./model_weights.ckpt", weights}}, filter);
}

struct Kind {
  const char* label;
  const char* file;  // names that do not say what the file is: detection is by content
  std::string (*make)(const std::string& pickle);
  const char* member;
};
const Kind kKinds[] = {
    {"tar", "bundle.dat", [](const std::string& p) { return tar({{"weights/model.bin", p}}); }, "bundle.dat!weights/model.bin"},
    {"tar.gz", "bundle.tgz", [](const std::string& p) { return tar({{"weights/model.bin", p}}, ARCHIVE_FILTER_GZIP); }, "bundle.tgz!weights/model.bin"},
    {"tar.bz2", "bundle.bin", [](const std::string& p) { return tar({{"model.bin", p}}, ARCHIVE_FILTER_BZIP2); }, "bundle.bin!model.bin"},
    {"tar.xz", "weights.tar.xz", [](const std::string& p) { return tar({{"model.bin", p}}, ARCHIVE_FILTER_XZ); }, "weights.tar.xz!model.bin"},
    {"tar.zst", "weights.tar.zst", [](const std::string& p) { return tar({{"model.bin", p}}, ARCHIVE_FILTER_ZSTD); }, "weights.tar.zst!model.bin"},
    {"7z", "weights.7z", [](const std::string& p) { return seven_zip({{"archive/model.bin", p}}); }, "weights.7z!archive/model.bin"},
    {"nemo (tar.gz)", "asr.nemo", [](const std::string& p) { return nemo(p); }, "asr.nemo!model_weights.ckpt"},
    {"nemo (tar)", "asr_plain.nemo", [](const std::string& p) { return nemo(p, "", ARCHIVE_FILTER_NONE); }, "asr_plain.nemo!model_weights.ckpt"},
};

TEST(NestedArchives, MaliciousPickleInsideEachContainerKindIsCritical) {
  for (const auto& k : kKinds) {
    TempRepo repo({{"README.md", "a model\n"}, {k.file, k.make(evil_pickle())}});
    const auto r = scan_path(repo.path());
    EXPECT_TRUE(has_finding(r, "SZ201", k.member)) << k.label << ":\n" << describe(r);
    ASSERT_TRUE(r.verdict.has_value()) << k.label;
    EXPECT_EQ(*r.verdict, mg::Severity::critical) << k.label;
    EXPECT_FALSE(r.partial()) << k.label << ":\n" << describe(r);
    const auto* d = point(r, k.member);
    ASSERT_NE(d, nullptr) << k.label << ":\n" << describe(r);
    EXPECT_EQ(d->format, "pickle");
  }
}

TEST(NestedArchives, BenignContainersAreCleanAndComplete) {
  for (const auto& k : kKinds) {
    TempRepo repo({{k.file, k.make(kBenignPickle)}});
    const auto r = scan_path(repo.path());
    EXPECT_FALSE(r.verdict.has_value()) << k.label << ":\n" << describe(r);
    EXPECT_TRUE(r.incomplete.empty()) << k.label << ":\n" << describe(r);
    EXPECT_NE(point(r, k.member), nullptr) << k.label << " member not analysed:\n" << describe(r);
    EXPECT_EQ(point(r, k.file), nullptr) << k.label << ": the archive itself is not a deserialization point";
  }
}

TEST(NestedArchives, ArchiveInsideArchiveIsOpenedToo) {
  const std::string inner = nemo(evil_pickle());
  TempRepo repo({{"release.tar.xz", tar({{"models/asr.nemo", inner}}, ARCHIVE_FILTER_XZ)}});
  const auto r = scan_path(repo.path());
  EXPECT_TRUE(has_finding(r, "SZ201", "release.tar.xz!models/asr.nemo!model_weights.ckpt")) << describe(r);
  EXPECT_FALSE(r.partial()) << describe(r);
}

TEST(NestedArchives, GzipThatIsNotATarStaysWhatItIs) {
  // joblib's gzip compression: a gzip stream holding a pickle, not an archive.
  std::string gz(256, '\0');
  uLongf n = static_cast<uLongf>(gz.size());
  z_stream zs{};
  deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
  const std::string p = evil_pickle();
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(p.data()));
  zs.avail_in = static_cast<uInt>(p.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = static_cast<uInt>(n);
  ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  TempRepo repo({{"model.joblib", gz}});
  const auto r = scan_path(repo.path());
  ASSERT_NE(point(r, "model.joblib"), nullptr) << describe(r);
  EXPECT_EQ(point(r, "model.joblib")->format, "joblib");
  EXPECT_TRUE(has_finding(r, "SZ201", "model.joblib")) << describe(r);
}

// ---------------------------------------------------------------- bounds

TEST(NestedArchives, BombInsideAFolderIsPartialWithTheMemberNamed) {
  TempRepo repo({{"weights.tar.gz", tar({{"blob.bin", "", 32u << 20}}, ARCHIVE_FILTER_GZIP)}});
  mg::Limits limits;
  limits.bomb_check_after_bytes = 4u << 20;
  limits.max_compression_ratio = 100;  // gzip tops out near 1030:1; a lower bar keeps the test small
  const auto r = scan_path(repo.path(), limits);
  EXPECT_TRUE(r.partial());
  EXPECT_TRUE(has_reason(r, "weights.tar.gz!blob.bin", "decompression bomb")) << describe(r);
}

TEST(NestedArchives, OversizedMemberAndTotalAreBounded) {
  TempRepo repo({{"a.tar", tar({{"big.bin", "", 3u << 20}, {"small.bin", kBenignPickle}})}});
  mg::Limits limits;
  limits.max_archive_member_bytes = 1u << 20;
  auto r = scan_path(repo.path(), limits);
  EXPECT_TRUE(has_reason(r, "a.tar!big.bin", "larger than 1 MiB")) << describe(r);
  EXPECT_NE(point(r, "a.tar!small.bin"), nullptr) << "later members are still read:\n" << describe(r);

  TempRepo two({{"a.tar", tar({{"one.bin", "", 600u << 10}})}, {"b.tar", tar({{"two.bin", "", 600u << 10}})}});
  limits = {};
  limits.max_archive_total_bytes = 1u << 20;  // one snapshot-wide budget, not one per archive
  r = scan_path(two.path(), limits);
  EXPECT_TRUE(has_reason(r, "b.tar!two.bin", "in all")) << describe(r);
}

TEST(NestedArchives, MemberCountIsBounded) {
  std::vector<Entry> many;
  for (int i = 0; i < 20; ++i) many.push_back({"f" + std::to_string(i), "x"});
  TempRepo repo({{"many.tar", tar(many)}});
  mg::Limits limits;
  limits.max_archive_members = 5;
  const auto r = scan_path(repo.path(), limits);
  EXPECT_TRUE(has_reason(r, "many.tar", "more than 5 members")) << describe(r);
}

TEST(NestedArchives, NestingDepthIsBounded) {
  const std::string inner = tar({{"model.bin", evil_pickle()}});
  const std::string mid = tar({{"inner.tar", inner}});
  TempRepo repo({{"outer.tar", tar({{"mid.tar", mid}})}});
  mg::Limits limits;
  limits.max_archive_depth = 2;
  const auto r = scan_path(repo.path(), limits);
  EXPECT_TRUE(has_reason(r, "outer.tar!mid.tar!inner.tar", "not opened")) << describe(r);
  EXPECT_TRUE(r.partial());
}

TEST(NestedArchives, UnreadableContainersAreNeverClean) {
  std::string noise;  // incompressible, so cutting the stream in half lands inside it
  for (std::uint32_t x = 1; noise.size() < 100000;) {
    x = x * 1664525u + 1013904223u;
    noise += static_cast<char>(x >> 24);
  }
  std::string truncated = tar({{"model.bin", evil_pickle()}, {"pad.bin", noise}}, ARCHIVE_FILTER_GZIP);
  truncated.resize(truncated.size() / 2);
  TempRepo repo({{"model.rar", std::string("Rar!\x1a\x07\x01\x00", 8) + std::string(64, '\x11')}, {"cut.tar.gz", truncated}});
  const auto r = scan_path(repo.path());
  EXPECT_TRUE(has_reason(r, "model.rar", "RAR")) << describe(r);
  EXPECT_TRUE(std::any_of(r.incomplete.begin(), r.incomplete.end(), [](const auto& i) { return i.file.rfind("cut.tar.gz", 0) == 0; }))
      << describe(r);
  EXPECT_TRUE(r.partial());
}

// ---------------------------------------------------------------- CRC and encryption (issue 11)

TEST(NestedArchives, CrcBrokenZipMemberReportsBothTheCrcAndThePickle) {
  const std::string zip = stored_zip("archive/data.pkl", evil_pickle(), true);
  {  // in a folder: the serialized engine reads it the way torch.load does
    TempRepo repo({{"model.zip", zip}});
    const auto r = scan_path(repo.path());
    EXPECT_NE(finding(r, "SZ302"), nullptr) << describe(r);
    EXPECT_NE(finding(r, "SZ201"), nullptr) << describe(r);
  }
  {  // as the target: the source reads it (and drops the common top folder)
    TempRepo dir;
    dir.write("bundle.zip", zip);
    const auto r = scan_path(dir.path("bundle.zip"));
    EXPECT_TRUE(has_finding(r, "SZ302", "data.pkl")) << describe(r);
    EXPECT_TRUE(has_finding(r, "SZ201", "data.pkl")) << describe(r);
    ASSERT_TRUE(r.verdict.has_value());
    EXPECT_EQ(*r.verdict, mg::Severity::critical);
  }
}

TEST(NestedArchives, EncryptedZipMemberIsPartialWithTheMemberNamed) {
  // Flag bit 0 and bytes that are no format: what ZipCrypto ciphertext looks like to a reader
  // without the password.
  std::string cipher;
  for (int i = 0; i < 256; ++i) cipher += static_cast<char>((i * 167 + 13) & 0xFF);
  const std::string zip = stored_zip("data.pkl", cipher, false, 0x1);
  {
    TempRepo repo({{"model.zip", zip}});
    const auto r = scan_path(repo.path());
    EXPECT_TRUE(has_reason(r, "model.zip", "data.pkl: member is encrypted")) << describe(r);
    EXPECT_TRUE(r.partial());
    // Really encrypted: the flag tells the truth, no header differential.
    EXPECT_EQ(finding(r, "SZ301"), nullptr) << describe(r);
  }
  {
    TempRepo dir;
    dir.write("bundle.zip", zip);
    const auto r = scan_path(dir.path("bundle.zip"));
    EXPECT_TRUE(has_reason(r, "data.pkl", "encrypted")) << describe(r);
    EXPECT_TRUE(r.partial());
  }
}

// Encrypted archives need a writer with encryption: p7zip (scripts/bootstrap installs it).
int run(const std::string& cmd) {
  const int status = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(NestedArchives, EncryptedSevenZipAndZipMadeBy7zAreNamedPartial) {
  ASSERT_EQ(run("command -v 7z"), 0) << "7z (p7zip-full) is missing; scripts/bootstrap --dev installs it";
  TempRepo work({{"src/model.bin", evil_pickle()}});
  TempRepo repo;
  ASSERT_EQ(run("cd " + work.path("src") + " && 7z a -pSECRET " + repo.path("weights.7z") + " model.bin"), 0);
  ASSERT_EQ(run("cd " + work.path("src") + " && 7z a -tzip -pSECRET " + repo.path("weights.zip") + " model.bin"), 0);
  const auto r = scan_path(repo.path());
  EXPECT_TRUE(has_reason(r, "weights.7z!model.bin", "encrypted")) << describe(r);
  EXPECT_TRUE(has_reason(r, "weights.zip", "model.bin: member is encrypted")) << describe(r);
  EXPECT_TRUE(r.partial());

  // The listing encrypted too: no member name to give, the archive is named.
  TempRepo hidden;
  ASSERT_EQ(run("cd " + work.path("src") + " && 7z a -mhe=on -pSECRET " + hidden.path("weights.7z") + " model.bin"), 0);
  const auto h = scan_path(hidden.path());
  EXPECT_TRUE(has_reason(h, "weights.7z", "encrypted")) << describe(h);
}

// ---------------------------------------------------------------- NeMo

TEST(NestedArchives, NemoCheckpointNamesItsLoaderAndClasses) {
  TempRepo repo({{"README.md", "NeMo ASR\n"}, {"stt_en_tiny.nemo", nemo(kBenignPickle)}});
  const auto r = scan_path(repo.path());
  const auto* d = point(r, "stt_en_tiny.nemo!model_weights.ckpt");
  ASSERT_NE(d, nullptr) << describe(r);
  EXPECT_NE(d->loader.find("NeMo restore_from"), std::string::npos) << d->loader;
  EXPECT_NE(d->loader.find("nemo.collections.asr.models.EncDecCTCModel"), std::string::npos) << d->loader;
  EXPECT_EQ(finding(r, "LD111"), nullptr) << describe(r);
  EXPECT_FALSE(r.plan.custom_code_required());
  EXPECT_FALSE(r.verdict.has_value()) << describe(r);
  EXPECT_FALSE(r.partial()) << describe(r);

  // The same checkpoint as the target itself.
  TempRepo dir;
  dir.write("stt_en_tiny.nemo", nemo(kBenignPickle));
  const auto t = scan_path(dir.path("stt_en_tiny.nemo"));
  ASSERT_NE(point(t, "model_weights.ckpt"), nullptr) << describe(t);
  EXPECT_NE(point(t, "model_weights.ckpt")->loader.find("NeMo restore_from"), std::string::npos);
}

TEST(NestedArchives, NemoTargetOutsideNemoIsReported) {
  TempRepo repo({{"custom.nemo", nemo(kBenignPickle, "decoder:\n  _target_: acme_asr.decoders.FastDecoder\n")}});
  const auto r = scan_path(repo.path());
  const auto* f = finding(r, "LD111");
  ASSERT_NE(f, nullptr) << describe(r);
  EXPECT_EQ(f->file, "custom.nemo!model_config.yaml");
  EXPECT_EQ(f->severity, mg::Severity::medium);
  EXPECT_NE(f->message.find("acme_asr.decoders.FastDecoder"), std::string::npos) << f->message;
  EXPECT_NE(f->message.find("outside the nemo package"), std::string::npos) << f->message;
  EXPECT_EQ(f->line, 7u);
  ASSERT_EQ(r.plan.triggers.size(), 1u);
  EXPECT_EQ(r.plan.triggers[0].key, "decoder._target_");
  EXPECT_EQ(r.plan.triggers[0].loader, "nemo");
}

TEST(NestedArchives, NemoTargetNamingACommandRunnerIsCritical) {
  const std::string extra = "trainer:\n  callbacks:\n    - _target_: os.system\n      _args_: ['" + kCanary + "']\n";
  TempRepo repo({{"asr.nemo", nemo(kBenignPickle, extra)}});
  const auto r = scan_path(repo.path());
  const auto* f = finding(r, "LD111");
  ASSERT_NE(f, nullptr) << describe(r);
  EXPECT_EQ(f->severity, mg::Severity::critical);
  EXPECT_NE(f->message.find("os.system"), std::string::npos) << f->message;
  ASSERT_TRUE(r.verdict.has_value());
  EXPECT_EQ(*r.verdict, mg::Severity::critical);
}

// ---------------------------------------------------------------- hostile bytes

// A cheap, deterministic cousin of fuzz/nested_archive_fuzzer.cpp: every kind of archive, cut
// short and with bytes flipped, goes through sniffing, opening and the load plan without a crash,
// and whatever it yields stays within the member bound.
TEST(NestedArchives, DamagedArchivesNeverCrash) {
  std::vector<std::string> seeds;
  for (const auto& k : kKinds) seeds.push_back(k.make(evil_pickle()));
  seeds.push_back(tar({{"inner.tar.gz", nemo(evil_pickle())}}, ARCHIVE_FILTER_BZIP2));
  mg::Limits limits;
  limits.max_archive_member_bytes = 1u << 20;
  limits.max_archive_total_bytes = 4u << 20;
  std::uint32_t x = 7;
  int runs = 0;
  for (const auto& seed : seeds) {
    for (int variant = 0; variant < 60; ++variant) {
      std::string bytes = seed;
      x = x * 1664525u + 1013904223u;
      if (variant % 3 == 0) bytes.resize(x % (bytes.size() + 1));
      for (int flips = variant % 5; flips > 0 && !bytes.empty(); --flips) {
        x = x * 1664525u + 1013904223u;
        bytes[x % bytes.size()] = static_cast<char>(x >> 24);
      }
      mg::Snapshot snap;
      snap.kind = "directory";
      snap.members.push_back(std::make_shared<mg::OwnedBlob>(std::vector<std::uint8_t>(bytes.begin(), bytes.end())));
      snap.files.push_back(mg::FileEntry{"model.nemo", bytes.size(), "", 0, {}, false});
      mg::open_nested_archives(snap, limits);
      (void)mg::build_load_plan(snap, limits);
      for (const auto& f : snap.files) EXPECT_LE(f.size, limits.max_archive_member_bytes);
      ++runs;
    }
  }
  EXPECT_EQ(runs, 60 * static_cast<int>(seeds.size()));
}

// ---------------------------------------------------------------- the binary's exit codes

int modelgate_exit(const std::string& args) { return run(std::string(MODELGATE_BINARY_DIR) + "/modelgate scan -q " + args); }

TEST(NestedArchives, ExitCodesFollowWhatIsInside) {
  TempRepo evil({{"asr.nemo", nemo(evil_pickle())}});
  EXPECT_EQ(modelgate_exit(evil.path()), 1);
  TempRepo benign({{"asr.nemo", nemo(kBenignPickle)}});
  EXPECT_EQ(modelgate_exit(benign.path()), 0);
  TempRepo rar({{"asr.rar", std::string("Rar!\x1a\x07\x00", 7) + std::string(64, '\x11')}});
  EXPECT_EQ(modelgate_exit(rar.path()), 2);
}

}  // namespace
