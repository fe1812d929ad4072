// Pickle VM: hand-assembled streams for each opcode family and each parser differential of
// model-formats.md §3.B. Nothing here is ever unpickled.
#include "formats/pickle.hpp"

#include <gtest/gtest.h>

#include <string>

#include "formats/pickle_policy.hpp"

namespace mg::pickle {
namespace {

using namespace std::string_literals;

std::span<const std::uint8_t> B(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string sbu(const std::string& s) { return std::string("\x8c") + static_cast<char>(s.size()) + s; }

const GlobalRef* find(const PickleReport& r, std::string_view module, std::string_view name) {
  for (const auto& g : r.globals) {
    if (g.module == module && g.name == name) return &g;
  }
  return nullptr;
}

bool has_anomaly(const PickleReport& r, AnomalyKind k) {
  for (const auto& a : r.anomalies) {
    if (a.kind == k) return true;
  }
  return false;
}

TEST(PickleVm, Protocol0ReduceRendersCall) {
  const std::string p = "cos\nsystem\n(S'echo canary'\ntR.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete) << r.incomplete_reason;
  const auto* g = find(r, "os", "system");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->call_count, 1u);
  EXPECT_EQ(g->first_call, "os.system('echo canary')");
  EXPECT_EQ(g->offset, 0u);
  EXPECT_EQ(r.streams, 1u);
}

TEST(PickleVm, StackGlobalProtocol4) {
  const std::string p = std::string("\x80\x04") + sbu("posix") + sbu("system") + "\x93" + sbu("id") + "\x85R.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete);
  const auto* g = find(r, "posix", "system");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->first_call, "posix.system('id')");
  EXPECT_EQ(r.max_protocol, 4);
  EXPECT_EQ(classify_global("posix", "system").verdict, Verdict::dangerous);
}

TEST(PickleVm, B1StringOperandsWithoutProto) {
  const std::string p = "S'os'\nS'system'\n\x93S'ls'\n\x85R.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete);
  ASSERT_NE(find(r, "os", "system"), nullptr);
}

TEST(PickleVm, B3MemoKeyedByPutArgument) {
  const std::string p = "Vos\np2\n0Vsystem\np3\n0Vtorch\np0\n0VLongStorage\np1\n0g2\ng3\n\x93(Vcat flag.txt\ntR.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete) << r.incomplete_reason;
  ASSERT_NE(find(r, "os", "system"), nullptr);
  EXPECT_EQ(find(r, "torch", "LongStorage"), nullptr);
}

TEST(PickleVm, B2MemoizeAndPutMixed) {
  const std::string p = std::string("\x80\x04") + "T\x02\x00\x00\x00osq\x00"s + "T\x06\x00\x00\x00systemq\x01"s +
                        "T\x0c\x00\x00\x00torch._utils\x94"s + "T\x12\x00\x00\x00_rebuild_tensor_v2\x94"s +
                        "h\x00h\x01\x93"s + sbu("id") + "\x85R.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete) << r.incomplete_reason;
  ASSERT_NE(find(r, "os", "system"), nullptr);
}

TEST(PickleVm, B6MissingMemoKeepsGoing) {
  const std::string p = std::string("\x80\x04") + "cos\nsystem\n" + "Vid\n\x85R0" + sbu("os") + "\x94h\x03h\x00\x93K\x01."s;
  const auto r = analyze(B(p));
  ASSERT_NE(find(r, "os", "system"), nullptr);
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::missing_memo));
}

TEST(PickleVm, B5DynamicStackGlobal) {
  // STACK_GLOBAL fed with call results.
  const std::string p = std::string("\x80\x04") + sbu("builtins") + sbu("str") + "\x93" + sbu("os") + "\x85R" +
                        sbu("system") + "\x93" + sbu("id") + "\x85R.";
  const auto r = analyze(B(p));
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::dynamic_global));
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::indirect_call));
}

TEST(PickleVm, B8PayloadThenGarbage) {
  const std::string p = "cbuiltins\nexec\n(Vprint(1)\ntR\xff\xff";
  const auto r = analyze(B(p));
  EXPECT_FALSE(r.complete);
  ASSERT_NE(find(r, "builtins", "exec"), nullptr);
  EXPECT_EQ(find(r, "builtins", "exec")->call_count, 1u);
}

