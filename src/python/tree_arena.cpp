#include "python/tree_arena.hpp"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace mg::py {

namespace {

// Precedes every block tree-sitter gets from us; 16 bytes keeps blocks 16-aligned like malloc's.
struct Header {
  std::uint64_t size;
  std::uint32_t tag;
  std::uint32_t spare;
};
static_assert(sizeof(Header) == 16);
constexpr std::uint32_t kHeapTag = 0x48454150;   // "HEAP"
constexpr std::uint32_t kArenaTag = 0x4152454e;  // "AREN"

constexpr std::size_t kFirstChunk = std::size_t{1} << 20;
constexpr std::size_t kMaxChunk = std::size_t{64} << 20;
constexpr std::size_t kMaxKept = std::size_t{16} << 20;  // what reset() keeps for the next parse
constexpr std::size_t kMaxArena = std::size_t{1} << 30;  // the largest budget, whatever the caller asks

thread_local TreeArena* t_active = nullptr;

constexpr std::size_t round16(std::size_t n) { return (n + 15) & ~std::size_t{15}; }

Header* header_of(void* p) { return static_cast<Header*>(p) - 1; }

[[noreturn]] void out_of_memory(std::size_t n) {
  std::fprintf(stderr, "modelgate: out of memory allocating %zu bytes for a syntax tree\n", n);
  std::abort();
}

void* heap_allocate(std::size_t n) {
  if (n > SIZE_MAX - sizeof(Header)) out_of_memory(n);
  auto* h = static_cast<Header*>(std::malloc(sizeof(Header) + n));
  if (h == nullptr) out_of_memory(n);
  h->size = n;
  h->tag = kHeapTag;
  return h + 1;
}

void* hook_malloc(std::size_t n) {
  if (t_active != nullptr) {
    if (void* p = t_active->allocate(n)) return p;
    t_active->note_spill();
  }
  return heap_allocate(n);
}

void* hook_calloc(std::size_t count, std::size_t n) {
  if (n != 0 && count > SIZE_MAX / n) out_of_memory(SIZE_MAX);
  void* p = hook_malloc(count * n);
  std::memset(p, 0, count * n);
  return p;
}

void hook_free(void* p) {
  if (p == nullptr) return;
  Header* h = header_of(p);
  if (h->tag == kHeapTag) {
    h->tag = 0;  // a second free of the same block aborts below instead of corrupting the heap
    std::free(h);
  } else if (h->tag != kArenaTag) {
    std::fprintf(stderr, "modelgate: tree-sitter freed a block it did not get from its allocator\n");
    std::abort();
  }
  // Arena blocks are released with their arena.
}

void* hook_realloc(void* p, std::size_t n) {
  if (p == nullptr) return hook_malloc(n);
  Header* h = header_of(p);
  if (h->tag == kHeapTag) {
    if (n > SIZE_MAX - sizeof(Header)) out_of_memory(n);
    auto* g = static_cast<Header*>(std::realloc(h, sizeof(Header) + n));
    if (g == nullptr) out_of_memory(n);
    g->size = n;
    return g + 1;
  }
  if (h->tag != kArenaTag) {
    std::fprintf(stderr, "modelgate: tree-sitter resized a block it did not get from its allocator\n");
    std::abort();
  }
  if (t_active != nullptr && t_active->try_grow(p, h->size, n)) return p;
  void* q = hook_malloc(n);
  std::memcpy(q, p, std::min<std::size_t>(h->size, n));
  return q;
}

}  // namespace

TreeArena::~TreeArena() {
  if (t_active == this) t_active = nullptr;
  for (const Chunk& c : chunks_) std::free(c.data);
}

void TreeArena::reset(std::size_t budget) {
  budget_ = std::min(budget, kMaxArena);
  cancel_ = 0;
  spilled_ = false;
  if (chunks_.size() > 1) {
    // One chunk as large as this parse needed, so the next parse of a similar file fits in it.
    std::size_t want = kFirstChunk;
    while (want < total_ && want < kMaxKept) want *= 2;
    for (const Chunk& c : chunks_) std::free(c.data);
    chunks_.clear();
    total_ = 0;
    if (auto* d = static_cast<std::byte*>(std::malloc(want))) {
      chunks_.push_back({d, want});
      total_ = want;
    }
  }
  used_ = 0;
}

std::size_t TreeArena::bytes_in_use() const {
  if (chunks_.empty()) return 0;
  return total_ - chunks_.back().size + used_;
}

void* TreeArena::allocate(std::size_t n) {
  if (n > kMaxChunk) return nullptr;
  const std::size_t need = sizeof(Header) + round16(n);
  if (chunks_.empty() || chunks_.back().size - used_ < need) {
    std::size_t size = chunks_.empty() ? kFirstChunk : std::min(kMaxChunk, chunks_.back().size * 2);
    size = std::max(size, need);
    if (total_ + size > budget_) cancel_ = 1;
    if (cancel_ != 0) return nullptr;
    auto* d = static_cast<std::byte*>(std::malloc(size));
    if (d == nullptr) return nullptr;
    chunks_.push_back({d, size});
    total_ += size;
    used_ = 0;
  }
  auto* h = reinterpret_cast<Header*>(chunks_.back().data + used_);
  used_ += need;
  h->size = n;
  h->tag = kArenaTag;
  return h + 1;
}

bool TreeArena::try_grow(void* block, std::size_t old_size, std::size_t new_size) {
  if (chunks_.empty() || new_size > kMaxChunk) return false;
  const Chunk& c = chunks_.back();
  auto* end = static_cast<std::byte*>(block) + round16(old_size);
  if (end != c.data + used_) return false;  // not the last block carved
  const std::size_t start = used_ - round16(old_size);
  if (c.size - start < round16(new_size)) return false;
  used_ = start + round16(new_size);
  header_of(block)->size = new_size;
  return true;
}

TreeArena::Scope::Scope(TreeArena* arena) : previous_(t_active) { t_active = arena; }
TreeArena::Scope::~Scope() { t_active = previous_; }

void TreeArena::install() {
  static std::once_flag once;
  std::call_once(once, [] { ts_set_allocator(hook_malloc, hook_calloc, hook_realloc, hook_free); });
}

}  // namespace mg::py
