#include "source/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <memory>
#include <set>

#include "core/text.hpp"

namespace mg {

bool is_repository_archive_name(std::string_view name) {
  const std::string n = to_lower(name);
  for (const char* ext : {".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".nemo"}) {
    if (ends_with(n, ext)) return true;
  }
  return false;
}

namespace {

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

// A member name that would land outside the extraction directory.
bool escapes(std::string_view name) {
  if (name.empty()) return false;
  if (name.front() == '/' || name.front() == '\\') return true;
  if (name.size() >= 2 && name[1] == ':') return true;  // C:\ on Windows extractors
  for (auto part : split(name, '/')) {
    if (part == "..") return true;
    for (auto sub : split(part, '\\')) if (sub == "..") return true;
  }
  return false;
}

// GitHub zipballs and most hand-made archives wrap the repository in one folder; the loader sees
// the repository root, so paths are taken relative to it.
void strip_common_top_folder(Snapshot& snap) {
  if (snap.files.empty()) return;
  const std::string_view first = snap.files.front().path;
  const auto slash = first.find('/');
  if (slash == std::string_view::npos) return;
  const std::string prefix(first.substr(0, slash + 1));
  for (const auto& f : snap.files) {
    if (!starts_with(f.path, prefix)) return;
  }
  for (auto& f : snap.files) f.path.erase(0, prefix.size());
  snap.root = prefix.substr(0, prefix.size() - 1);
}

}  // namespace

Result<Snapshot> open_archive(const std::string& path, const Limits& limits) {
  Snapshot snap;
  snap.target = path;
  snap.kind = "archive";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return make_error("cannot stat " + path);
  const auto compressed_size = static_cast<std::uint64_t>(st.st_size);

  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_format_7zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return make_error("cannot open archive " + path + ": " + (archive_error_string(a.get()) ? archive_error_string(a.get()) : "unknown error"));
  }

  std::uint64_t total = 0;
  std::set<std::string> seen;
  archive_entry* entry = nullptr;
  std::vector<std::uint8_t> buf(1 << 16);
  for (;;) {
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      snap.incomplete.push_back({"", std::string("archive is corrupt: ") + (archive_error_string(a.get()) ? archive_error_string(a.get()) : "read error")});
      break;
    }
    const char* raw = archive_entry_pathname(entry);
    std::string name = raw ? raw : "";
    if (snap.files.size() + snap.incomplete.size() >= limits.max_archive_members) {
      snap.incomplete.push_back({"", "archive has more than " + std::to_string(limits.max_archive_members) + " members; the rest was not scanned"});
      break;
    }
    if (escapes(name)) {
      Finding f = make_finding("SR302", sanitize_utf8(name), "Archive member name leaves the extraction directory; an extractor that trusts it writes outside the model folder.");
      f.snippet = name;
      snap.findings.push_back(std::move(f));
      continue;
    }
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFLNK || archive_entry_hardlink(entry) != nullptr) {
      const char* tgt = type == AE_IFLNK ? archive_entry_symlink(entry) : archive_entry_hardlink(entry);
      const std::string target = tgt ? tgt : "";
      std::string joined;
      const bool stays = !target.empty() && target.front() != '/' &&
                         normalize_relative(join_path(dirname(name), target), joined);
      if (!stays) {
        Finding f = make_finding("SR303", sanitize_utf8(name), "Archive member is a link to " + target + ", outside the archive; extraction makes later reads or writes go there.");
        f.snippet = name + " -> " + target;
        snap.findings.push_back(std::move(f));
      }
      continue;
    }
    if (type != AE_IFREG) continue;  // directories and specials carry no content
    std::string norm;
    normalize_relative(name, norm);
    if (norm.empty()) continue;
    if (!seen.insert(norm).second) {
      snap.incomplete.push_back({sanitize_utf8(norm), "archive holds this name twice; extractors disagree on which copy wins, only the first was scanned"});
      continue;
    }
    std::vector<std::uint8_t> content;
    bool too_big = false;
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0) {
        snap.incomplete.push_back({sanitize_utf8(norm), std::string("cannot decompress member: ") + (archive_error_string(a.get()) ? archive_error_string(a.get()) : "")});
        content.clear();
        too_big = true;
        break;
      }
      if (n == 0) break;
      total += static_cast<std::uint64_t>(n);
      if (content.size() + static_cast<std::size_t>(n) > limits.max_archive_member_bytes) {
        snap.incomplete.push_back({sanitize_utf8(norm), "member larger than " + std::to_string(limits.max_archive_member_bytes >> 20) + " MiB decompressed; not scanned"});
        too_big = true;
        break;
      }
      content.insert(content.end(), buf.data(), buf.data() + n);
      if (total > limits.max_archive_total_bytes ||
          (total > limits.bomb_check_after_bytes && total / std::max<std::uint64_t>(compressed_size, 1) > limits.max_compression_ratio)) {
        snap.incomplete.push_back({sanitize_utf8(norm), "decompression bomb suspected: " + std::to_string(total >> 20) +
                                                           " MiB out of a " + std::to_string(compressed_size) + "-byte archive; scanning stopped"});
        snap.sort_files();
        return snap;
      }
    }
    if (too_big) continue;
    FileEntry fe;
    fe.path = norm;
    fe.size = content.size();
    fe.member = static_cast<int>(snap.members.size());
    snap.members.push_back(std::make_shared<OwnedBlob>(std::move(content)));
    snap.files.push_back(std::move(fe));
  }
  strip_common_top_folder(snap);
  snap.sort_files();
  return snap;
}

}  // namespace mg