TEST(PickleVm, B13StackedStreams) {
  const std::string p = std::string("\x80\x04]\x94") + sbu("a") + "a." + "\x80\x04" + sbu("os") + sbu("system") +
                        "\x93" + sbu("id") + "\x85R.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.streams, 2u);
  ASSERT_NE(find(r, "os", "system"), nullptr);
  EXPECT_EQ(find(r, "os", "system")->stream, 1u);
}

TEST(PickleVm, B10ObjResultDiscarded) {
  const std::string p = std::string("\x80\x04(") + sbu("smtplib") + sbu("SMTP") + "\x93" + sbu("127.0.0.1") + "o0N.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete);
  const auto* g = find(r, "smtplib", "SMTP");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->call_count, 1u);
  EXPECT_EQ(classify_global("smtplib", "SMTP").verdict, Verdict::dangerous);
}

TEST(PickleVm, A12ObjWithMarkAndList) {
  const std::string p = "\x80\x04(cpty\nspawn\n]\x8c\x07/bin/shao.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete) << r.incomplete_reason;
  ASSERT_NE(find(r, "pty", "spawn"), nullptr);
  EXPECT_EQ(find(r, "pty", "spawn")->first_call, "pty.spawn(['/bin/sh'])");
}

TEST(PickleVm, B20ExtOpcode) {
  const std::string p = "\x80\x02\x82\xf0X\x02\x00\x00\x00id\x85R."s;
  const auto r = analyze(B(p));
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::ext_opcode));
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::indirect_call));
}

TEST(PickleVm, B15DottedNameMatchesEveryComponent) {
  EXPECT_EQ(classify_global("pathlib", "os.system").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("asyncio.unix_events", "_UnixSubprocessTransport._start").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("numpy", "__builtins__").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("_operator", "attrgetter").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("__builtin__", "eval").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("builtins", "getattr").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("torch.utils.collect_env", "run").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("torch.serialization", "load").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("profile", "run").verdict, Verdict::dangerous);
  EXPECT_EQ(classify_global("uuid", "_get_command_stdout").verdict, Verdict::dangerous);
}

TEST(PickleVm, AllowlistAndFailClosed) {
  EXPECT_EQ(classify_global("torch._utils", "_rebuild_tensor_v2").verdict, Verdict::allowed);
  EXPECT_EQ(classify_global("collections", "OrderedDict").verdict, Verdict::allowed);
  EXPECT_EQ(classify_global("numpy.core.multiarray", "_reconstruct").verdict, Verdict::allowed);
  EXPECT_EQ(classify_global("__builtin__", "set").verdict, Verdict::allowed);
  EXPECT_EQ(classify_global("copy_reg", "_reconstructor").verdict, Verdict::allowed);
  EXPECT_EQ(classify_global("mymodule", "Thing").verdict, Verdict::unknown);
  EXPECT_EQ(classify_global("torch", "FakeStorage").verdict, Verdict::unknown);
  EXPECT_EQ(classify_global("sklearn.linear_model._logistic", "LogisticRegression", false).verdict, Verdict::allowed);
  EXPECT_EQ(classify_global("sklearn.linear_model._logistic", "LogisticRegression", true).verdict, Verdict::unknown);
  EXPECT_EQ(classify_global("", "x").verdict, Verdict::dangerous);
}

TEST(PickleVm, B4BuildOnGlobal) {
  const std::string p = "\x80\x04\x63numpy\nprod\n}\x8c\x01\x61\x8c\x02ossb0N.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete) << r.incomplete_reason;
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::build_on_global));
}

TEST(PickleVm, FrameStraddle) {
  // FRAME of 2 bytes, then BINBYTES whose header crosses it and hides a GLOBAL.
  const std::string hidden = "cos\nsystem\n(Vid\ntR";
  std::string p = std::string("\x80\x05") + "\x95\x02\x00\x00\x00\x00\x00\x00\x00"s + "B" +
                  std::string(4, '\0');
  p[p.size() - 4] = static_cast<char>(hidden.size());
  p += hidden + "0N.";
  const auto r = analyze(B(p));
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::frame_violation));
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::hidden_global));
  EXPECT_NE(find(r, "os", "system"), nullptr);
}

