// Hub clients without a network: target ids, listings, the sparse blob's record of what parsers
// read, and the range planner over in-memory files.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "source/hub/http.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/range_plan.hpp"
#include "source/hub/sparse_blob.hpp"
#include "source/hub/target.hpp"

namespace mg::hub {
namespace {

TEST(HubTarget, Forms) {
  auto t = parse_hub_target("hf:org/name@v1.0");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->repo, "org/name");
  EXPECT_EQ((*t)->revision, "v1.0");
  EXPECT_EQ((*t)->hub, Hub::huggingface);
  t = parse_hub_target("https://huggingface.co/datasets/org/data/tree/refs/pr/3");
  ASSERT_FALSE(t);  // a file path after the revision is ambiguous
  t = parse_hub_target("https://huggingface.co/datasets/org/data/tree/dev");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->repo_type, "dataset");
  EXPECT_EQ((*t)->revision, "dev");
  t = parse_hub_target("https://huggingface.co/org/name");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->revision, "");
  t = parse_hub_target("torchhub:pytorch/vision:v0.10.0");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->hub, Hub::torchhub);
  EXPECT_EQ((*t)->revision, "v0.10.0");
  t = parse_hub_target("ms:damo/nlp@master");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->hub, Hub::modelscope);
  t = parse_hub_target("hf:org/name", "space");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->repo_type, "space");
  t = parse_hub_target("some/local/folder");
  ASSERT_TRUE(t);
  EXPECT_FALSE(*t);
}

TEST(HubTarget, BadIds) {
  for (const char* bad : {"hf:", "hf:name", "hf:a/b/c", "hf:../x", "hf:org/..", "hf:org/na me", "hf:org/name@", "hf:org/name@a..b",
                          "hf:org/name@/x", "hf:-org/name", "hf:org/name@a\x01", "github:o/r@x y", "https://huggingface.co/x",
                          "https://huggingface.co/org/name/blob/main/config.json", "torchhub:o/r:"}) {
    EXPECT_FALSE(parse_hub_target(bad)) << bad;
  }
  EXPECT_FALSE(parse_hub_target("ms:a/b", "dataset"));
  EXPECT_FALSE(parse_hub_target("hf:a/b", "bogus"));
}

TEST(HubHttp, UrlHostAndQuote) {
  EXPECT_EQ(url_host("https://HuggingFace.co/api/x"), "huggingface.co");
  EXPECT_EQ(url_host("https://huggingface.co:443/x"), "huggingface.co");
  EXPECT_EQ(url_host("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
  EXPECT_EQ(url_host("ftp://x/y"), "");
  EXPECT_EQ(url_quote("a b/c#d", true), "a%20b/c%23d");
  EXPECT_EQ(url_quote("refs/pr/1", false), "refs%2Fpr%2F1");
}

TEST(HubListing, ParsesAndRejectsHostileNames) {
  std::vector<ListedFile> files;
  std::vector<Incomplete> problems;
  const std::string body = R"([
    {"type":"file","path":"config.json","size":12,"oid":"0123456789012345678901234567890123456789"},
    {"type":"directory","path":"sub","size":0},
    {"type":"file","path":"model.bin","size":5,"oid":"0123456789012345678901234567890123456789",
     "lfs":{"oid":"0123456789012345678901234567890123456789012345678901234567890123","size":5}},
    {"type":"file","path":"../evil.py","size":1},
    {"type":"file","path":"/etc/passwd","size":1},
    {"type":"file","path":"a\u0001b","size":1},
    {"type":"file","path":"config.json","size":12},
    {"type":"file","path":"x.bin","size":5,"lfs":{"oid":"00","size":5}},
    {"type":"file","path":"neg","size":-1}
  ])";
  ASSERT_TRUE(parse_hf_tree_page(body, files, problems, 1000));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1].lfs_sha256.size(), 64u);
  EXPECT_EQ(problems.size(), 6u);
  EXPECT_FALSE(parse_hf_tree_page("{}", files, problems, 1000));
  EXPECT_FALSE(parse_hf_tree_page(std::string(100000, '['), files, problems, 1000));
  std::vector<ListedFile> capped;
  std::vector<Incomplete> p2;
  ASSERT_TRUE(parse_hf_tree_page(body, capped, p2, 1));
  EXPECT_EQ(capped.size(), 1u);
}

