// Serialized engine behaviour on a repository: which formats it claims, load reachability,
// pickles found by content outside the LoadPlan, text that only looks like a pickle, bombs.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
                        "safetensors", "gguf", "zip", "tar", "7z", "keras", "onnx", "hdf5", "tf-savedmodel", "skops"}) {
    EXPECT_TRUE(e->handles_format(f)) << f;
  }
  for (const char* f : {"tflite", ""}) EXPECT_FALSE(e->handles_format(f)) << f;
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
  // Shapes from real repositories that decode as opcodes until CPython refuses the first one.
  repo.write(".gitignore", "repos.cfg\nrepos_init.cfg\nnvtool*\n");
  repo.write("datasets/cifar10.categories", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
  repo.write("docs/_static/theme", "table.colwidths-auto td {\n  width: 50%\n}\n");
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

std::vector<const Finding*> find_all(const EngineOutput& out, std::string_view file, std::string_view rule) {
  std::vector<const Finding*> all;
  for (const auto& f : out.findings) {
    if (f.file == file && f.rule_id == rule) all.push_back(&f);
  }
  return all;
}

std::string read_fixture(const std::string& rel) {
  std::ifstream in(fs::path(MODELGATE_SOURCE_DIR) / "tests/fixtures/serialized" / rel, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A torch.jit.save archive: its __torch__.* classes are the archive's own code (SZ303), not
// dangerous imports; before this, a real hub TorchScript file raised hundreds of SZ201.
TEST(SerializedEngine, TorchScriptClassesGoToTheCodeFinding) {
  RepoDir repo;
  repo.write("model.pt", read_fixture("f/F01-torchscript.pt"));
  const auto out = repo.scan();
  EXPECT_EQ(find(out, "model.pt", "SZ201"), nullptr);
  EXPECT_EQ(find(out, "model.pt", "SZ202"), nullptr);
  const Finding* code = find(out, "model.pt", "SZ303");
  ASSERT_NE(code, nullptr);
  EXPECT_NE(code->message.find("TorchScript class(es)"), std::string::npos) << code->message;
  EXPECT_NE(code->message.find("__torch__.Net"), std::string::npos) << code->message;
  EXPECT_NE(code->message.find("code file(s)"), std::string::npos) << code->message;
}

// The same __torch__ global outside a TorchScript archive is still an unknown dotted import.
TEST(SerializedEngine, TorchGlobalsOutsideTorchScriptStayDangerous) {
  RepoDir repo;
  repo.write("pytorch_model.bin", "\x80\x02" "c__torch__.os\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85R."s);
  const auto out = repo.scan();
  EXPECT_NE(find(out, "pytorch_model.bin", "SZ201"), nullptr);
}

// Identical findings in one file are one finding with a count and where the next ones are.
TEST(SerializedEngine, IdenticalFindingsCollapse) {
  RepoDir repo;
  std::string zip;
  // Three members importing the same unknown global (stored zip built by hand).
  const std::string pkl = "\x80\x04" "\x8c\x03" "ast" "\x8c\x05" "parse" "\x93."s;
  std::vector<std::pair<std::string, std::size_t>> offsets;
  auto put16 = [&](unsigned v) { zip += static_cast<char>(v & 0xff); zip += static_cast<char>(v >> 8); };
  auto put32 = [&](std::uint32_t v) { put16(v & 0xffff); put16(v >> 16); };
  for (const char* name : {"a/data.pkl", "b/data.pkl", "c/data.pkl"}) {
    offsets.emplace_back(name, zip.size());
    put32(0x04034b50); put16(20); put16(0); put16(0); put16(0); put16(0);
    put32(static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(pkl.data()), static_cast<uInt>(pkl.size()))));
    put32(static_cast<std::uint32_t>(pkl.size())); put32(static_cast<std::uint32_t>(pkl.size()));
    put16(static_cast<unsigned>(std::strlen(name))); put16(0);
    zip += name;
    zip += pkl;
  }
  const auto cd = zip.size();
  for (const auto& [name, off] : offsets) {
    put32(0x02014b50); put16(20); put16(20); put16(0); put16(0); put16(0); put16(0);
    put32(static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(pkl.data()), static_cast<uInt>(pkl.size()))));
    put32(static_cast<std::uint32_t>(pkl.size())); put32(static_cast<std::uint32_t>(pkl.size()));
    put16(static_cast<unsigned>(name.size())); put16(0); put16(0); put16(0); put16(0); put32(0);
    put32(static_cast<std::uint32_t>(off));
    zip += name;
  }
  const auto cd_size = zip.size() - cd;
  put32(0x06054b50); put16(0); put16(0); put16(3); put16(3);
  put32(static_cast<std::uint32_t>(cd_size)); put32(static_cast<std::uint32_t>(cd)); put16(0);
  repo.write("weights.zip", zip);
  const auto out = repo.scan();
  const auto all = find_all(out, "weights.zip", "SZ202");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_NE(all[0]->message.find("3 identical findings in this file"), std::string::npos) << all[0]->message;
  EXPECT_NE(all[0]->message.find("b/data.pkl@"), std::string::npos) << all[0]->message;
}

