// Bump-pointer memory for tree-sitter parses. A parse allocates a few hundred thousand small
// blocks and a Tree is freed node by node; parsing into an arena and dropping the arena whole
// removes malloc/free and the tree teardown from the hot path (about a tenth of parse time).
//
// tree-sitter's allocator hooks are process-wide, so every tree-sitter block carries a small
// header saying where it lives: blocks made while no arena is active (cursors, trees parsed in
// heap mode) are ordinary heap blocks and free() releases them; arena blocks are released with
// their arena. Installed by the first Parser, before any tree-sitter allocation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace mg::py {

class TreeArena {
 public:
  TreeArena() = default;
  ~TreeArena();
  TreeArena(const TreeArena&) = delete;
  TreeArena& operator=(const TreeArena&) = delete;

  // Forgets every block (some memory is kept for the next parse) and sets the budget: once
  // `budget` bytes are in use, cancel_flag() is raised (tree-sitter polls it and stops) and the
  // blocks still needed until it does come from the heap.
  void reset(std::size_t budget = SIZE_MAX);
  std::size_t bytes_in_use() const;
  const std::size_t* cancel_flag() const { return &cancel_; }
  bool over_budget() const { return cancel_ != 0; }
  // True once a block of this parse came from the heap (over budget, or too large for a chunk):
  // a tree holding such blocks must be deleted node by node to free them.
  bool spilled() const { return spilled_; }
  void note_spill() { spilled_ = true; }

  // Routes this thread's tree-sitter allocations into `arena` (nullptr: the heap) until the
  // scope ends.
  class Scope {
   public:
    explicit Scope(TreeArena* arena);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    TreeArena* previous_;
  };

  // Makes tree-sitter allocate through these hooks; idempotent and thread-safe.
  static void install();

  // Used by the hooks.
  void* allocate(std::size_t n);
  // Grows the block in place when it is the last one carved; false otherwise.
  bool try_grow(void* block, std::size_t old_size, std::size_t new_size);

 private:
  struct Chunk {
    std::byte* data;
    std::size_t size;
  };
  std::vector<Chunk> chunks_;
  std::size_t used_ = 0;   // in chunks_.back()
  std::size_t total_ = 0;  // bytes in all chunks
  std::size_t budget_ = SIZE_MAX;
  std::size_t cancel_ = 0;  // read by tree-sitter on the parsing thread only
  bool spilled_ = false;
};

}  // namespace mg::py