TEST(HubListing, RevisionAndLink) {
  EXPECT_EQ(parse_hf_revision_sha(R"({"sha":"0123456789abcdef0123456789abcdef01234567"})"), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(parse_hf_revision_sha(R"({"sha":"main"})"), "");
  EXPECT_EQ(parse_hf_revision_sha("[1]"), "");
  EXPECT_EQ(link_next(R"(<https://h/a?cursor=2>; rel="next")"), "https://h/a?cursor=2");
  EXPECT_EQ(link_next(R"(<https://h/p>; rel="prev", <https://h/n>; rel="next")"), "https://h/n");
  EXPECT_EQ(link_next(""), "");
}

TEST(HubTarget, ModelScopeUrls) {
  auto t = parse_hub_target("https://www.modelscope.cn/models/Qwen/Qwen2.5-7B");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->hub, Hub::modelscope);
  EXPECT_EQ((*t)->repo, "Qwen/Qwen2.5-7B");
  EXPECT_EQ((*t)->revision, "");
  t = parse_hub_target("https://modelscope.cn/models/damo/nlp/files?Revision=v1.0.2");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->revision, "v1.0.2");
  t = parse_hub_target("https://www.modelscope.ai/models/damo/nlp/summary");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->repo, "damo/nlp");
  EXPECT_FALSE(parse_hub_target("https://www.modelscope.cn/datasets/a/b"));
  EXPECT_FALSE(parse_hub_target("https://www.modelscope.cn/models/a"));
  EXPECT_FALSE(parse_hub_target("https://www.modelscope.cn/models/a/b/files?Revision="));
  EXPECT_FALSE(parse_hub_target("https://www.modelscope.cn/models/a/b/files?Revision=x%20y"));
  t = parse_hub_target("csg:OpenCSG/csg-wukong-1B@main");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->hub, Hub::opencsg);
}

TEST(HubListing, ModelScopeFiles) {
  const std::string sha(64, 'a');
  const std::string body = R"({"Code":200,"Success":true,"Message":"success","Data":{"Files":[
    {"Name":"config.json","Path":"config.json","Type":"blob","Size":12,"Sha256":")" + sha + R"("},
    {"Name":"sub","Path":"sub","Type":"tree","Size":0,"Sha256":null},
    {"Name":"w.bin","Path":"sub/w.bin","Type":"blob","Size":4096,"Sha256":")" + std::string(64, 'B') + R"("},
    {"Path":"../up.py","Type":"blob","Size":3,"Sha256":")" + sha + R"("},
    {"Path":"nosize.py","Type":"blob","Sha256":")" + sha + R"("},
    {"Path":"badhash.py","Type":"blob","Size":1,"Sha256":"xyz"},
    {"Path":"nohash.py","Type":"blob","Size":2,"Sha256":""},
    {"Path":"config.json","Type":"blob","Size":12,"Sha256":")" + sha + R"("}]}})";
  std::vector<ListedFile> out;
  std::vector<Incomplete> problems;
  std::string message;
  ASSERT_TRUE(parse_ms_files(body, out, problems, 100, &message));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].path, "config.json");
  EXPECT_EQ(out[0].size, 12u);
  EXPECT_EQ(out[0].lfs_sha256, sha);
  EXPECT_EQ(out[1].path, "sub/w.bin");
  EXPECT_EQ(out[1].lfs_sha256, std::string(64, 'b'));  // hashes compared in lower case
  EXPECT_EQ(out[2].path, "nohash.py");                 // an empty hash: size only
  EXPECT_EQ(out[2].lfs_sha256, "");
  EXPECT_EQ(problems.size(), 4u);  // "..", no size, bad hash, duplicate
  // An error answer is not a listing, and says why.
  out.clear();
  EXPECT_FALSE(parse_ms_files(R"({"Code":10010205001,"Success":false,"Message":"model not exists","Data":null})", out, problems, 100,
                              &message));
  EXPECT_EQ(message, "model not exists");
  EXPECT_FALSE(parse_ms_files("[]", out, problems, 100));
  EXPECT_FALSE(parse_ms_files(R"({"Code":200,"Data":{"Files":{}}})", out, problems, 100));
  EXPECT_TRUE(parse_ms_files(R"({"Code":200,"Data":{"Files":null}})", out, problems, 100));
  EXPECT_TRUE(out.empty());
  // The entry cap holds.
  std::string many = R"({"Code":200,"Data":{"Files":[)";
  for (int i = 0; i < 50; ++i) many += std::string(i ? "," : "") + R"({"Path":"f)" + std::to_string(i) + R"(.py","Type":"blob","Size":1})";
  many += "]}}";
  problems.clear();
  ASSERT_TRUE(parse_ms_files(many, out, problems, 10));
  EXPECT_EQ(out.size(), 10u);
}

TEST(HubListing, ModelScopeRevisions) {
  const std::string commit(40, 'c');
  const std::string body = R"({"Code":200,"Success":true,"Data":{"RevisionMap":{
    "Branches":[{"Revision":"master","CreatedAt":100,"CommitId":")" + commit + R"("}],
    "Tags":[{"Revision":"v1.0","CreatedAt":200},{"Revision":"","CreatedAt":300},{"CreatedAt":5}]}}})";
  std::vector<MsRevision> out;
  ASSERT_TRUE(parse_ms_revisions(body, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "master");
  EXPECT_FALSE(out[0].tag);
  EXPECT_EQ(out[0].commit, commit);
  EXPECT_EQ(out[1].name, "v1.0");
  EXPECT_TRUE(out[1].tag);
  EXPECT_EQ(out[1].created_at, 200);
  EXPECT_EQ(out[1].commit, "");  // no commit named: the caller records the revision as given
  std::string message;
  EXPECT_FALSE(parse_ms_revisions(R"({"Code":401,"Success":false,"Message":"no access"})", out, &message));
  EXPECT_EQ(message, "no access");
  EXPECT_FALSE(parse_ms_revisions(R"({"Code":200,"Data":{"RevisionMap":[]}})", out));
}

