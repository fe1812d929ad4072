// Snapshot: the read-only set of files a target resolves to (DESIGN.md, "Source").
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/blob.hpp"
#include "core/finding.hpp"
#include "core/limits.hpp"
#include "core/result.hpp"

namespace mg {

// Part of a target that could not be analysed; any entry makes the target's status "partial".
struct Incomplete {
  std::string file;
  std::string reason;
};

struct FileEntry {
  std::string path;      // relative to the snapshot root, '/'-separated, raw bytes of the name
  std::uint64_t size = 0;
  std::string abs_path;  // on-disk file (directories, caches, single files)
  int member = -1;       // index into Snapshot::members: archive members, and hub files read by range
  // "tar", "7z" or "rar" when the content is an archive the source opens (or could not): its
  // members are files of the snapshot named `path!member`, so it is not a file of its own to scan.
  std::string container;
  bool nested = false;  // a member of such an archive, named `archive!member`
};

// Contents a stage already read, by snapshot path, for the stages after it (the load plan reads
// every .py file to recognise configs; the Python engine then need not read them again).
using ReadCache = std::map<std::string, BlobPtr, std::less<>>;

// Bytes moved for a hub target (all zero for local targets).
struct Transfer {
  std::string endpoint;                // the hub's base URL
  std::uint64_t repository_bytes = 0;  // sum of the listing's file sizes
  std::uint64_t fetched_bytes = 0;     // response bodies received (API, files, ranges)
  std::uint64_t cached_bytes = 0;      // read from the download cache instead
  std::uint64_t local_bytes = 0;       // files used from the Hugging Face cache in place
  std::uint64_t requests = 0;
  std::uint64_t rounds = 0;            // scans redone because a parser read unfetched bytes
};

// Files that arrive over the network. Large files are read by range, guessing from their indexes
// what the parsers read; after a scan the source checks what they actually read.
class RemoteFiles {
 public:
  virtual ~RemoteFiles() = default;
  // Fetches what the last scan read but the source had not fetched. True when bytes were added
  // (scan again); problems are added to `incomplete`.
  virtual bool fetch_missing(std::vector<Incomplete>& incomplete) = 0;
  virtual Transfer transfer() const = 0;
};

class Snapshot {
 public:
  std::string target;         // as the user gave it
  std::string kind;           // directory | file | archive | hf-cache | torchhub-cache | modelscope-cache
  std::string root;           // absolute root directory, when there is one
  std::string repo_id;        // "org/name" when the layout tells it
  std::string revision;       // commit of a Hugging Face cache snapshot
  std::string platform_hint;  // huggingface | modelscope | torchhub | "" (from the cache layout)
  std::vector<FileEntry> files;         // sorted by path
  std::vector<BlobPtr> members;         // archive member contents
  std::vector<Incomplete> incomplete;   // what could not be read
  std::vector<Finding> findings;        // source-level findings (traversal, escaping symlinks)
  std::shared_ptr<RemoteFiles> remote;  // hub targets

  const FileEntry* find(std::string_view path) const;
  bool contains(std::string_view path) const { return find(path) != nullptr; }
  Result<BlobPtr> read(const FileEntry& f) const;
  void sort_files();
};

// A file's contents: from `reads` when an earlier stage read it, else from the snapshot.
inline Result<BlobPtr> read_file(const Snapshot& snapshot, const ReadCache* reads, const FileEntry& f) {
  if (reads != nullptr) {
    if (auto it = reads->find(f.path); it != reads->end()) return it->second;
  }
  return snapshot.read(f);
}

// Resolves one command-line target into one or more snapshots (a cache root expands to every
// repository it holds). An error means the target itself is unusable (missing, unreadable).
Result<std::vector<Snapshot>> open_target(const std::string& target, const Limits& limits);
namespace hub {
struct HubOptions;
}
// The same, with hub targets (hf:org/name@rev, ...) read as `hub` says.
Result<std::vector<Snapshot>> open_target(const std::string& target, const Limits& limits, const hub::HubOptions& hub);

}  // namespace mg
