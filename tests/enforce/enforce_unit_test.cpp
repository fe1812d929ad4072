// The enforcement library below the CLI: lockfile parsing and drift, OMS statements (shards,
// BLAKE2b, the v0.1 compat predicate), the spec's enumeration rules, DSSE PAE and base64.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <filesystem>
#include <set>
#include <string>

#include "../support/temp_repo.hpp"
#include "core/json_writer.hpp"
#include "enforce/digest.hpp"
#include "enforce/lockfile.hpp"
#include "enforce/oms.hpp"

namespace {

namespace oms = mg::enforce::oms;
using mg::enforce::DigestAlgo;
using mg::enforce::DigestItem;

std::string digest(std::string_view bytes, const EVP_MD* md = EVP_sha256()) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

// A statement with the given resources, serialized the way the reference tool does (shard_size
// as a float), with a consistent subject digest.
std::string statement(const std::string& method, const std::string& hash, const std::vector<oms::Resource>& resources,
                      const std::string& shard_size = "1000000000.0") {
  std::string all;
  for (const auto& r : resources) all += r.digest;
  std::string s = R"({"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"m","digest":{"sha256":")" +
                  mg::enforce::to_hex(digest(all)) + R"("}}],"predicateType":"https://model_signing/signature/v1.0",)" +
                  R"("predicate":{"serialization":{"method":")" + method + R"(","hash_type":")" + hash +
                  R"(","allow_symlinks":false)" + (method == "shards" ? ",\"shard_size\":" + shard_size : std::string()) +
                  R"(,"ignore_paths":["skip-me"]},"resources":[)";
  for (std::size_t i = 0; i < resources.size(); ++i) {
    s += (i ? "," : "") + std::string(R"({"name":")") + resources[i].name + R"(","algorithm":")" + resources[i].algorithm +
         R"(","digest":")" + mg::enforce::to_hex(resources[i].digest) + "\"}";
  }
  return s + "]}}";
}

DigestItem on_disk(std::string path, std::uint64_t offset = 0, std::uint64_t length = ~std::uint64_t{0}) {
  DigestItem item;
  item.abs_path = std::move(path);
  item.offset = offset;
  item.length = length;
  return item;
}

TEST(Digest, WholeFilesAndRangesOnSeveralThreads) {
  std::string big(20 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  mg::test::TempRepo repo({{"big.bin", big}, {"small.txt", "hello"}, {"empty", ""}});
  std::vector<DigestItem> items = {on_disk(repo.path("big.bin")), on_disk(repo.path("small.txt")), on_disk(repo.path("empty")),
                                   on_disk(repo.path("big.bin"), 1000, 9 << 20), on_disk(repo.path("missing"))};
  const auto d = mg::enforce::digest_all(items, DigestAlgo::sha256, 3);
  ASSERT_TRUE(d[0] && d[1] && d[2] && d[3]);
  EXPECT_EQ(*d[0], digest(big));
  EXPECT_EQ(*d[1], digest("hello"));
  EXPECT_EQ(*d[2], digest(""));
  EXPECT_EQ(*d[3], digest(std::string_view(big).substr(1000, 9 << 20)));
  EXPECT_FALSE(d[4]);
  const auto b = mg::enforce::digest_all({on_disk(repo.path("small.txt"))}, DigestAlgo::blake2b, 1);
  EXPECT_EQ(*b[0], digest("hello", EVP_blake2b512()));
}

TEST(Base64AndPae, MatchTheSpecs) {
  EXPECT_EQ(oms::base64_encode("hello!?"), "aGVsbG8hPw==");
  EXPECT_EQ(*oms::base64_decode("aGVsbG8hPw=="), "hello!?");
  EXPECT_EQ(*oms::base64_decode("aGVsbG8hPw"), "hello!?");
  EXPECT_FALSE(oms::base64_decode("a$=="));
  EXPECT_FALSE(oms::base64_decode("a"));
  // DSSE protocol: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
  EXPECT_EQ(oms::pae("application/vnd.in-toto+json", "{}"), "DSSEv1 28 application/vnd.in-toto+json 2 {}");
}

TEST(Statement, ShardsWithAFloatShardSizeAndBlake2b) {
  mg::test::TempRepo repo({{"w.bin", "0123456789abcdefghijklmnopqrstu"}, {"skip-me/x", "ignored"}, {"a/b.txt", "B"}});
  // 31 bytes in shards of 10: [0,10) [10,20) [20,30) [30,31).
  std::vector<oms::Resource> res = {{"a/b.txt:0:1", "blake2b", digest("B", EVP_blake2b512())}};
  const std::string w = "0123456789abcdefghijklmnopqrstu";
  for (std::size_t s = 0; s < w.size(); s += 10) {
    const std::size_t e = std::min(w.size(), s + 10);
    res.push_back({"w.bin:" + std::to_string(s) + ":" + std::to_string(e), "blake2b-sharded-10", digest(w.substr(s, e - s), EVP_blake2b512())});
  }
  auto st = oms::parse_statement(statement("shards", "blake2b", res, "10.0"));
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->shard_size, 10u);
  auto mism = oms::compare_manifest(*st, repo.path(), "");
  ASSERT_TRUE(mism) << mism.error().message;
  EXPECT_TRUE(mism->empty()) << (*mism)[0].kind << " " << (*mism)[0].name;
  repo.write("w.bin", "0123456789abcdefghijKlmnopqrstu");
  repo.write("new.txt", "n");
  mism = oms::compare_manifest(*st, repo.path(), "");
  ASSERT_TRUE(mism);
  ASSERT_EQ(mism->size(), 2u);
  EXPECT_EQ((*mism)[0].kind, "extra");
  EXPECT_EQ((*mism)[0].name, "new.txt:0:1");
  EXPECT_EQ((*mism)[1].kind, "changed");
  EXPECT_EQ((*mism)[1].name, "w.bin:20:30");
}

