#include "source/walk.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

#include "core/text.hpp"

namespace mg {

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return {};
  return buf;
}

namespace {

bool inside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || (starts_with(path, root) && path.size() > root.size() && path[root.size()] == '/');
}

struct Walker {
  const std::string& allowed_root;
  const Limits& limits;
  Snapshot& snap;
  std::set<std::pair<dev_t, ino_t>> visited_dirs;
  bool file_limit_hit = false;

  void add_file(const std::string& rel, const std::string& abs, std::uint64_t size) {
    if (snap.files.size() >= limits.max_files) {
      if (!file_limit_hit) {
        snap.incomplete.push_back({rel, "file limit reached (" + std::to_string(limits.max_files) + " files); the rest of the tree was not scanned"});
        file_limit_hit = true;
      }
      return;
    }
    snap.files.push_back(FileEntry{rel, size, abs, -1, {}, false});
  }

  void symlink_escape(const std::string& rel, const std::string& target) {
    Finding f = make_finding("SR301", rel, "Symbolic link points outside the repository (" + target + "); modelgate does not follow it, a loader would.");
    f.snippet = rel + " -> " + target;
    f.load_reachable = Reach::unknown;
    snap.findings.push_back(std::move(f));
  }

  void walk(const std::string& abs_dir, const std::string& rel_dir, std::size_t depth) {
    if (file_limit_hit) return;
    if (depth > limits.max_dir_depth) {
      snap.incomplete.push_back({rel_dir, "directory nesting deeper than " + std::to_string(limits.max_dir_depth) + " levels"});
      return;
    }
    DIR* d = opendir(abs_dir.c_str());
    if (d == nullptr) {
      snap.incomplete.push_back({rel_dir.empty() ? "." : rel_dir, std::string("cannot read directory: ") + std::strerror(errno)});
      return;
    }
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      const std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      names.emplace_back(name);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (file_limit_hit) return;
      if (name == ".git") continue;  // VCS internals are not what a loader reads
      const std::string abs = abs_dir + "/" + name;
      const std::string rel = join_path(rel_dir, name);
      struct stat st {};
      if (lstat(abs.c_str(), &st) != 0) {
        snap.incomplete.push_back({rel, std::string("cannot stat: ") + std::strerror(errno)});
        continue;
      }
      if (S_ISLNK(st.st_mode)) {
        const std::string target = real_path(abs);
        if (target.empty()) {
          const char* why = errno == ELOOP ? "symbolic link loop" : "broken symbolic link";
          snap.incomplete.push_back({rel, why});
          continue;
        }
        if (!inside(target, allowed_root)) {
          symlink_escape(rel, target);
          continue;
        }
        if (stat(abs.c_str(), &st) != 0) {
          snap.incomplete.push_back({rel, std::string("cannot stat link target: ") + std::strerror(errno)});
          continue;
        }
      }
      if (S_ISDIR(st.st_mode)) {
        if (!visited_dirs.insert({st.st_dev, st.st_ino}).second) {
          snap.incomplete.push_back({rel, "directory reached twice through symbolic links (loop); not scanned again"});
          continue;
        }
        walk(abs, rel, depth + 1);
      } else if (S_ISREG(st.st_mode)) {
        add_file(rel, abs, static_cast<std::uint64_t>(st.st_size));
      } else {
        snap.incomplete.push_back({rel, "not a regular file (device, FIFO or socket); skipped"});
      }
    }
  }
};

}  // namespace

void walk_directory(const std::string& dir, const std::string& allowed_root, const Limits& limits, Snapshot& snap) {
  Walker w{allowed_root, limits, snap, {}, false};
  struct stat st {};
  if (stat(dir.c_str(), &st) == 0) w.visited_dirs.insert({st.st_dev, st.st_ino});
  w.walk(dir, "", 0);
  snap.sort_files();
}

}  // namespace mg
