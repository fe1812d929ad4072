#include "core/blob.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mg {

namespace {

class MappedBlob final : public Blob {
 public:
  MappedBlob(void* addr, std::size_t size) : addr_(addr), size_(size) {}
  ~MappedBlob() override {
    if (addr_ != nullptr) munmap(addr_, size_);
  }
  MappedBlob(const MappedBlob&) = delete;
  MappedBlob& operator=(const MappedBlob&) = delete;
  const std::uint8_t* data() const override { return static_cast<const std::uint8_t*>(addr_); }
  std::size_t size() const override { return size_; }

 private:
  void* addr_;
  std::size_t size_;
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

constexpr std::size_t kReadBytes = 1u << 20;
constexpr std::size_t kRandomAccessBytes = 64u << 20;

Error errno_error(const char* what) { return make_error(std::string(what) + ": " + std::strerror(errno)); }

}  // namespace

Result<BlobPtr> map_file(const std::string& abs_path) {
  // O_NONBLOCK keeps a FIFO planted in a repository from hanging the open.
  Fd fd(open(abs_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return errno_error("cannot open");
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return errno_error("cannot stat");
  if (!S_ISREG(st.st_mode)) return make_error("not a regular file");
  if (st.st_size == 0) return BlobPtr(std::make_shared<OwnedBlob>(std::vector<std::uint8_t>{}));
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size <= kReadBytes) {
    // Small files (source code, configs) are read: mapping costs page faults and an munmap that
    // interrupts every thread of the process, more than copying a few kilobytes.
    std::vector<std::uint8_t> buf(size);
    std::size_t got = 0;
    while (got < size) {
      const ssize_t n = pread(fd.get(), buf.data() + got, size - got, static_cast<off_t>(got));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("cannot read");
      }
      if (n == 0) break;  // the file shrank while being read
      got += static_cast<std::size_t>(n);
    }
    buf.resize(got);
    return BlobPtr(std::make_shared<OwnedBlob>(std::move(buf)));
  }
  void* addr = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (addr == MAP_FAILED) return errno_error("cannot map");
  // Large files (weights) are read where their metadata points, not front to back: without this,
  // every page fault pulls megabytes of read-ahead and a 10 GB checkpoint costs far more I/O.
  if (size >= kRandomAccessBytes) madvise(addr, size, MADV_RANDOM);
  return BlobPtr(std::make_shared<MappedBlob>(addr, size));
}

Result<std::vector<std::uint8_t>> read_head(const std::string& abs_path, std::size_t max_bytes) {
  Fd fd(open(abs_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return errno_error("cannot open");
  std::vector<std::uint8_t> buf(max_bytes);
  std::size_t got = 0;
  while (got < max_bytes) {
    const ssize_t n = read(fd.get(), buf.data() + got, max_bytes - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read");
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  return buf;
}

}  // namespace mg
