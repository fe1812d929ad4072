#include <gtest/gtest.h>

#include "python/checker.hpp"
#include "python/module_index.hpp"

namespace mg::py {
namespace {

struct Parsed {
  std::string src;
  Parser parser;
  Tree tree;
  explicit Parsed(std::string s) : src(std::move(s)) { tree = parser.parse(src); }
};

// Qualified name of the callee of the n-th call (source order) after indexing the whole file.
std::vector<std::string> callees(const std::string& src) {  // NOLINT(misc-use-internal-linkage)
  Parsed p(src);
  IndexBuilder b(p.tree);
  std::vector<std::string> out;
  walk_tree(
      p.tree.root(),
      [&](TSNode n) {
        if (!b.enter(n)) return false;
        if (is(n, "call")) out.push_back(b.names().call_qualname(p.tree, n));
        return true;
      },
      [&](TSNode n) { b.leave(n); });
  return out;
}

TEST(ModuleIndex, ImportsAllForms) {
  Parsed p(
      "import os\nimport os.path as osp\nimport a.b.c\nfrom x.y import z as w, q\nfrom . import sib\n"
      "from ..pkg.mod import thing\nfrom m import *\nimport importlib\nmod = importlib.import_module('pic' + 'kle')\n"
      "__import__('subprocess')\n");
  const ModuleIndex idx = index_module(p.tree);
  ASSERT_EQ(idx.imports.size(), 11u);
  EXPECT_EQ(idx.imports[0].qualified(), "os");
  EXPECT_EQ(idx.imports[1].alias, "osp");
  EXPECT_EQ(idx.imports[1].bound_name(), "osp");
  EXPECT_EQ(idx.imports[2].bound_name(), "a");
  EXPECT_EQ(idx.imports[3].qualified(), "x.y.z");
  EXPECT_EQ(idx.imports[3].bound_name(), "w");
  EXPECT_EQ(idx.imports[4].qualified(), "x.y.q");
  EXPECT_EQ(idx.imports[5].level, 1);
  EXPECT_EQ(idx.imports[5].qualified(), "sib");
  EXPECT_EQ(idx.imports[6].level, 2);
  EXPECT_EQ(idx.imports[6].module, "pkg.mod");
  EXPECT_EQ(idx.imports[7].name, "*");
  EXPECT_EQ(idx.imports[9].kind, ImportKind::dynamic);
  EXPECT_EQ(idx.imports[9].module, "pickle");
  EXPECT_EQ(idx.imports[10].module, "subprocess");
  EXPECT_EQ(idx.imports[10].line, 10u);
}

TEST(ModuleIndex, QualifiedNamesThroughAliases) {
  const auto c = callees(
      "import pickle as pk\nfrom subprocess import Popen\nfrom os import path as p\nimport torch\n"
      "pk.loads(b)\nPopen(x)\np.join(a)\ntorch.nn.Linear(1, 2)\nfoo().bar()\nx[0]()\n");
  ASSERT_EQ(c.size(), 7u);
  EXPECT_EQ(c[0], "pickle.loads");
  EXPECT_EQ(c[1], "subprocess.Popen");
  EXPECT_EQ(c[2], "os.path.join");
  EXPECT_EQ(c[3], "torch.nn.Linear");
  EXPECT_EQ(c[4], ".bar");  // Bandit: a non-name root resolves to "" (outer call first)
  EXPECT_EQ(c[5], "foo");
  EXPECT_EQ(c[6], "");
}

TEST(ModuleIndex, SimpleAssignmentsAndDynamicImports) {
  const auto c = callees(
      "import pickle, json\np = pickle\np.loads(b)\nl = pickle.loads\nl(b)\np = json\np.loads(b)\n"
      "import importlib\nm = importlib.import_module('mar' 'shal')\nm.loads(x)\n(pickle).load(f)\n");
  // calls: p.loads, l, p.loads, importlib.import_module, m.loads, pickle.load
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[0], "pickle.loads");
  EXPECT_EQ(c[1], "pickle.loads");
  EXPECT_EQ(c[2], "json.loads");
  EXPECT_EQ(c[4], "marshal.loads");
  EXPECT_EQ(c[5], "pickle.load");
}

TEST(ModuleIndex, UnrelatedAssignmentsDoNotAlias) {
  const auto c = callees("x = foo\nx.loads(b)\np = 3\np.bit_length()\n");
  EXPECT_EQ(c[0], "x.loads");
  EXPECT_EQ(c[1], "p.bit_length");
}

TEST(ModuleIndex, LiteralStrings) {
  Parsed p("A = 'pic'\nB = A + 'kle'\nC = f'x{y}'\nD = 'a' 'b'\nE = 'x'\nE = 'y'\nuse(A + 'kle', B, C, D, E, ('p' + ('i' + 'ckle')))\n");
  NameTable names;
  index_module(p.tree, &names);
  TSNode call{};
  walk_tree(p.tree.root(), [&](TSNode n) { if (is(n, "call")) call = n; return true; }, [](TSNode) {});
  const auto args = named_children(field(call, "arguments"));
  ASSERT_EQ(args.size(), 6u);
  EXPECT_EQ(names.literal_string(p.tree, args[0]).value_or("?"), "pickle");
  EXPECT_EQ(names.literal_string(p.tree, args[1]).value_or("?"), "pickle");
  EXPECT_FALSE(names.literal_string(p.tree, args[2]).has_value());  // f-string
  EXPECT_EQ(names.literal_string(p.tree, args[3]).value_or("?"), "ab");
  EXPECT_FALSE(names.literal_string(p.tree, args[4]).has_value());  // assigned twice
  EXPECT_EQ(names.literal_string(p.tree, args[5]).value_or("?"), "pickle");
}

TEST(ModuleIndex, ScopesDecoratorsAndSpans) {
  Parsed p(
      "import functools\nclass A(Base, mod.Mixin):\n    @staticmethod\n    def f(x):\n        def g():\n            pass\n"
      "        return g\n\n@functools.lru_cache(maxsize=2)\nasync def h():\n    import os\n");
  const ModuleIndex idx = index_module(p.tree);
  ASSERT_EQ(idx.scopes.size(), 4u);
  EXPECT_EQ(idx.scopes[0].qualname, "A");
  EXPECT_EQ(idx.scopes[0].kind, ScopeKind::klass);
  EXPECT_EQ(idx.scopes[0].bases, (std::vector<std::string>{"Base", "mod.Mixin"}));
  EXPECT_EQ(idx.scopes[1].qualname, "A.f");
  EXPECT_EQ(idx.scopes[1].decorators, std::vector<std::string>{"staticmethod"});
  EXPECT_EQ(idx.scopes[1].span.first_line, 3u);
  EXPECT_EQ(idx.scopes[1].span.last_line, 7u);
  EXPECT_EQ(idx.scopes[2].qualname, "A.f.g");
  EXPECT_EQ(idx.scopes[2].parent, 1);
  EXPECT_EQ(idx.scopes[3].qualname, "h");
  EXPECT_TRUE(idx.scopes[3].is_async);
  EXPECT_EQ(idx.scopes[3].decorators, std::vector<std::string>{"functools.lru_cache"});
  ASSERT_EQ(idx.imports.size(), 2u);
  EXPECT_EQ(idx.imports[1].scope, 3);
  EXPECT_EQ(idx.imports[0].scope, -1);
}

TEST(ModuleIndex, ErrorNodesAreSkippedAndMeasured) {
  Parsed p("import os\ndef f(:\n    os.system(x)\n)))) ((( @@@ $$$\nimport pickle\n");
  const ModuleIndex idx = index_module(p.tree);
  EXPECT_FALSE(idx.error_spans.empty());
  EXPECT_GT(idx.error_bytes, 0u);
  EXPECT_GT(idx.error_fraction(p.src.size()), 0.0);
}

TEST(ModuleIndex, Python2Source) {
  Parsed p("import urllib2\nprint 'hello'\nexec code in ns\ntry:\n    x = 1\nexcept Exception, e:\n    pass\n");
  const ModuleIndex idx = index_module(p.tree);
  EXPECT_TRUE(idx.error_spans.empty());
  ASSERT_EQ(idx.imports.size(), 1u);
  EXPECT_EQ(idx.imports[0].module, "urllib2");
}

TEST(ModuleIndex, DeepNestingIsIterative) {
  std::string src = "x = ";
  for (int i = 0; i < 20000; ++i) src += "(";
  src += "1";
  for (int i = 0; i < 20000; ++i) src += ")";
  src += "\nimport os\n";
  Parsed p(src);
  const ModuleIndex idx = index_module(p.tree);  // must not overflow the stack
  EXPECT_GT(idx.nodes, 0u);
}

TEST(Checker, LiteralHelpers) {
  Parsed p("f(True, 0, 1, [], [1], None, 'x', '', 0o777, 0777, 0x1ff, -3, name)\n");
  TSNode call{};
  walk_tree(p.tree.root(), [&](TSNode n) { if (is(n, "call")) call = n; return true; }, [](TSNode) {});
  const auto a = named_children(field(call, "arguments"));
  ASSERT_EQ(a.size(), 13u);
  EXPECT_EQ(literal_truth(p.tree, a[0]), std::optional<bool>(true));
  EXPECT_EQ(literal_truth(p.tree, a[1]), std::optional<bool>(false));
  EXPECT_EQ(literal_truth(p.tree, a[2]), std::optional<bool>(true));
  EXPECT_EQ(literal_truth(p.tree, a[3]), std::optional<bool>(false));
  EXPECT_EQ(literal_truth(p.tree, a[4]), std::optional<bool>(true));
  EXPECT_EQ(literal_truth(p.tree, a[5]), std::optional<bool>(false));
  EXPECT_EQ(literal_truth(p.tree, a[6]), std::optional<bool>(true));
  EXPECT_EQ(literal_truth(p.tree, a[7]), std::optional<bool>(false));
  EXPECT_EQ(literal_int(p.tree, a[8]), std::optional<long long>(0777));
  EXPECT_EQ(literal_int(p.tree, a[9]), std::optional<long long>(0777));
  EXPECT_EQ(literal_int(p.tree, a[10]), std::optional<long long>(0x1ff));
  EXPECT_EQ(literal_int(p.tree, a[11]), std::optional<long long>(-3));
  EXPECT_FALSE(literal_truth(p.tree, a[12]).has_value());
}

}  // namespace
}  // namespace mg::py