TEST(Statement, RejectsWhatTheSpecForbids) {
  const std::vector<oms::Resource> one = {{"a", "sha256", digest("a")}};
  EXPECT_TRUE(oms::parse_statement(statement("files", "sha256", one)));
  EXPECT_FALSE(oms::parse_statement(statement("files", "md5", one)));
  EXPECT_FALSE(oms::parse_statement(statement("tree", "sha256", one)));
  EXPECT_FALSE(oms::parse_statement(statement("shards", "sha256", one, "10.5")));
  EXPECT_FALSE(oms::parse_statement(statement("shards", "sha256", one, "0")));
  EXPECT_FALSE(oms::parse_statement(statement("files", "sha256", {{"a", "sha256", digest("a")}, {"a", "sha256", digest("b")}})));
  EXPECT_FALSE(oms::parse_statement(statement("files", "sha256", {{"../a", "sha256", digest("a")}})));
  EXPECT_FALSE(oms::parse_statement(statement("files", "sha256", {{"/etc/passwd", "sha256", digest("a")}})));
  // The subject digest must cover the resources as listed.
  std::string s = statement("files", "sha256", one);
  const auto pos = s.find(mg::enforce::to_hex(digest("a")));
  s.replace(pos, 64, mg::enforce::to_hex(digest("b")));
  auto bad = oms::parse_statement(s);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("subject digest"), std::string::npos);
  EXPECT_FALSE(oms::parse_statement("[]"));
  EXPECT_FALSE(oms::parse_statement(std::string(100000, '[')));
}

TEST(Statement, AcceptsTheDeprecatedDigestsPredicate) {
  const std::string s = R"({"_type":"https://in-toto.io/Statement/v1","predicateType":"https://model_signing/Digests/v0.1",)"
                        R"("subject":[{"name":"x.bin","digest":{"sha256":")" + mg::enforce::to_hex(digest("x")) + R"("}}]})";
  auto st = oms::parse_statement(s);
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(st->resources.size(), 1u);
  EXPECT_EQ(st->method, "files");
  mg::test::TempRepo repo({{"x.bin", "x"}});
  EXPECT_TRUE(oms::compare_manifest(*st, repo.path(), "")->empty());
}

TEST(Enumeration, GitFilesSymlinksAndTheSignature) {
  mg::test::TempRepo repo({{"m.bin", "m"}, {".git/HEAD", "ref"}, {".gitattributes", "*"}, {"sub/.git/keep", "not at the root"}});
  repo.symlink("m.bin", "link.bin");
  const std::vector<oms::Resource> res = {{"m.bin", "sha256", digest("m")}, {"sub/.git/keep", "sha256", digest("not at the root")}};
  auto st = oms::parse_statement(statement("files", "sha256", res));
  ASSERT_TRUE(st);
  auto mism = oms::compare_manifest(*st, repo.path(), "");
  ASSERT_FALSE(mism);  // a symlink without allow_symlinks is an error
  EXPECT_NE(mism.error().message.find("link.bin"), std::string::npos);
  std::filesystem::remove(repo.path("link.bin"));
  repo.write("model.sig", "{}");
  mism = oms::compare_manifest(*st, repo.path(), repo.path("model.sig"));
  ASSERT_TRUE(mism) << mism.error().message;
  EXPECT_TRUE(mism->empty());
}

