#include "source/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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
using ArchivePtr = std::unique_ptr<archive, ArchiveCloser>;

bool has_prefix(std::span<const std::uint8_t> b, std::string_view magic) {
  return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

std::string error_of(archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown error";
}

bool mentions(std::string_view text, std::string_view word) { return to_lower(text).find(word) != std::string::npos; }

// A ustar / GNU / v7 header: the checksum covers the 512 bytes with its own field read as spaces.
bool tar_header_ok(std::span<const std::uint8_t> h) {
  if (h.size() < 512 || h[0] == 0) return false;
  if (std::memcmp(h.data() + 257, "ustar", 5) == 0) return true;
  std::uint64_t stored = 0;
  bool digits = false;
  for (std::size_t i = 148; i < 156; ++i) {
    const auto c = h[i];
    if (c >= '0' && c <= '7') {
      stored = stored * 8 + (c - '0');
      digits = true;
    } else if (c == ' ' || c == 0) {
      if (digits) break;
    } else {
      return false;
    }
  }
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return digits && sum == stored;
}

// The stream compression a head announces ("" for none known).
std::string_view compression_of(std::span<const std::uint8_t> b) {
  if (has_prefix(b, "\x1f\x8b\x08")) return "gzip";
  if (b.size() >= 4 && has_prefix(b, "BZh") && b[3] >= '1' && b[3] <= '9') return "bzip2";
  if (has_prefix(b, std::string_view("\xfd" "7zXZ\x00", 6))) return "xz";
  if (has_prefix(b, "\x28\xb5\x2f\xfd")) return "zstd";
  if (has_prefix(b, "\x04\x22\x4d\x18")) return "lz4";
  return "";
}

// Only the decompressor the stream needs, and only library-backed: libarchive falls back to
// running an external program (ARCHIVE_WARN) when a library is missing; a scanner must not.
bool enable_filter(archive* a, std::string_view compression) {
  if (compression.empty()) return true;
  int rc = ARCHIVE_FATAL;
  if (compression == "gzip") rc = archive_read_support_filter_gzip(a);
  else if (compression == "bzip2") rc = archive_read_support_filter_bzip2(a);
  else if (compression == "xz") rc = archive_read_support_filter_xz(a);
  else if (compression == "zstd") rc = archive_read_support_filter_zstd(a);
  else if (compression == "lz4") rc = archive_read_support_filter_lz4(a);
  return rc == ARCHIVE_OK;
}

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
// the repository root, so paths (and the findings and reasons naming them) are taken relative to it.
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
  for (auto& f : snap.findings) {
    if (starts_with(f.file, prefix)) f.file.erase(0, prefix.size());
  }
  for (auto& i : snap.incomplete) {
    if (starts_with(i.file, prefix)) i.file.erase(0, prefix.size());
  }
  snap.root = prefix.substr(0, prefix.size() - 1);
}