TEST(PickleVm, NestedPickleInBytes) {
  const std::string inner = "cos\nsystem\n(Vid\ntR.";
  std::string p = std::string("\x80\x03") + "cpickle\nloads\nC" + static_cast<char>(inner.size()) + inner + "\x85R.";
  const auto r = analyze(B(p));
  ASSERT_TRUE(r.complete) << r.incomplete_reason;
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::nested_pickle));
  EXPECT_NE(find(r, "os", "system"), nullptr);
}

TEST(PickleVm, EncodedNestedPickles) {
  // base64 and hex of "\x80\x04cos\nsystem\n(Vid\ntR." handed to a decoder, then to pickle.loads.
  const std::string b64 = "gARjb3MKc3lzdGVtCihWaWQKdFIu";
  std::string p = "\x80\x04" "cbase64\nb64decode\nX"s;
  p += static_cast<char>(b64.size());
  p += "\0\0\0"s + b64 + "\x85R.";
  auto r = analyze(B(p));
  EXPECT_TRUE(has_anomaly(r, AnomalyKind::nested_pickle));
  EXPECT_NE(find(r, "os", "system"), nullptr);
  const std::string hex = "8004636f730a73797374656d0a2856696" "40a74522e";
  std::string q = "\x80\x04" "cbinascii\nunhexlify\nX"s;
  q += static_cast<char>(hex.size());
  q += "\0\0\0"s + hex + "\x85R.";
  r = analyze(B(q));
  EXPECT_NE(find(r, "os", "system"), nullptr);
  // Ordinary long strings stay ordinary.
  const std::string words = "gAlleria and some other words, not base64";
  r = analyze(B("\x80\x04X"s + static_cast<char>(words.size()) + "\0\0\0"s + words + "."));
  EXPECT_FALSE(has_anomaly(r, AnomalyKind::nested_pickle));
}

TEST(PickleVm, BadInputIsAValue) {
  EXPECT_FALSE(analyze(B("")).complete);
  EXPECT_FALSE(analyze(B("\x80\x04")).complete);
  EXPECT_FALSE(analyze(B("\x80\x09N.")).complete);
  EXPECT_FALSE(analyze(B("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\xffN.")).complete);
  EXPECT_FALSE(analyze(B("X\xff\xff\xff\xff")).complete);
  EXPECT_FALSE(analyze(B("\x89PNG\r\n\x1a\n")).complete);
  // A million nested MARKs: bounded.
  PickleLimits lim;
  lim.max_stack = 1000;
  EXPECT_FALSE(analyze(B(std::string(1'000'000, '(') + "N."), lim).complete);
  // Cyclic memo: a list appended to itself renders without recursion trouble.
  const auto r = analyze(B("\x80\x02]q\x00h\x00\x61\x63os\nsystem\nh\x00\x85R."s));
  EXPECT_NE(find(r, "os", "system"), nullptr);
}

TEST(PickleVm, LooksLikePickle) {
  EXPECT_TRUE(looks_like_pickle(B("cos\nsystem\n(S'id'\ntR.")));
  EXPECT_FALSE(looks_like_pickle(B(std::string(64, '\0'))));
  EXPECT_FALSE(looks_like_pickle(B("hello world")));
  EXPECT_FALSE(looks_like_pickle(B("torch>=2.0\n")));         // t o r... DUP STOP, then more text
  EXPECT_FALSE(looks_like_pickle(B("dict(a=1).items()\n")));
  EXPECT_TRUE(looks_like_pickle(B("(dp0\nVa\np1\nI1\ns.")));  // protocol 0 dict
  EXPECT_TRUE(looks_like_pickle(B("S'os'\nS'system'\n\x93S'ls'\n\x85R.")));
  EXPECT_TRUE(has_proto_magic(B("\x80\x02}.")));
}

}  // namespace
}  // namespace mg::pickle
