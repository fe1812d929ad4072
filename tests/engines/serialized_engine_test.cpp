// Serialized engine behaviour on a repository: which formats it claims, load reachability,
// pickles found by content outside the LoadPlan, text that only looks like a pickle, bombs.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/limits.hpp"
#include "engines/serialized/serialized_engine.hpp"
#include "platform/load_plan.hpp"
#include "source/snapshot.hpp"

namespace fs = std::filesystem;
using namespace std::string_literals;

namespace mg {
namespace {

class RepoDir {
 public:
  RepoDir() : root_(fs::temp_directory_path() / ("modelgate-sz-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                                  "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  ~RepoDir() { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& bytes) const {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  EngineOutput scan() const {
    Limits limits;
    EngineOutput out;
    auto snaps = open_target(root_.string(), limits);
    EXPECT_TRUE(snaps.ok());
    if (!snaps) return out;
    auto engine = make_serialized_engine();
    for (const auto& snap : *snaps) {
      const LoadPlan plan = build_load_plan(snap, limits);
      engine->run(EngineContext{snap, plan, limits}, out);
    }
    return out;
  }

 private:
  fs::path root_;
};

const Finding* find(const EngineOutput& out, std::string_view file, std::string_view rule) {
  for (const auto& f : out.findings) {
    if (f.file == file && f.rule_id == rule) return &f;
  }
  return nullptr;
}

const std::string kEvil = "\x80\x04\x8c\x05posix\x8c\x06system\x93\x8c\x23" "echo canary > /tmp/modelgate-canary\x85R."s;

TEST(SerializedEngine, ClaimsOnlyFormatsItAnalyses) {
  const auto e = make_serialized_engine();
  EXPECT_EQ(e->name(), "serialized");
  for (const char* f : {"pickle", "pytorch-zip", "pytorch-legacy", "torchscript", "numpy", "numpy-object", "joblib",
                        "safetensors", "gguf", "zip", "tar", "7z", "keras", "onnx"}) {
    EXPECT_TRUE(e->handles_format(f)) << f;
  }
  for (const char* f : {"hdf5", "tf-savedmodel", "skops", ""}) EXPECT_FALSE(e->handles_format(f)) << f;
}

TEST(SerializedEngine, ReachabilityFollowsTheLoadPlan) {
  RepoDir repo;
  repo.write("config.json", R"({"architectures": ["BertModel"]})");
  repo.write("pytorch_model.bin", kEvil);
  // A STRING-operand pickle that platform sniffing does not route: found by content, reach unknown.
  repo.write("extra/blob.data", "S'os'\nS'system'\n\x93S'id'\n\x85R.");
  const auto out = repo.scan();
  const Finding* planned = find(out, "pytorch_model.bin", "SZ201");
  ASSERT_NE(planned, nullptr);
  EXPECT_EQ(planned->load_reachable, Reach::yes);
  EXPECT_EQ(planned->snippet, "posix.system('echo canary > /tmp/modelgate-canary')");
  EXPECT_EQ(planned->engine, "serialized");
  EXPECT_EQ(planned->severity, Severity::critical);
  const Finding* extra = find(out, "extra/blob.data", "SZ201");
  ASSERT_NE(extra, nullptr);
  EXPECT_EQ(extra->load_reachable, Reach::unknown);
}

TEST(SerializedEngine, TextThatStartsLikeAPickleIsNotOne) {
  RepoDir repo;
  repo.write("vocab.txt", "cat\ndog\nRed\nblue\ngreen\n");
  repo.write("merges.txt", "cos\nsystem\n(Vid\ntR and more words\n");
  repo.write("requirements.txt", "torch>=2.0\n");
  repo.write("LICENSE", "torch>=2.0\nrequests.\n");
  const auto out = repo.scan();
  EXPECT_TRUE(out.findings.empty());
  EXPECT_TRUE(out.incomplete.empty());
}

TEST(SerializedEngine, BrokenAndBombedFilesAreIncompleteNotClean) {
  RepoDir repo;
  repo.write("model.pkl", "\x80\x04\x8c\x05posix\x8c\x06system\x93X\xff\xff\x00\x00" "abc"s);
  // A deflate member that inflates 1000x past its size.
  std::string big(64u << 20, '\0');
  std::vector<unsigned char> packed(compressBound(big.size()));
  uLongf n = packed.size();
  compress2(packed.data(), &n, reinterpret_cast<const Bytef*>(big.data()), big.size(), 9);
  // compress2 writes a zlib stream; strip header and trailer for a raw deflate member.
  const std::string raw(reinterpret_cast<const char*>(packed.data()) + 2, n - 6);
  std::string z;
  auto put16 = [&](unsigned v) { z += static_cast<char>(v & 0xFF); z += static_cast<char>(v >> 8); };
  auto put32 = [&](std::uint32_t v) { put16(v & 0xFFFF); put16(v >> 16); };
  put32(0x04034b50); put16(20); put16(0); put16(8); put32(0); put32(0);
  put32(static_cast<std::uint32_t>(raw.size())); put32(static_cast<std::uint32_t>(big.size()));
  put16(16); put16(0);
  z += "archive/data.pkl" + raw;
  const auto cd = z.size();
  put32(0x02014b50); put16(20); put16(20); put16(0); put16(8); put32(0); put32(0);
  put32(static_cast<std::uint32_t>(raw.size())); put32(static_cast<std::uint32_t>(big.size()));
  put16(16); put16(0); put16(0); put16(0); put16(0); put32(0); put32(0);
  z += "archive/data.pkl";
  const auto cd_size = z.size() - cd;
  put32(0x06054b50); put16(0); put16(0); put16(1); put16(1);
  put32(static_cast<std::uint32_t>(cd_size)); put32(static_cast<std::uint32_t>(cd)); put16(0);
  repo.write("bomb.pt", z);
  const auto out = repo.scan();
  EXPECT_NE(find(out, "model.pkl", "SZ201"), nullptr);  // the import before the break is reported
  bool pkl_incomplete = false, bomb_incomplete = false;
  for (const auto& i : out.incomplete) {
    pkl_incomplete |= i.file == "model.pkl";
    bomb_incomplete |= i.file == "bomb.pt";
  }
  EXPECT_TRUE(pkl_incomplete);
  EXPECT_TRUE(bomb_incomplete);
  for (const auto& a : out.analysed_files) EXPECT_TRUE(a != "model.pkl" && a != "bomb.pt") << a;
}

TEST(SerializedEngine, ChatTemplatesInRepositoryConfigs) {
  RepoDir repo;
  repo.write("tokenizer_config.json",
             R"({"chat_template": [{"name": "default", "template": "{{ messages }}"},
                                   {"name": "tool_use", "template": "{{ cycler.__init__.__globals__.os.popen('id').read() }}"}]})");
  const auto out = repo.scan();
  const Finding* f = find(out, "tokenizer_config.json", "SZ503");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->message.find("chat_template[tool_use]"), std::string::npos);
  EXPECT_EQ(f->load_reachable, Reach::unknown);
  EXPECT_GT(f->line, 0u);
}

}  // namespace
}  // namespace mg