namespace mg::py {
namespace {
TEST(ModuleIndex, DynamicImportThroughAliasedFunction) {
  Parser parser;
  const std::string src = "from importlib import import_module as load\nm = load('pickle')\nimport importlib as il\nil.import_module('marshal')\n";
  Tree tree = parser.parse(src);
  const ModuleIndex idx = index_module(tree);
  ASSERT_EQ(idx.imports.size(), 4u);
  EXPECT_EQ(idx.imports[1].kind, ImportKind::dynamic);
  EXPECT_EQ(idx.imports[1].module, "pickle");
  EXPECT_EQ(idx.imports[3].module, "marshal");
}
}  // namespace
}  // namespace mg::py

namespace mg::py {
namespace {
TEST(ModuleIndex, LiteralGetattrAndDynamicImportRoots) {
  const auto c = callees(
      "import pickle\nNAME = 'loads'\ngetattr(pickle, NAME)(b)\n__import__('os').system(x)\n"
      "getattr(__import__('subprocess'), 'Popen')(x)\ngetattr(obj, name)(x)\nf().g()\n");
  // Pre-order: outer calls first, then the calls nested in their callees.
  ASSERT_GE(c.size(), 7u);
  EXPECT_EQ(c[0], "pickle.loads");
  EXPECT_EQ(c[1], "getattr");
  EXPECT_EQ(c[2], "os.system");
  EXPECT_EQ(c[3], "__import__");
  EXPECT_EQ(c[4], "subprocess.Popen");
  EXPECT_EQ(c[7], "");  // getattr with a computed name stays unresolved
}
}  // namespace
}  // namespace mg::py
