#include "source/hub/cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "core/text.hpp"

namespace mg::hub {

namespace {

bool make_dirs(const std::string& path) {
  std::string cur;
  for (auto part : split(path, '/')) {
    cur += '/';
    cur.append(part);
    if (part.empty()) continue;
    if (mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  return true;
}

std::optional<std::string> read_all(const std::string& path, std::uint64_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string s;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    s.append(buf, static_cast<std::size_t>(in.gcount()));
    if (s.size() > max) return std::nullopt;
  }
  return s;
}

bool is_file(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

bool valid_cache_key(std::string_view key) {
  std::string_view hex;
  if (starts_with(key, "sha256-")) hex = key.substr(7);
  else if (starts_with(key, "git-")) hex = key.substr(4);
  else return false;
  return (hex.size() == 64 || hex.size() == 40) &&
         std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Cache Cache::open_default() {
  std::string root;
  if (const char* d = std::getenv("MODELGATE_CACHE_DIR"); d != nullptr && *d != '\0') {
    if (std::string_view(d) == "off") return Cache("");
    root = d;
  } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x == '/') {
    root = std::string(x) + "/modelgate";
  } else if (const char* h = std::getenv("HOME"); h != nullptr && *h == '/') {
    root = std::string(h) + "/.cache/modelgate";
  }
  if (root.empty() || root.front() != '/' || !make_dirs(root)) return Cache("");
  return Cache(root);
}

bool Cache::write_atomic(const std::string& path, std::string_view bytes) const {
  const std::string dir(dirname(path));
  if (!make_dirs(dir)) return false;
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const std::string tmp = dir + "/.tmp-" + std::to_string(getpid()) + "-" + std::to_string(rng());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == bytes.size() && close(fd) == 0;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

std::optional<std::string> Cache::object(std::string_view key) const {
  if (!enabled() || !valid_cache_key(key)) return std::nullopt;
  const std::string p = root_ + "/objects/" + std::string(key);
  if (!is_file(p)) return std::nullopt;
  return p;
}

std::optional<std::string> Cache::put_object(std::string_view key, std::string_view bytes) {
  if (!enabled() || !valid_cache_key(key)) return std::nullopt;
  const std::string p = root_ + "/objects/" + std::string(key);
  if (!write_atomic(p, bytes)) return std::nullopt;
  return p;
}

std::vector<std::pair<std::uint64_t, std::string>> Cache::ranges(std::string_view key, std::uint64_t begin, std::uint64_t end) const {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  if (!enabled() || !valid_cache_key(key)) return out;
  const std::string dir = root_ + "/ranges/" + std::string(key);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> pieces;
  while (dirent* e = readdir(d)) {
    const std::string_view n(e->d_name);
    const auto dash = n.find('-');
    if (dash == std::string_view::npos || n.front() == '.') continue;
    const std::uint64_t a = std::strtoull(std::string(n.substr(0, dash)).c_str(), nullptr, 10);
    const std::uint64_t b = std::strtoull(std::string(n.substr(dash + 1)).c_str(), nullptr, 10);
    if (a < b && a < end && b > begin) pieces.emplace_back(a, b);
  }
  closedir(d);
  std::sort(pieces.begin(), pieces.end());
  for (const auto& [a, b] : pieces) {
    auto bytes = read_all(dir + "/" + std::to_string(a) + "-" + std::to_string(b), b - a);
    if (bytes && bytes->size() == b - a) out.emplace_back(a, std::move(*bytes));
  }
  return out;
}

void Cache::put_range(std::string_view key, std::uint64_t begin, std::string_view bytes) {
  if (!enabled() || !valid_cache_key(key) || bytes.empty()) return;
  write_atomic(root_ + "/ranges/" + std::string(key) + "/" + std::to_string(begin) + "-" + std::to_string(begin + bytes.size()), bytes);
}

std::optional<std::string> Cache::get_text(const std::string& name) const {
  if (!enabled()) return std::nullopt;
  return read_all(root_ + "/" + name, 256u << 20);
}

void Cache::put_text(const std::string& name, std::string_view text) {
  if (enabled()) write_atomic(root_ + "/" + name, text);
}

std::uint64_t Cache::max_bytes_from_env() {
  if (const char* v = std::getenv("MODELGATE_CACHE_MAX_BYTES"); v != nullptr && *v != '\0') return std::strtoull(v, nullptr, 10);
  return 8ull << 30;
}

void Cache::trim(std::uint64_t max_bytes) const {
  if (!enabled()) return;
  struct Entry {
    std::string path;
    std::uint64_t size;
    std::int64_t mtime;
  };
  std::vector<Entry> entries;
  std::uint64_t total = 0;
  auto scan = [&](const std::string& dir, auto&& self, int depth) -> void {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr || depth > 3) {
      if (d) closedir(d);
      return;
    }
    while (dirent* e = readdir(d)) {
      const std::string n(e->d_name);
      if (n == "." || n == "..") continue;
      const std::string p = dir + "/" + n;
      struct stat st {};
      if (lstat(p.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) self(p, self, depth + 1);
      else if (S_ISREG(st.st_mode)) {
        entries.push_back({p, static_cast<std::uint64_t>(st.st_size), static_cast<std::int64_t>(st.st_mtime)});
        total += static_cast<std::uint64_t>(st.st_size);
      }
    }
    closedir(d);
  };
  scan(root_ + "/objects", scan, 0);
  scan(root_ + "/ranges", scan, 0);
  if (total <= max_bytes) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.mtime < b.mtime; });
  for (const auto& e : entries) {
    if (total <= max_bytes) break;
    if (unlink(e.path.c_str()) == 0) total -= e.size;
  }
}

}  // namespace mg::hub
