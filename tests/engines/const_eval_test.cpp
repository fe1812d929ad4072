// The behaviour engine's partial evaluator: computed names resolve, decoders run on constants,
// and hostile constants stay within the budget.
#include <gtest/gtest.h>

#include <string>

#include "behaviour/const_eval.hpp"
#include "python/module_index.hpp"

namespace {

using mg::behaviour::CVal;

// The callee of the last call statement of `src`, as the evaluator resolves it.
std::string callee_of_last_call(const std::string& src) {
  mg::py::Parser parser;
  auto tree = parser.parse(src);
  mg::py::NameTable names;
  (void)mg::py::index_module(tree, &names);
  mg::behaviour::ConstEval ce(tree, names, nullptr);
  // The outermost call of the last statement.
  TSNode stmt = ts_node_named_child(tree.root(), ts_node_named_child_count(tree.root()) - 1);
  TSNode call = ts_node_named_child(stmt, 0);
  return ce.callee(mg::py::field(call, "function"));
}

std::optional<CVal> value_of_last_expression(const std::string& src) {
  static mg::py::Parser parser;
  static mg::py::Tree tree;
  tree = parser.parse(src);
  static mg::py::NameTable names;
  names = mg::py::NameTable{};
  (void)mg::py::index_module(tree, &names);
  mg::behaviour::ConstEval ce(tree, names, nullptr);
  TSNode stmt = ts_node_named_child(tree.root(), ts_node_named_child_count(tree.root()) - 1);
  return ce.eval(ts_node_named_child(stmt, 0));
}

TEST(ConstEval, ComputedNamesResolve) {
  EXPECT_EQ(callee_of_last_call("import os\ngetattr(os, 'sy' + 'stem')('x')\n"), "os.system");
  EXPECT_EQ(callee_of_last_call("getattr(__import__(''.join(map(chr, [111, 115]))), 'system')('x')\n"), "os.system");
  EXPECT_EQ(callee_of_last_call("vars(__builtins__)['ex' + 'ec']('x')\n"), "exec");
  EXPECT_EQ(callee_of_last_call("vars(__builtins__).get('eval')('x')\n"), "eval");
  EXPECT_EQ(callee_of_last_call("import sys\nsys.modules['os'].system('x')\n"), "os.system");
  EXPECT_EQ(callee_of_last_call("import os\nos.__dict__['startfile']('x')\n"), "os.startfile");
  EXPECT_EQ(callee_of_last_call("import os\nos.__getattribute__('system').__call__('x')\n"), "os.system");
  EXPECT_EQ(callee_of_last_call("import builtins\ngetattr(builtins, b'\\x85\\xa5\\x81\\x93'.decode('cp1026'))('x')\n"), "eval");
  EXPECT_EQ(callee_of_last_call("\xf0\x9d\x9a\x8e\xf0\x9d\x9a\xa1\xf0\x9d\x9a\x8e\xf0\x9d\x9a\x8c('x')\n"), "exec");  // mathematical monospace
  EXPECT_EQ(callee_of_last_call("from subprocess import Popen as P\nP(['ls'])\n"), "subprocess.Popen");
}

TEST(ConstEval, DecodersRunOnConstants) {
  auto v = value_of_last_expression("import base64\nbase64.b64decode('Y3VybCB4')\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->s, "curl x");
  EXPECT_TRUE(v->decoded);
  v = value_of_last_expression("bytes.fromhex('6f73').decode()\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->s, "os");
  v = value_of_last_expression("import codecs\ncodecs.decode('bf.flfgrz', 'rot13')\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->s, "os.system");
  v = value_of_last_expression("import zlib\nzlib.decompress(bytes.fromhex('789ccb2fd62bae2c2e49cd0500123803b6'))\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->s, "os.system");
  v = value_of_last_expression("''.join([chr(c ^ 1) for c in [110, 114]])\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->s, "os");
  EXPECT_TRUE(v->decoded);
  v = value_of_last_expression("'metsys.so'[::-1]\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->s, "os.system");
  v = value_of_last_expression("'\\157\\163'\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->s, "os");
  v = value_of_last_expression("'%s -c %s' % ('sh', 'id')\n");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->s, "sh -c id");
}

TEST(ConstEval, HostileConstantsStayBounded) {
  EXPECT_FALSE(value_of_last_expression("'a' * 10 ** 9\n"));
  EXPECT_FALSE(value_of_last_expression("('a' * 1000000) * 1000\n"));
  std::string deep = "x = " + std::string(5000, '(') + "'a'" + std::string(5000, ')') + "\n'b'\n";
  EXPECT_TRUE(value_of_last_expression(deep));
  // A comprehension over a long constant runs out of steps instead of running away.
  EXPECT_FALSE(value_of_last_expression("''.join([chr(c) for c in list(range(0))] + [chr(c) for c in " + std::string("[") +
                                        [] {
                                          std::string s;
                                          for (int i = 0; i < 30000; ++i) s += "65,";
                                          return s;
                                        }() + "]])\n"));
}

}  // namespace
