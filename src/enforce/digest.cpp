#include "enforce/digest.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <thread>

namespace mg::enforce {

namespace {

constexpr std::size_t kReadSize = 8u << 20;  // large sequential reads: few syscalls, readahead stays ahead

struct MdCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~MdCtx() { EVP_MD_CTX_free(ctx); }
};

const EVP_MD* md_of(DigestAlgo a) { return a == DigestAlgo::sha256 ? EVP_sha256() : EVP_blake2b512(); }

Result<std::string> finish(MdCtx& md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_DigestFinal_ex(md.ctx, out, &len) != 1) return make_error("digest failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

Result<std::string> digest_file(const DigestItem& item, DigestAlgo algo, std::vector<unsigned char>& buf) {
  MdCtx md;
  if (md.ctx == nullptr || EVP_DigestInit_ex(md.ctx, md_of(algo), nullptr) != 1) return make_error("digest init failed");
  if (item.abs_path.empty()) {
    if (!item.blob) return make_error("no content");
    const std::uint64_t size = item.blob->size();
    const std::uint64_t begin = std::min(item.offset, size);
    const std::uint64_t end = item.length > size - begin ? size : begin + item.length;
    if (EVP_DigestUpdate(md.ctx, item.blob->data() + begin, end - begin) != 1) return make_error("digest failed");
    return finish(md);
  }
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  } file{::open(item.abs_path.c_str(), O_RDONLY | O_CLOEXEC)};
  const int fd = file.fd;
  if (fd < 0) return make_error(item.abs_path + ": " + std::strerror(errno));
  ::posix_fadvise(fd, static_cast<off_t>(item.offset), 0, POSIX_FADV_SEQUENTIAL);
  if (buf.size() < kReadSize) buf.resize(kReadSize);
  std::uint64_t pos = item.offset, left = item.length;
  while (left > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    const ssize_t got = ::pread(fd, buf.data(), want, static_cast<off_t>(pos));
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(item.abs_path + ": " + std::strerror(errno));
    }
    if (got == 0) break;  // end of file
    if (EVP_DigestUpdate(md.ctx, buf.data(), static_cast<std::size_t>(got)) != 1) return make_error("digest failed");
    pos += static_cast<std::uint64_t>(got);
    left -= static_cast<std::uint64_t>(got);
  }
  return finish(md);
}

}  // namespace

std::vector<Result<std::string>> digest_all(const std::vector<DigestItem>& items, DigestAlgo algo, unsigned threads) {
  std::vector<Result<std::string>> out(items.size(), make_error("not hashed"));
  // Largest first, so one big file does not start last and leave the other cores idle.
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  auto size_of = [&](const DigestItem& it) -> std::uint64_t {
    if (it.length != std::numeric_limits<std::uint64_t>::max()) return it.length;
    if (it.blob) return it.blob->size();
    struct stat st {};
    return ::stat(it.abs_path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  };
  std::vector<std::uint64_t> sizes(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) sizes[i] = size_of(items[i]);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });

  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned n = static_cast<unsigned>(std::min<std::size_t>(threads ? threads : hw, std::max<std::size_t>(items.size(), 1)));
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::vector<unsigned char> buf;  // sized on the first file read from disk
    for (std::size_t k = next++; k < order.size(); k = next++) out[order[k]] = digest_file(items[order[k]], algo, buf);
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < n; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

Result<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return make_error("odd number of hex digits");
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return make_error("not lower-case hex");
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

}  // namespace mg::enforce