// Reads the members of an opened archive into the snapshot as files named `prefix + member`.
// `where` names the archive itself in reasons ("" for a target archive). `total` counts the bytes
// decompressed for the whole snapshot. Returns false when a bound stopped all further reading.
bool read_members(archive* a, const std::string& prefix, const std::string& where, std::uint64_t compressed_size,
                  const Limits& limits, std::uint64_t& total, Snapshot& snap, std::vector<std::size_t>* added) {
  std::set<std::string> seen;
  std::size_t entries = 0;
  std::uint64_t produced = 0;  // by this archive, for its compression ratio
  archive_entry* entry = nullptr;
  for (;;) {
    const int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      const std::string why = error_of(a);
      snap.incomplete.push_back({where, mentions(why, "encrypt") ? "archive is encrypted (its listing too); its members could not be read: " + why
                                                               : "archive is corrupt: " + why});
      break;
    }
    if (++entries > limits.max_archive_members) {
      snap.incomplete.push_back({where, "archive has more than " + std::to_string(limits.max_archive_members) + " members; the rest was not scanned"});
      break;
    }
    const char* raw = archive_entry_pathname(entry);
    const std::string name = raw ? raw : "";
    if (escapes(name)) {
      Finding f = make_finding("SR302", sanitize_utf8(prefix + name), "Archive member name leaves the extraction directory; an extractor that trusts it writes outside the model folder.");
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
        Finding f = make_finding("SR303", sanitize_utf8(prefix + name), "Archive member is a link to " + target + ", outside the archive; extraction makes later reads or writes go there.");
        f.snippet = name + " -> " + target;
        snap.findings.push_back(std::move(f));
      }
      continue;
    }
    // Directories and specials carry no content. 7z writers that store no attributes (py7zr)
    // leave the type unset: such an entry with bytes is a file.
    if (type != AE_IFREG && !(type == 0 && archive_entry_size(entry) > 0)) continue;
    std::string norm;
    normalize_relative(name, norm);
    if (norm.empty()) continue;
    const std::string path = prefix + norm;
    const std::string shown = sanitize_utf8(path);
    if (!seen.insert(norm).second) {
      snap.incomplete.push_back({shown, "archive holds this name twice; extractors disagree on which copy wins, only the first was scanned"});
      continue;
    }
    if (snap.files.size() >= limits.max_files) {
      snap.incomplete.push_back({shown, "file limit reached (" + std::to_string(limits.max_files) + " files); the rest of the archive was not scanned"});
      return false;
    }
    if (archive_entry_is_data_encrypted(entry) == 1) {
      snap.incomplete.push_back({shown, "member is encrypted (password-protected); its contents were not analysed"});
      continue;
    }
    std::vector<std::uint8_t> content;
    bool keep = true;
    std::string crc_problem;
    for (;;) {
      const void* block = nullptr;
      std::size_t n = 0;
      la_int64_t offset = 0;
      const int rc = archive_read_data_block(a, &block, &n, &offset);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_OK) {
        const std::string why = error_of(a);
        // A checksum is judged with the last block, which comes with the warning: keep the bytes,
        // since torch.load ignores zip CRCs and a repaired file loads them (model-formats.md C4).
        if (mentions(why, "crc")) {
          crc_problem = why;
        } else {
          snap.incomplete.push_back({shown, mentions(why, "encrypt") || mentions(why, "passphrase")
                                                ? "member is encrypted (password-protected); its contents were not analysed: " + why
                                                : "cannot decompress member: " + why});
          keep = false;
          break;
        }
      }
      // Sparse tar members skip ahead: the hole reads as zeros, within the member bound.
      const std::uint64_t end = static_cast<std::uint64_t>(std::max<la_int64_t>(offset, 0)) + n;
      if (offset < 0 || static_cast<std::uint64_t>(offset) < content.size()) {
        snap.incomplete.push_back({shown, "member data arrives out of order; not scanned"});
        keep = false;
        break;
      }
      const std::uint64_t grow = end - content.size();
      total += grow;
      produced += grow;
      if (end > limits.max_archive_member_bytes) {
        snap.incomplete.push_back({shown, "member larger than " + std::to_string(limits.max_archive_member_bytes >> 20) + " MiB decompressed; not scanned"});
        keep = false;
        break;
      }
      content.resize(static_cast<std::size_t>(offset), 0);
      const auto* bytes = static_cast<const std::uint8_t*>(block);
      if (n > 0) content.insert(content.end(), bytes, bytes + n);
      if (produced > limits.bomb_check_after_bytes && produced / std::max<std::uint64_t>(compressed_size, 1) > limits.max_compression_ratio) {
        snap.incomplete.push_back({shown, "decompression bomb suspected: " + std::to_string(produced >> 20) + " MiB out of a " +
                                              std::to_string(compressed_size) + "-byte archive; scanning stopped"});
        return false;
      }
      if (total > limits.max_archive_total_bytes) {
        snap.incomplete.push_back({shown, "archives of this target decompress to more than " + std::to_string(limits.max_archive_total_bytes >> 20) +
                                              " MiB in all; scanning stopped"});
        return false;
      }
      if (!crc_problem.empty()) break;
    }
    if (!keep) continue;
    if (!crc_problem.empty()) {
      Finding f = make_finding("SZ302", shown, "checksum does not match the member's bytes (" + crc_problem +
                                                   "): strict extractors refuse it, torch.load and a repaired archive load it; its bytes were scanned as they are");
      f.snippet = sanitize_utf8(norm);
      f.load_reachable = Reach::unknown;
      snap.findings.push_back(std::move(f));
    }
    FileEntry fe;
    fe.path = path;
    fe.size = content.size();
    fe.member = static_cast<int>(snap.members.size());
    fe.nested = !prefix.empty();
    snap.members.push_back(std::make_shared<OwnedBlob>(std::move(content)));
    if (added != nullptr) added->push_back(snap.files.size());
    snap.files.push_back(std::move(fe));
  }
  return true;
}

enum class Probe { tar, not_tar, unreadable };

// Whether a compressed stream holds a tar: only decompressing its start tells (a gzip'd pickle
// from joblib starts the same way). A stream that does not decompress is unreadable, not "no tar".
Probe probe_compressed_tar(std::span<const std::uint8_t> bytes, std::string_view compression, std::string& why) {
  ArchivePtr a(archive_read_new());
  if (!a || !enable_filter(a.get(), compression)) {
    why = "this build cannot decompress " + std::string(compression);
    return Probe::unreadable;
  }
  archive_read_support_format_tar(a.get());
  archive_entry* e = nullptr;
  int rc = archive_read_open_memory(a.get(), bytes.data(), bytes.size());
  if (rc == ARCHIVE_OK) rc = archive_read_next_header(a.get(), &e);
  if (rc == ARCHIVE_OK || rc == ARCHIVE_WARN) return Probe::tar;
  // libarchive's ARCHIVE_ERRNO_FILE_FORMAT (private header): EILSEQ where EFTYPE does not exist.
  if (archive_errno(a.get()) == EILSEQ) return Probe::not_tar;
  why = "the stream does not decompress: " + error_of(a.get());
  return Probe::unreadable;
}

}  // namespace

