// RAII, move-only wrappers over the tree-sitter C API for Python sources, and small node helpers.
// Parsing is bounded in time; a tree with error nodes is still returned (error recovery).
#pragma once
#include <tree_sitter/api.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "python/grammar.hpp"
#include "python/tree_arena.hpp"

namespace mg::py {

class Tree {
 public:
  Tree() = default;
  // `arena`, when set, holds the tree's memory: the tree is dropped with it, not node by node
  // (unless some of its blocks spilled to the heap).
  Tree(TSTree* tree, std::string_view source, std::shared_ptr<TreeArena> arena = nullptr, bool spilled = false)
      : tree_(tree), source_(source), arena_(std::move(arena)), spilled_(spilled) {}
  ~Tree() { release(); }
  Tree(Tree&& other) noexcept
      : tree_(other.tree_), source_(other.source_), arena_(std::move(other.arena_)), spilled_(other.spilled_) {
    other.tree_ = nullptr;
  }
  Tree& operator=(Tree&& other) noexcept {
    if (this != &other) {
      release();
      tree_ = other.tree_;
      source_ = other.source_;
      arena_ = std::move(other.arena_);
      spilled_ = other.spilled_;
      other.tree_ = nullptr;
    }
    return *this;
  }
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  explicit operator bool() const { return tree_ != nullptr; }
  TSNode root() const { return ts_tree_root_node(tree_); }
  std::string_view source() const { return source_; }  // the caller keeps the bytes alive
  std::string_view text(TSNode n) const;
  bool has_error() const { return ts_node_has_error(root()); }

 private:
  void release() {
    // Before the arena goes: deleting frees the heap blocks and skips the arena's.
    if (tree_ != nullptr && (arena_ == nullptr || spilled_)) ts_tree_delete(tree_);
    tree_ = nullptr;
    arena_.reset();
  }

  TSTree* tree_ = nullptr;
  std::string_view source_;
  std::shared_ptr<TreeArena> arena_;
  bool spilled_ = false;
};

// Parses into an arena that the returned Tree shares: the next parse reuses the arena's memory
// when that Tree is gone, and takes a fresh arena when it is still alive. Builds with sanitizers
// (MODELGATE_TREE_ARENA=0) parse on the heap so tree-sitter's own memory use stays checked.
class Parser {
 public:
  Parser();
  ~Parser();
  Parser(Parser&& other) noexcept : parser_(other.parser_), arena_(std::move(other.arena_)) { other.parser_ = nullptr; }
  Parser& operator=(Parser&&) = delete;
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  // Returns an empty Tree when the time or memory limit is hit (see last_failure()) or the
  // source is too large for tree-sitter. Syntax trees take about 120 bytes per source byte.
  Tree parse(std::string_view source, std::uint64_t timeout_micros = 5'000'000, std::size_t max_tree_bytes = kMaxTreeBytes);

  static constexpr std::size_t kMaxTreeBytes = std::size_t{512} << 20;
  static bool enforces_memory_budget();  // arena parsing (off in sanitizer builds)
  enum class Failure : unsigned char { none, time, memory };
  Failure last_failure() const { return failure_; }

 private:
  TSParser* parser_ = nullptr;  // heap mode only; in arena mode each parse makes its own
  std::shared_ptr<TreeArena> arena_;
  Failure failure_ = Failure::none;
};

// The named children of a node, in order. Most nodes have a few: up to eight are kept inline, so
// walking a tree does not allocate per node.
class NodeList {
 public:
  const TSNode* begin() const { return heap_.empty() ? inline_ : heap_.data(); }
  const TSNode* end() const { return begin() + size_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const TSNode& operator[](std::size_t i) const { return begin()[i]; }
  void push_back(TSNode n) {
    if (size_ < kInline) {
      inline_[size_++] = n;
      return;
    }
    if (heap_.empty()) heap_.assign(inline_, inline_ + kInline);
    heap_.push_back(n);
    ++size_;
  }

 private:
  static constexpr std::size_t kInline = 8;
  TSNode inline_[kInline];
  std::vector<TSNode> heap_;
  std::size_t size_ = 0;
};

// Node helpers.
// is(n, "call") and field(n, "name"): see python/grammar.hpp.
NodeList named_children(TSNode n);
inline std::uint32_t line_of(TSNode n) { return ts_node_start_point(n).row + 1; }
inline std::uint32_t column_of(TSNode n) { return ts_node_start_point(n).column + 1; }

// The value of a plain string literal (no f-string interpolation, implicit concatenation allowed),
// with simple escapes decoded; nullopt for anything else.
std::optional<std::string> string_value(const Tree& tree, TSNode n);
// 'a', ['a', 'b'], ('a', 'b'): the strings; nullopt if any element is not a plain string.
std::optional<std::vector<std::string>> string_list(const Tree& tree, TSNode n);

}  // namespace mg::py
