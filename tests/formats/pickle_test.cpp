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

std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t k = 0; k + 1 < h.size(); k += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(k, 2)), nullptr, 16)));
  return out;
}

// Text whose bytes decode as opcodes but that CPython refuses at once (stack underflow, no MARK)
// is not a pickle; what pickle.dumps writes at protocols 0 and 1 still is.
TEST(PickleVm, LooksLikePickleFollowsTheStackShape) {
  EXPECT_FALSE(looks_like_pickle(B("repos.cfg\nrepos_init.cfg\nnvtool*\n")));  // LONG_BINPUT on nothing
  EXPECT_FALSE(looks_like_pickle(B("airplane\nautomobile\nbird\ncat\ndeer\n")));  // APPEND on nothing
  EXPECT_FALSE(looks_like_pickle(B("table.colwidths-auto td {\n  width: 50%\n}\n")));  // TUPLE without MARK
  EXPECT_FALSE(starts_like_pickle(B("airplane\nautomobile\nbird\ncat\ndeer\n")));
  // {'a': [1, 2.5, 'x', (1, 2), None, True, b'by'], 'b': {1, 2}, 'c': frozenset({3}),
  //  'd': OrderedDict(k=1), 'e': date(2020, 1, 2), 'f': (), 'g': [[]]}, protocols 0 and 1.
  EXPECT_TRUE(looks_like_pickle(B(
      "(dp0\nVa\np1\n(lp2\nI1\naF2.5\naVx\np3\na(I1\nI2\ntp4\naNaI01\nac_codecs\nencode\np5\n(Vby\np6\nVlatin1\np7\n"
      "tp8\nRp9\nasVb\np10\nc__builtin__\nset\np11\n((lp12\nI1\naI2\natp13\nRp14\nsVc\np15\nc__builtin__\nfrozenset\n"
      "p16\n((lp17\nI3\natp18\nRp19\nsVd\np20\nccollections\nOrderedDict\np21\n(tRp22\nVk\np23\nI1\nssVe\np24\n"
      "cdatetime\ndate\np25\n(g5\n(V\x07\xe4\x01\x02\np26\ng7\ntp27\nRp28\ntp29\nRp30\nsVf\np31\n(tsVg\np32\n(lp33\n"
      "(lp34\nas.")));
  EXPECT_TRUE(looks_like_pickle(B(unhex(
      "7d71002858010000006171015d7102284b014740040000000000005801000000787103284b014b027471044e4930310a635f636f6465"
      "63730a656e636f64650a71052858020000006279710658060000006c6174696e31710774710852710965580100000062710a635f5f"
      "6275696c74696e5f5f0a7365740a710b285d710c284b014b026574710d52710e580100000063710f635f5f6275696c74696e5f5f0a"
      "66726f7a656e7365740a7110285d71114b0361747112527113580100000064711463636f6c6c656374696f6e730a4f72646572656444"
      "6963740a71152952711658010000006b71174b01735801000000657118636461746574696d650a646174650a711928680528580500"
      "000007c3a40102711a680774711b52711c74711d52711e580100000066711f2958010000006771205d71215d712261752e"))));
  // A payload that runs and then breaks the stack on purpose: CPython ran the call before refusing.
  EXPECT_FALSE(looks_like_pickle(B("cos\nsystem\n(S'echo'\ntR00.")));
  EXPECT_TRUE(starts_like_pickle(B("cos\nsystem\n(S'echo'\ntR00.")));
}

}  // namespace
}  // namespace mg::pickle
