// Lockfile v1 (docs/lockfile.md, docs/lockfile-v1.schema.json): what a scan judged, pinned by
// digest, so `modelgate verify` can tell whether the code that loads tomorrow is the code reviewed
// today.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "platform/load_plan.hpp"
#include "source/snapshot.hpp"

namespace mg::enforce {

inline constexpr int kLockfileVersion = 1;

struct LockedFile {
  std::string path;
  std::uint64_t size = 0;
  std::string sha256;               // hex; "" = not hashed (a hub file only partly fetched: pinned by the commit)
  std::vector<std::string> roles;   // module | trigger | deserialization (sorted)
};

struct LockedTrigger {
  std::string file, key, loader, gate, module, symbol, remote_repo;
};

struct LockedRemoteCode {
  std::string repo;      // org/name the code comes from
  std::string revision;  // 40-hex commit when the reference pins one, else ""
  std::string trigger;   // file:key that names it
};

struct Lockfile {
  int version = kLockfileVersion;
  std::string tool_version;
  std::string rules_version;
  std::string target, kind, repo_id, revision, platform;
  std::string verdict;  // clean | low | medium | high | critical, as at lock time
  std::vector<LockedFile> files;  // sorted by path
  std::vector<LockedTrigger> triggers;
  std::vector<LockedRemoteCode> remote_code;
};

// The files a lock pins for this plan: module files, trigger files and deserialization points.
// Hashes with every core.
Result<Lockfile> make_lock(const Snapshot& snapshot, const LoadPlan& plan, unsigned threads = 0);

std::string render_lockfile(const Lockfile& lock);

// Parses untrusted lockfile text. Errors say what is wrong (malformed JSON, unknown version,
// missing or mistyped field).
Result<Lockfile> parse_lockfile(std::string_view text);

struct Drift {
  std::string kind;    // changed | added | removed | trigger-added | trigger-removed | trigger-repointed | revision-changed
  std::string subject;  // file path, or file:key for triggers
  std::string detail;
};

// What differs between the lock and the current state (empty = verified).
std::vector<Drift> compare_locks(const Lockfile& locked, const Lockfile& now);

}  // namespace mg::enforce
