// Trees parsed into arenas stay valid for as long as the Tree object lives, whatever the parser
// does next; arena memory is reused once the tree is gone.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "python/module_index.hpp"
#include "python/tree.hpp"

namespace mg::py {
namespace {

std::string module_with(int functions, const std::string& tag) {
  std::string s;
  for (int i = 0; i < functions; ++i) s += "def " + tag + std::to_string(i) + "(a, b=1):\n    return a + b * " + std::to_string(i) + "\n";
  return s;
}

std::size_t count_named(const Tree& t) {
  std::size_t n = 0;
  walk_tree(t.root(), [&](TSNode) { return ++n, true; }, [](TSNode) {});
  return n;
}

TEST(TreeArena, TreeOutlivesItsParser) {
  const std::string src = "import os\nx = os.getcwd()\n";
  Tree t;
  {
    Parser p;
    t = p.parse(src);
  }
  ASSERT_TRUE(t);
  EXPECT_EQ(t.text(ts_node_named_child(t.root(), 0)), "import os");
}

TEST(TreeArena, EarlierTreesSurviveLaterParses) {
  Parser p;
  const std::string a = module_with(200, "alpha"), b = module_with(300, "beta"), c = module_with(50, "gamma");
  Tree ta = p.parse(a);
  Tree tb = p.parse(b);
  const std::size_t na = count_named(ta);
  { Tree tc = p.parse(c); }
  Tree tc2 = p.parse(c);  // reuses memory no live tree owns
  EXPECT_EQ(count_named(ta), na);
  EXPECT_EQ(ta.text(ts_node_child_by_field_name(ts_node_named_child(ta.root(), 199), "name", 4)), "alpha199");
  EXPECT_EQ(tb.text(ts_node_child_by_field_name(ts_node_named_child(tb.root(), 299), "name", 4)), "beta299");
  EXPECT_EQ(ts_node_named_child_count(tc2.root()), 50u);
}

TEST(TreeArena, ManyParsesAndALargeFile) {
  Parser p;
  for (int i = 0; i < 50; ++i) {
    Tree t = p.parse(module_with(i + 1, "f"));
    ASSERT_EQ(ts_node_named_child_count(t.root()), static_cast<std::uint32_t>(i + 1));
  }
  // Larger than one arena chunk: the arena grows, and the next parse starts from one chunk.
  const std::string big = module_with(20000, "big");
  Tree t = p.parse(big);
  ASSERT_TRUE(t);
  EXPECT_EQ(ts_node_named_child_count(t.root()), 20000u);
  EXPECT_FALSE(t.has_error());
  t = Tree();
  Tree small = p.parse("x = 1\n");
  EXPECT_EQ(ts_node_named_child_count(small.root()), 1u);
}

TEST(TreeArena, LargeAndSmallTreesLiveSideBySide) {
  Parser p;
  const std::string big = module_with(20000, "big"), small = module_with(10, "small");  // 800 KB, 400 B
  Tree b1 = p.parse(big);
  Tree s1 = p.parse(small);
  Tree b2 = p.parse(big);
  Tree s2 = p.parse(small);
  for (const Tree* t : {&b1, &b2}) EXPECT_EQ(ts_node_named_child_count(t->root()), 20000u);
  for (const Tree* t : {&s1, &s2}) EXPECT_EQ(ts_node_named_child_count(t->root()), 10u);
  EXPECT_EQ(count_named(b1), count_named(b2));
}

TEST(TreeArena, BudgetsCancelOrKeepAWholeTree) {
  // Around the size this tree needs, a parse is either cancelled (memory) or complete, with blocks
  // that spilled to the heap freed when the tree goes (LeakSanitizer checks that in ASan builds).
  Parser p;
  const std::string src = module_with(2000, "f");
  int cancelled = 0, complete = 0;
  for (std::size_t budget = 64u << 10; budget <= (16u << 20); budget += budget / 4) {
    Tree t = p.parse(src, 5'000'000, budget);
    if (t) {
      ++complete;
      EXPECT_EQ(ts_node_named_child_count(t.root()), 2000u);
    } else {
      ++cancelled;
      EXPECT_EQ(p.last_failure(), Parser::Failure::memory);
    }
  }
  if (Parser::enforces_memory_budget()) {
    EXPECT_GT(cancelled, 0);
  }
  EXPECT_GT(complete, 0);
}

TEST(TreeArena, MovedTreesKeepTheirMemory) {
  Parser p;
  std::vector<Tree> trees;
  std::vector<std::string> sources;
  for (int i = 0; i < 8; ++i) sources.push_back(module_with(10 + i, "m"));
  for (const auto& s : sources) trees.push_back(p.parse(s));
  for (std::size_t i = 0; i < trees.size(); ++i) EXPECT_EQ(ts_node_named_child_count(trees[i].root()), 10 + i);
}

}  // namespace
}  // namespace mg::py
