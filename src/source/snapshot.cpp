#include "source/snapshot.hpp"

#include <algorithm>

namespace mg {

const FileEntry* Snapshot::find(std::string_view path) const {
  auto it = std::lower_bound(files.begin(), files.end(), path, [](const FileEntry& f, std::string_view p) { return f.path < p; });
  return (it != files.end() && it->path == path) ? &*it : nullptr;
}

Result<BlobPtr> Snapshot::read(const FileEntry& f) const {
  if (f.member >= 0) {
    if (static_cast<std::size_t>(f.member) >= members.size()) return make_error("archive member not loaded");
    return members[static_cast<std::size_t>(f.member)];
  }
  return map_file(f.abs_path);
}

void Snapshot::sort_files() {
  std::stable_sort(files.begin(), files.end(), [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
}

}  // namespace mg
