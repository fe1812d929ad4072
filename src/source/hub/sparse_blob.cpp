#include "source/hub/sparse_blob.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mg::hub {

Result<std::shared_ptr<SparseBlob>> SparseBlob::create(std::uint64_t size) {
  if (size == 0 || size > (1ull << 42)) return make_error("cannot hold a remote file of " + std::to_string(size) + " bytes");
  const std::size_t mapped = static_cast<std::size_t>((size + kPage - 1) / kPage * kPage);
  void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return make_error(std::string("cannot reserve memory for a remote file: ") + std::strerror(errno));
  // Huge pages would make a page's neighbours resident and look read.
  madvise(p, mapped, MADV_NOHUGEPAGE);
  return std::shared_ptr<SparseBlob>(new SparseBlob(static_cast<std::uint8_t*>(p), static_cast<std::size_t>(size), mapped));
}

SparseBlob::SparseBlob(std::uint8_t* base, std::size_t size, std::size_t mapped)
    : base_(base), size_(size), mapped_(mapped), fetched_(mapped / kPage, false) {}

SparseBlob::~SparseBlob() { munmap(base_, mapped_); }

void SparseBlob::fill(std::uint64_t offset, const std::uint8_t* bytes, std::uint64_t len) {
  if (offset >= size_ || len == 0) return;
  len = std::min<std::uint64_t>(len, size_ - offset);
  std::memcpy(base_ + offset, bytes, static_cast<std::size_t>(len));
  // Only pages wholly covered (or ending at the end of the file) count as fetched.
  const std::uint64_t first = (offset + kPage - 1) / kPage;
  const std::uint64_t end = offset + len;
  const std::uint64_t last = end == size_ ? (end + kPage - 1) / kPage : end / kPage;
  for (std::uint64_t p = first; p < last && p < fetched_.size(); ++p) fetched_[p] = true;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> SparseBlob::missing(std::uint64_t begin, std::uint64_t end) const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  end = std::min<std::uint64_t>(end, size_);
  for (std::uint64_t p = begin / kPage; p * kPage < end; ++p) {
    if (fetched_[p]) continue;
    const std::uint64_t a = p * kPage, b = std::min<std::uint64_t>((p + 1) * kPage, size_);
    if (!out.empty() && out.back().second == a) out.back().second = b;
    else out.emplace_back(a, b);
  }
  return out;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> SparseBlob::touched_unfetched() const {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  std::vector<unsigned char> resident(fetched_.size());
  if (mincore(base_, mapped_, resident.data()) != 0) {
    // Cannot tell what was read: treat every unfetched page as read (fail closed).
    return missing(0, size_);
  }
  for (std::size_t p = 0; p < resident.size(); ++p) {
    if (fetched_[p] || !(resident[p] & 1)) continue;
    const std::uint64_t a = p * kPage, b = std::min<std::uint64_t>((p + 1) * kPage, size_);
    if (!out.empty() && out.back().second == a) out.back().second = b;
    else out.emplace_back(a, b);
  }
  return out;
}

std::uint64_t SparseBlob::fetched_bytes() const {
  std::uint64_t n = 0;
  for (std::size_t p = 0; p < fetched_.size(); ++p) {
    if (fetched_[p]) n += std::min<std::uint64_t>(kPage, size_ - p * kPage);
  }
  return n;
}

}  // namespace mg::hub