TEST(HubListing, ModelInfoSiblings) {
  const std::string sha(40, 'd');
  const std::string lfs(64, 'e');
  const std::string body = R"({"id":"o/n","sha":")" + sha + R"(","siblings":[
    {"rfilename":"config.json","size":10,"blobId":")" + std::string(40, '1') + R"("},
    {"rfilename":"model.safetensors","size":99,"blobId":")" + std::string(40, '2') + R"(","lfs":{"sha256":")" + lfs + R"(","size":99}},
    {"rfilename":"bad.bin","size":5,"lfs":{"sha256":")" + lfs + R"(","size":6}},
    {"rfilename":"/etc/passwd","size":5},
    {"rfilename":"nosize.py"}]})";
  std::string got;
  std::vector<ListedFile> out;
  std::vector<Incomplete> problems;
  ASSERT_TRUE(parse_hf_model_info(body, got, out, problems, 100));
  EXPECT_EQ(got, sha);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].oid, std::string(40, '1'));
  EXPECT_EQ(out[1].lfs_sha256, lfs);
  EXPECT_EQ(out[1].size, 99u);
  EXPECT_EQ(problems.size(), 3u);
  EXPECT_FALSE(parse_hf_model_info(R"({"sha":"x"})", got, out, problems, 100));
  EXPECT_TRUE(parse_hf_model_info(R"({"sha":"main","siblings":[]})", got, out, problems, 100));
  EXPECT_EQ(got, "");  // not a commit
}

TEST(SparseBlob, RecordsWhatWasReadUnfetched) {
  auto b = SparseBlob::create(1 << 20);
  ASSERT_TRUE(b);
  std::vector<std::uint8_t> page(SparseBlob::kPage, 7);
  (*b)->fill(0, page.data(), page.size());
  EXPECT_TRUE((*b)->touched_unfetched().empty());
  volatile std::uint8_t x = (*b)->data()[10 * SparseBlob::kPage + 5];
  EXPECT_EQ(x, 0);
  const auto t = (*b)->touched_unfetched();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].first, 10 * SparseBlob::kPage);
  EXPECT_EQ((*b)->fetched_bytes(), SparseBlob::kPage);
  EXPECT_EQ((*b)->data()[3], 7);
}

// Serves fetches from an in-memory file and counts what was asked for.
class MemoryFetcher final : public RangeFetcher {
 public:
  MemoryFetcher(const std::vector<std::uint8_t>& file, SparseBlob& blob) : file_(file), blob_(blob) {}
  Result<bool> fetch(const Ranges& ranges) override {
    for (const auto& [a, e] : ranges) {
      blob_.fill(a, file_.data() + a, e - a);
      bytes += e - a;
    }
    return true;
  }
  std::uint64_t bytes = 0;

 private:
  const std::vector<std::uint8_t>& file_;
  SparseBlob& blob_;
};

TEST(RangePlan, SafetensorsReadsHeaderNotTensors) {
  std::vector<std::uint8_t> file(64u << 20, 0);
  const std::string header = R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  const std::uint64_t n = header.size();
  std::memcpy(file.data(), &n, 8);
  std::memcpy(file.data() + 8, header.data(), header.size());
  auto b = SparseBlob::create(file.size());
  ASSERT_TRUE(b);
  MemoryFetcher f(file, **b);
  Limits lim;
  auto out = plan_and_fetch(**b, f, "model.safetensors", lim);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->format, "safetensors");
  EXPECT_LT(f.bytes, 256u << 10);
  EXPECT_EQ(std::memcmp((*b)->data() + 8, header.data(), header.size()), 0);
}

TEST(RangePlan, PickleReadToStop) {
  // PROTO 2, BINUNICODE of 300 KiB, STOP: the whole stream, nothing past it.
  std::vector<std::uint8_t> file(8u << 20, 0);
  std::size_t p = 0;
  file[p++] = 0x80;
  file[p++] = 2;
  file[p++] = 'X';
  const std::uint32_t len = 300u << 10;
  std::memcpy(file.data() + p, &len, 4);
  p += 4;
  std::memset(file.data() + p, 'a', len);
  p += len;
  file[p++] = '.';
  auto b = SparseBlob::create(file.size());
  ASSERT_TRUE(b);
  MemoryFetcher f(file, **b);
  Limits lim;
  ASSERT_TRUE(plan_and_fetch(**b, f, "x.pkl", lim));
  EXPECT_TRUE((*b)->missing(0, p).empty());
  EXPECT_LT(f.bytes, 2u << 20);
}

TEST(RangePlan, CoalesceAlignsAndMerges) {
  const auto r = coalesce({{5000, 5001}, {0, 10}, {20000, 20001}}, 20002, 0);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], (std::pair<std::uint64_t, std::uint64_t>(0, 8192)));
  EXPECT_EQ(r[1], (std::pair<std::uint64_t, std::uint64_t>(16384, 20002)));
}

}  // namespace
}  // namespace mg::hub