// torch.storage._load_from_bytes is judged by the stream it is given.
TEST(SerializedEngine, LoadFromBytesIsJudgedByItsContent) {
  RepoDir repo;
  repo.write("benign.pkl", read_fixture("benign/tensor-pickle-proto2.pkl"));
  repo.write("benign4.pkl", read_fixture("benign/tensor-pickle-proto4.pkl"));
  repo.write("evil.pkl", read_fixture("a/A30-load-from-bytes-evil.pkl"));
  const auto out = repo.scan();
  for (const auto& f : out.findings) EXPECT_EQ(f.file, "evil.pkl") << f.rule_id << " " << f.file << ": " << f.message;
  bool nested = false, loader = false;
  for (const auto* f : find_all(out, "evil.pkl", "SZ201")) {
    nested |= f->message.find("posix.system") != std::string::npos || f->message.find("os.system") != std::string::npos;
    loader |= f->message.find("_load_from_bytes") != std::string::npos;
  }
  EXPECT_TRUE(nested);
  EXPECT_TRUE(loader);
}

// A SavedModel op this build does not know leaves the file incomplete, never clean.
TEST(SerializedEngine, SavedModelWithUnknownOpIsIncomplete) {
  RepoDir repo;
  // SavedModel{2: MetaGraphDef{2: GraphDef{1: NodeDef{1: "x", 2: "MyCustomOp"}}}}
  const std::string node = "\x0a\x01x\x12\x0aMyCustomOp"s;
  const std::string graph = "\x0a"s + static_cast<char>(node.size()) + node;
  const std::string meta = "\x12"s + static_cast<char>(graph.size()) + graph;
  repo.write("model/saved_model.pb", "\x12"s + static_cast<char>(meta.size()) + meta);
  const auto out = repo.scan();
  EXPECT_TRUE(out.findings.empty());
  bool incomplete = false;
  for (const auto& i : out.incomplete) incomplete |= i.file == "model/saved_model.pb" && i.reason.find("MyCustomOp") != std::string::npos;
  EXPECT_TRUE(incomplete);
  for (const auto& a : out.analysed_files) EXPECT_NE(a, "model/saved_model.pb");
}

