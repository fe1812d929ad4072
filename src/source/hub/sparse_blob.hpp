// A remote file as the parsers see it: its full size, the byte ranges fetched so far in place, and
// zeros elsewhere. The memory is an anonymous mapping, so unfetched ranges cost nothing; the pages
// a parser touched without their bytes having been fetched are found afterwards (mincore), and the
// source fetches them and has the snapshot scanned again. So the engines read through the same Blob
// interface as for files on disk, and a wrong guess about what they read costs a round, never a
// wrong answer.
#pragma once
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/blob.hpp"

namespace mg::hub {

class SparseBlob final : public Blob {
 public:
  static constexpr std::uint64_t kPage = 4096;

  static Result<std::shared_ptr<SparseBlob>> create(std::uint64_t size);
  ~SparseBlob() override;
  SparseBlob(const SparseBlob&) = delete;
  SparseBlob& operator=(const SparseBlob&) = delete;

  const std::uint8_t* data() const override { return base_; }
  std::size_t size() const override { return size_; }

  // Copies fetched bytes in at `offset`; they must cover whole pages (the last page may end at
  // the end of the file) so that a page is either all real bytes or all unfetched.
  void fill(std::uint64_t offset, const std::uint8_t* bytes, std::uint64_t len);
  bool fetched(std::uint64_t page) const { return page < fetched_.size() && fetched_[page]; }
  // Unfetched ranges in [begin, end), page aligned.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> missing(std::uint64_t begin, std::uint64_t end) const;
  // Page-aligned ranges [begin, end) that something read although they were never fetched.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> touched_unfetched() const;
  std::uint64_t fetched_bytes() const;

 private:
  SparseBlob(std::uint8_t* base, std::size_t size, std::size_t mapped);
  std::uint8_t* base_;
  std::size_t size_;
  std::size_t mapped_;
  std::vector<bool> fetched_;
};

}  // namespace mg::hub