TEST(Bundle, StructureErrorsAreMessagesNotCrashes) {
  for (const char* bad : {"", "null", "[]", "{}", R"({"mediaType":"x"})",
                          R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"dsseEnvelope":{}})",
                          R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"ab"}},)"
                          R"("dsseEnvelope":{"payload":"e30=","payloadType":"text/plain","signatures":[{"sig":"AA=="}]}})"}) {
    auto b = oms::parse_bundle(bad);
    EXPECT_FALSE(b) << bad;
    if (!b) {
      EXPECT_FALSE(b.error().message.empty());
    }
  }
  auto ok = oms::parse_bundle(R"({"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"ab"}},)"
                              R"("dsseEnvelope":{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AA==","keyid":null}]}})");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->payload, "{}");
  EXPECT_EQ(ok->key_hint, "ab");
}

mg::enforce::Lockfile sample_lock() {
  mg::enforce::Lockfile l;
  l.target = "t";
  l.kind = "directory";
  l.platform = "huggingface";
  l.verdict = "medium";
  l.files = {{"config.json", 10, std::string(64, 'a'), {"trigger"}}, {"m.py", 5, std::string(64, 'b'), {"module"}}};
  l.triggers = {{"config.json", "auto_map.AutoModel", "transformers", "trust_remote_code", "m.py", "M", ""}};
  return l;
}

TEST(Lockfile, RoundTripsAndNamesEachDrift) {
  const auto lock = sample_lock();
  auto back = mg::enforce::parse_lockfile(mg::enforce::render_lockfile(lock));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(mg::enforce::compare_locks(lock, *back).empty());

  auto now = lock;
  now.files[1].sha256 = std::string(64, 'c');
  now.files.push_back({"n.py", 1, std::string(64, 'd'), {"module"}});
  now.files.erase(now.files.begin());
  now.triggers[0].module = "n.py";
  now.triggers.push_back({"custom_generate/generate.py", "custom_generate", "transformers", "none", "custom_generate/generate.py", "", ""});
  const auto drifts = mg::enforce::compare_locks(lock, now);
  std::set<std::string> kinds;
  for (const auto& d : drifts) kinds.insert(d.kind + " " + d.subject);
  EXPECT_EQ(kinds, (std::set<std::string>{"removed config.json", "changed m.py", "added n.py", "trigger-repointed config.json:auto_map.AutoModel",
                                          "trigger-added custom_generate/generate.py:custom_generate"}));
  auto moved = lock;
  moved.revision = std::string(40, '1');
  auto moved_now = moved;
  moved_now.revision = std::string(40, '2');
  ASSERT_EQ(mg::enforce::compare_locks(moved, moved_now).size(), 1u);
  EXPECT_EQ(mg::enforce::compare_locks(moved, moved_now)[0].kind, "revision-changed");
}

TEST(Lockfile, MalformedAndUnknownVersionsAreErrors) {
  const std::string good = mg::enforce::render_lockfile(sample_lock());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto pos = s.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return s.replace(pos, from.size(), to);
  };
  const auto v2 = mg::enforce::parse_lockfile(with("\"lockfile_version\": 1", "\"lockfile_version\": 2"));
  ASSERT_FALSE(v2);
  EXPECT_NE(v2.error().message.find("not supported"), std::string::npos);
  EXPECT_FALSE(mg::enforce::parse_lockfile(with("\"lockfile_version\": 1", "\"lockfile_version\": \"1\"")));
  EXPECT_FALSE(mg::enforce::parse_lockfile(with("\"size\": 10", "\"size\": -10")));
  EXPECT_FALSE(mg::enforce::parse_lockfile(with("\"size\": 10", "\"size\": 1.5")));
  EXPECT_FALSE(mg::enforce::parse_lockfile(with(std::string(64, 'a'), std::string(64, 'A'))));
  EXPECT_FALSE(mg::enforce::parse_lockfile(with("\"path\": \"m.py\"", "\"path\": \"config.json\"")));  // listed twice
  auto missing = mg::enforce::parse_lockfile(with("\"triggers\"", "\"triggerz\""));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("$.triggers"), std::string::npos);
  EXPECT_FALSE(mg::enforce::parse_lockfile("{"));
  EXPECT_FALSE(mg::enforce::parse_lockfile(""));
  EXPECT_FALSE(mg::enforce::parse_lockfile(std::string(100000, '{')));
}

}  // namespace