std::string_view container_magic(std::span<const std::uint8_t> head) {
  if (has_prefix(head, "7z\xBC\xAF\x27\x1C")) return "7z";
  if (has_prefix(head, "Rar!\x1A\x07")) return "rar";
  if (tar_header_ok(head)) return "tar";
  if (!compression_of(head).empty()) return "compressed";
  return "";
}

Result<Snapshot> open_archive(const std::string& path, const Limits& limits) {
  Snapshot snap;
  snap.target = path;
  snap.kind = "archive";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return make_error("cannot stat " + path);
  const auto compressed_size = static_cast<std::uint64_t>(st.st_size);
  auto head = read_head(path, 512);
  if (!head) return make_error("cannot read archive " + path + ": " + head.error().message);
  const auto compression = compression_of(*head);

  ArchivePtr a(archive_read_new());
  if (!enable_filter(a.get(), compression)) return make_error("cannot open archive " + path + ": this build cannot decompress " + std::string(compression));
  archive_read_support_format_zip(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_format_7zip(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return make_error("cannot open archive " + path + ": " + error_of(a.get()));
  }
  std::uint64_t total = 0;
  read_members(a.get(), "", "", compressed_size, limits, total, snap, nullptr);
  strip_common_top_folder(snap);
  snap.sort_files();
  return snap;
}

void open_nested_archives(Snapshot& snap, const Limits& limits) {
  // A target archive's members and the archives inside it share one decompression budget.
  std::uint64_t total = 0;
  for (const auto& m : snap.members) total += m->size();
  const std::size_t base_depth = snap.kind == "archive" ? 1 : 0;
  std::vector<std::pair<std::size_t, std::size_t>> work;  // file index, archives around it
  for (std::size_t i = 0; i < snap.files.size(); ++i) work.emplace_back(i, base_depth);
  bool added_any = false;
  for (std::size_t w = 0; w < work.size(); ++w) {
    const auto [index, depth] = work[w];
    const FileEntry f = snap.files[index];  // a copy: reading members grows snap.files
    if (f.size < 6) continue;
    std::vector<std::uint8_t> head;
    BlobPtr blob;
    if (f.member >= 0) {
      auto b = snap.read(f);
      if (!b) continue;
      blob = *b;
      head.assign(blob->data(), blob->data() + std::min<std::size_t>(blob->size(), 512));
    } else {
      auto h = read_head(f.abs_path, 512);
      if (!h) continue;  // the load plan reports files it cannot read
      head = std::move(*h);
    }
    const std::string_view magic = container_magic(head);
    if (magic.empty()) continue;
    if (!blob) {
      auto b = snap.read(f);
      if (!b) {
        snap.incomplete.push_back({f.path, "cannot read archive: " + b.error().message});
        snap.files[index].container = magic == "compressed" ? "tar" : std::string(magic);
        continue;
      }
      blob = *b;
    }
    const auto compression = magic == "compressed" ? compression_of(head) : std::string_view();
    if (magic == "compressed") {
      std::string why;
      const Probe p = probe_compressed_tar(blob->bytes(), compression, why);
      if (p == Probe::not_tar) continue;
      if (p == Probe::unreadable) {
        snap.incomplete.push_back({f.path, std::string(compression) + "-compressed file: " + why +
                                               "; whether it is an archive, and what it holds, was not checked"});
        continue;
      }
      snap.files[index].container = "tar";
    } else {
      snap.files[index].container = std::string(magic);
    }
    if (magic == "rar") {
      snap.incomplete.push_back({f.path, "RAR archive: this build does not open RAR archives, so its members were not scanned"});
      continue;
    }
    if (depth + 1 > limits.max_archive_depth) {
      snap.incomplete.push_back({f.path, "archive nested inside " + std::to_string(depth) + " others (limit " +
                                             std::to_string(limits.max_archive_depth) + "): not opened, its members were not scanned"});
      continue;
    }
    ArchivePtr a(archive_read_new());
    if (magic == "7z") {
      archive_read_support_format_7zip(a.get());
    } else {
      enable_filter(a.get(), compression);
      archive_read_support_format_tar(a.get());
    }
    if (archive_read_open_memory(a.get(), blob->data(), blob->size()) != ARCHIVE_OK) {
      snap.incomplete.push_back({f.path, "cannot open archive: " + error_of(a.get())});
      continue;
    }
    std::vector<std::size_t> added;
    const bool go_on = read_members(a.get(), f.path + "!", f.path, f.size, limits, total, snap, &added);
    added_any = added_any || !added.empty();
    for (auto i : added) work.emplace_back(i, depth + 1);
    if (!go_on) break;
  }
  if (added_any) snap.sort_files();
}

}  // namespace mg