// Every SSTI spelling in the issue, wherever the template sits, is high or critical.
TEST(SerializedEngine, ChatTemplateInjectionsAreHighPlus) {
  const std::vector<std::string> payloads = {
      "{{ ''.__class__.__mro__[1].__subclasses__() }}",
      "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
      "{{ lipsum.__globals__['os'].popen('id').read() }}",
      "{{ self._TemplateReference__context.joiner }}",
      "{{ request.application.__globals__.__builtins__ }}",
      "{{ config.__class__ }}",
      "{{ ()|attr('__class__') }}",
      "{{ ()|attr('__cla' ~ 'ss__')|attr('__ba' + 'se__') }}",
      "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}",
      "{{ ()|attr('\\u005f\\u005fclass\\u005f\\u005f') }}",
  };
  for (const auto& p : payloads) {
    RepoDir repo;
    repo.write("templates/chat.j2", p);
    const nlohmann::json nested = {{"processor", {{"tokenizer", {{"chat_template", {{"tool_use", p}}}}}}}};
    repo.write("extra/preprocessor_config.json", nested.dump());
    repo.write("deploy/serve.yaml", "name: x\nchat_template: |\n  " + p + "\nother: 1\n");
    const auto out = repo.scan();
    for (const char* file : {"templates/chat.j2", "extra/preprocessor_config.json", "deploy/serve.yaml"}) {
      bool high = false;
      for (const auto& f : out.findings) {
        high |= f.file == file && (f.rule_id == "SZ503" || f.rule_id == "SZ504") && f.severity >= Severity::high;
      }
      EXPECT_TRUE(high) << file << " missed: " << p;
    }
    const Finding* yaml = find(out, "deploy/serve.yaml", "SZ503");
    if (yaml) {
      EXPECT_EQ(yaml->line, 3u) << p;
    }
  }
  // Ordinary templates and prose stay silent.
  RepoDir repo;
  repo.write("chat_template.jinja", "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] }}{% endfor %}");
  repo.write("config.yaml", "chat_template: \"{{ messages[0]['content'] }}\"\nsystem: Fulfil the request. See config.\n");
  repo.write("notes.json", R"({"description": "no templates here", "request.": 1})");
  EXPECT_TRUE(repo.scan().findings.empty());
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

std::string pb_bytes(int field, const std::string& payload) {
  std::string key(1, static_cast<char>(field << 3 | 2)), len;
  for (std::size_t n = payload.size();; n >>= 7) {
    len += static_cast<char>((n & 0x7F) | (n > 0x7F ? 0x80 : 0));
    if (n <= 0x7F) break;
  }
  return key + len + payload;
}

// Custom-op domains: named with their ops and the library the model names; native libraries shipped
// in the repository make it high (native code from the model's own repository).
TEST(SerializedEngine, OnnxCustomOpsNameOpsAndLibraries) {
  const std::string node = pb_bytes(4, "StringRegexReplace") + pb_bytes(7, "ai.onnx.contrib");
  const std::string model = "\x08\x08"s + pb_bytes(8, pb_bytes(1, "ai.onnx.contrib")) +
                            pb_bytes(14, pb_bytes(1, "ops_library") + pb_bytes(2, "libcustom_ops.so")) +
                            pb_bytes(7, pb_bytes(1, node));
  {
    RepoDir repo;
    repo.write("model.onnx", model);
    const auto out = repo.scan();
    const Finding* f = find(out, "model.onnx", "SZ507");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->severity, Severity::medium);
    EXPECT_NE(f->message.find("used by 1 node(s) (StringRegexReplace)"), std::string::npos) << f->message;
    EXPECT_NE(f->message.find("onnxruntime-extensions"), std::string::npos) << f->message;
    EXPECT_NE(f->message.find("metadata 'ops_library': libcustom_ops.so"), std::string::npos) << f->message;
  }
  {
    RepoDir repo;
    repo.write("model.onnx", model);
    repo.write("lib/libcustom_ops.so", "\x7f" "ELF not really a library");
    const auto out = repo.scan();
    const Finding* f = find(out, "model.onnx", "SZ507");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->severity, Severity::high);
    EXPECT_NE(f->message.find("ships native libraries (lib/libcustom_ops.so), the one the model names among them"),
              std::string::npos) << f->message;
  }
}

}  // namespace
}  // namespace mg
