#include "enforce/lockfile.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/json_writer.hpp"
#include "core/text.hpp"
#include "enforce/digest.hpp"
#include "formats/json_guard.hpp"
#include "source/hub/sparse_blob.hpp"

namespace mg::enforce {

namespace {

bool is_commit(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "org/name@<commit>" pins a revision; anything else (a branch, nothing) does not.
LockedRemoteCode remote_of(const Trigger& t) {
  LockedRemoteCode r{t.remote_repo, "", t.file + ":" + t.key};
  if (const auto at = t.remote_repo.rfind('@'); at != std::string::npos) {
    r.repo = t.remote_repo.substr(0, at);
    if (is_commit(std::string_view(t.remote_repo).substr(at + 1))) r.revision = t.remote_repo.substr(at + 1);
  }
  return r;
}

}  // namespace

Result<Lockfile> make_lock(const Snapshot& snap, const LoadPlan& plan, unsigned threads) {
  Lockfile lock;
  lock.target = snap.target;
  lock.kind = snap.kind;
  lock.repo_id = snap.repo_id;
  lock.revision = snap.revision;
  lock.platform = plan.platform;
  std::map<std::string, std::set<std::string>> roles;
  for (const auto& m : plan.module_files) roles[m].insert("module");
  for (const auto& t : plan.triggers) {
    roles[t.file].insert("trigger");
    lock.triggers.push_back({sanitize_utf8(t.file), sanitize_utf8(t.key), t.loader, t.gate, sanitize_utf8(t.module), sanitize_utf8(t.symbol),
                             sanitize_utf8(t.remote_repo)});
    if (!t.remote_repo.empty()) lock.remote_code.push_back(remote_of(t));
  }
  for (const auto& d : plan.deserialization) roles[d.file].insert("deserialization");

  std::vector<DigestItem> items;
  std::vector<std::size_t> item_of;  // lock.files index -> items index, or npos
  for (const auto& [path, r] : roles) {
    const FileEntry* f = snap.find(path);
    if (f == nullptr) continue;  // a module the loader names but the repository lacks: no file to pin
    // Names as the lockfile writes them (invalid UTF-8 escaped), so a re-read lock compares equal.
    lock.files.push_back({sanitize_utf8(path), f->size, "", {r.begin(), r.end()}});
    DigestItem item;
    if (f->member < 0) {
      item.abs_path = f->abs_path;
    } else {
      auto blob = snap.read(*f);
      if (!blob) return make_error(path + ": " + blob.error().message);
      // A hub file read by range has holes: it is pinned by the commit, not by a digest of zeros.
      if (auto sparse = std::dynamic_pointer_cast<const hub::SparseBlob>(*blob); sparse && !sparse->missing(0, sparse->size()).empty()) {
        item_of.push_back(std::string::npos);
        continue;
      }
      item.blob = *blob;
    }
    item_of.push_back(items.size());
    items.push_back(std::move(item));
  }
  const auto digests = digest_all(items, DigestAlgo::sha256, threads);
  for (std::size_t i = 0; i < lock.files.size(); ++i) {
    if (item_of[i] == std::string::npos) continue;
    const auto& d = digests[item_of[i]];
    if (!d) return make_error(lock.files[i].path + ": " + d.error().message);
    lock.files[i].sha256 = to_hex(*d);
  }
  if (lock.revision.empty() && std::any_of(lock.files.begin(), lock.files.end(), [](const LockedFile& f) { return f.sha256.empty(); }))
    return make_error("some files could not be hashed and the target has no commit to pin them");
  return lock;
}

std::string render_lockfile(const Lockfile& lock) {
  JsonWriter w(true);
  w.begin_object();
  w.key("lockfile_version").value(lock.version);
  w.key("tool").begin_object().key("name").value("modelgate").key("version").value(lock.tool_version);
  w.key("rules").value(lock.rules_version).end_object();
  w.key("source").begin_object();
  w.key("target").value(lock.target);
  w.key("kind").value(lock.kind);
  w.key("repo_id").string_or_null(lock.repo_id);
  w.key("revision").string_or_null(lock.revision);
  w.end_object();
  w.key("platform").value(lock.platform);
  w.key("verdict").value(lock.verdict);
  w.key("files").begin_array();
  for (const auto& f : lock.files) {
    w.begin_object().key("path").value(f.path).key("size").value(f.size).key("sha256").string_or_null(f.sha256);
    w.key("roles").begin_array();
    for (const auto& r : f.roles) w.value(r);
    w.end_array().end_object();
  }
  w.end_array();
  w.key("triggers").begin_array();
  for (const auto& t : lock.triggers) {
    w.begin_object().key("file").value(t.file).key("key").value(t.key).key("loader").value(t.loader).key("gate").value(t.gate);
    w.key("module").value(t.module).key("symbol").string_or_null(t.symbol).key("remote_repo").string_or_null(t.remote_repo).end_object();
  }
  w.end_array();
  w.key("remote_code").begin_array();
  for (const auto& r : lock.remote_code) {
    w.begin_object().key("repo").value(r.repo).key("revision").string_or_null(r.revision).key("trigger").value(r.trigger).end_object();
  }
  w.end_array();
  w.end_object();
  return w.take() + "\n";
}

namespace {

using nlohmann::json;

// Field readers that turn a wrong shape into a message naming the field.
struct Reader {
  std::string error;
  std::string str(const json& o, const char* key, const std::string& where, bool nullable = false) {
    if (!error.empty()) return {};
    const auto it = o.find(key);
    if (it != o.end() && it->is_string()) return it->get<std::string>();
    if (nullable && (it == o.end() || it->is_null())) return {};
    error = where + "." + key + ": expected a string" + (nullable ? " or null" : "");
    return {};
  }
  const json* arr(const json& o, const char* key, const std::string& where) {
    if (!error.empty()) return nullptr;
    const auto it = o.find(key);
    if (it != o.end() && it->is_array()) return &*it;
    error = where + "." + key + ": expected an array";
    return nullptr;
  }
  const json* obj(const json& o, const char* key, const std::string& where) {
    if (!error.empty()) return nullptr;
    const auto it = o.find(key);
    if (it != o.end() && it->is_object()) return &*it;
    error = where + "." + key + ": expected an object";
    return nullptr;
  }
};

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<Lockfile> parse_lockfile(std::string_view text) {
  if (!json_depth_within(text, 16)) return make_error("not a modelgate lockfile: JSON nested too deeply");
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return make_error("not a modelgate lockfile: malformed JSON");
  if (!doc.is_object()) return make_error("not a modelgate lockfile: the top level is not an object");
  const auto v = doc.find("lockfile_version");
  if (v == doc.end() || !v->is_number_integer()) return make_error("not a modelgate lockfile: no integer lockfile_version");
  if (v->get<std::int64_t>() != kLockfileVersion)
    return make_error("lockfile_version " + v->dump() + " is not supported by this modelgate (it reads version " +
                      std::to_string(kLockfileVersion) + ")");
  Lockfile lock;
  Reader r;
  if (const json* tool = r.obj(doc, "tool", "$")) {
    lock.tool_version = r.str(*tool, "version", "$.tool");
    lock.rules_version = r.str(*tool, "rules", "$.tool");
  }
  if (const json* src = r.obj(doc, "source", "$")) {
    lock.target = r.str(*src, "target", "$.source");
    lock.kind = r.str(*src, "kind", "$.source");
    lock.repo_id = r.str(*src, "repo_id", "$.source", true);
    lock.revision = r.str(*src, "revision", "$.source", true);
  }
  lock.platform = r.str(doc, "platform", "$");
  lock.verdict = r.str(doc, "verdict", "$");
  if (const json* files = r.arr(doc, "files", "$")) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < files->size() && r.error.empty(); ++i) {
      const json& f = (*files)[i];
      const std::string where = "$.files[" + std::to_string(i) + "]";
      if (!f.is_object()) {
        r.error = where + ": expected an object";
        break;
      }
      LockedFile lf;
      lf.path = r.str(f, "path", where);
      lf.sha256 = r.str(f, "sha256", where, true);
      const auto size = f.find("size");
      if (r.error.empty() && (size == f.end() || !size->is_number_unsigned())) r.error = where + ".size: expected a non-negative integer";
      else if (r.error.empty()) lf.size = size->get<std::uint64_t>();
      if (r.error.empty() && !lf.sha256.empty() && !is_sha256_hex(lf.sha256)) r.error = where + ".sha256: expected 64 lower-case hex digits";
      if (r.error.empty() && lf.path.empty()) r.error = where + ".path: empty";
      if (r.error.empty() && !seen.insert(lf.path).second) r.error = where + ".path: " + lf.path + " is listed twice";
      if (const json* roles = r.arr(f, "roles", where)) {
        for (const auto& role : *roles) {
          if (!role.is_string()) r.error = where + ".roles: expected strings";
          else lf.roles.push_back(role.get<std::string>());
        }
      }
      lock.files.push_back(std::move(lf));
    }
  }
  if (const json* triggers = r.arr(doc, "triggers", "$")) {
    for (std::size_t i = 0; i < triggers->size() && r.error.empty(); ++i) {
      const json& t = (*triggers)[i];
      const std::string where = "$.triggers[" + std::to_string(i) + "]";
      if (!t.is_object()) {
        r.error = where + ": expected an object";
        break;
      }
      lock.triggers.push_back({r.str(t, "file", where), r.str(t, "key", where), r.str(t, "loader", where), r.str(t, "gate", where),
                               r.str(t, "module", where), r.str(t, "symbol", where, true), r.str(t, "remote_repo", where, true)});
    }
  }
  if (const json* remote = r.arr(doc, "remote_code", "$")) {
    for (std::size_t i = 0; i < remote->size() && r.error.empty(); ++i) {
      const json& t = (*remote)[i];
      const std::string where = "$.remote_code[" + std::to_string(i) + "]";
      if (!t.is_object()) {
        r.error = where + ": expected an object";
        break;
      }
      lock.remote_code.push_back({r.str(t, "repo", where), r.str(t, "revision", where, true), r.str(t, "trigger", where)});
    }
  }
  if (!r.error.empty()) return make_error("malformed lockfile: " + r.error);
  std::sort(lock.files.begin(), lock.files.end(), [](const LockedFile& a, const LockedFile& b) { return a.path < b.path; });
  return lock;
}

std::vector<Drift> compare_locks(const Lockfile& locked, const Lockfile& now) {
  std::vector<Drift> drifts;
  if (!locked.revision.empty() && locked.revision != now.revision)
    drifts.push_back({"revision-changed", locked.repo_id.empty() ? locked.target : locked.repo_id,
                      "locked " + locked.revision + ", now " + (now.revision.empty() ? std::string("none") : now.revision)});
  std::map<std::string, const LockedFile*> current;
  for (const auto& f : now.files) current[f.path] = &f;
  for (const auto& f : locked.files) {
    const auto it = current.find(f.path);
    if (it == current.end()) {
      drifts.push_back({"removed", f.path, "was " + std::to_string(f.size) + " bytes"});
      continue;
    }
    const LockedFile& n = *it->second;
    current.erase(it);
    if (n.size != f.size) {
      drifts.push_back({"changed", f.path, "size " + std::to_string(f.size) + " -> " + std::to_string(n.size)});
    } else if (!f.sha256.empty() && !n.sha256.empty() && f.sha256 != n.sha256) {
      drifts.push_back({"changed", f.path, "sha256 " + f.sha256.substr(0, 16) + "... -> " + n.sha256.substr(0, 16) + "..."});
    } else if (!f.sha256.empty() && n.sha256.empty() && locked.revision != now.revision) {
      drifts.push_back({"changed", f.path, "could not be hashed and the commit differs"});
    }
  }
  for (const auto& [path, f] : current) {
    std::string roles;
    for (const auto& r : f->roles) roles += (roles.empty() ? "" : ", ") + r;
    drifts.push_back({"added", path, "new execution-relevant file (" + roles + ")"});
  }
  // A file:key can name several modules (a list-valued entry): compare each key's targets as
  // multisets, pair what is left on both sides as re-pointed, the rest as added or removed.
  auto target_of = [](const LockedTrigger& t) {
    std::string s = t.module + (t.symbol.empty() ? "" : "." + t.symbol);
    if (!t.remote_repo.empty()) s = t.remote_repo + "--" + s;
    return s + " [" + t.loader + ", gate " + t.gate + "]";
  };
  std::map<std::pair<std::string, std::string>, std::pair<std::vector<std::string>, std::vector<std::string>>> by_key;
  for (const auto& t : locked.triggers) by_key[{t.file, t.key}].first.push_back(target_of(t));
  for (const auto& t : now.triggers) by_key[{t.file, t.key}].second.push_back(target_of(t));
  for (auto& [key, sides] : by_key) {
    auto& [was, is] = sides;
    std::sort(was.begin(), was.end());
    std::sort(is.begin(), is.end());
    std::vector<std::string> gone, came;
    std::set_difference(was.begin(), was.end(), is.begin(), is.end(), std::back_inserter(gone));
    std::set_difference(is.begin(), is.end(), was.begin(), was.end(), std::back_inserter(came));
    const std::string subject = key.first + ":" + key.second;
    const std::size_t paired = std::min(gone.size(), came.size());
    for (std::size_t i = 0; i < paired; ++i) drifts.push_back({"trigger-repointed", subject, gone[i] + " -> " + came[i]});
    for (std::size_t i = paired; i < gone.size(); ++i) drifts.push_back({"trigger-removed", subject, gone[i]});
    for (std::size_t i = paired; i < came.size(); ++i) drifts.push_back({"trigger-added", subject, came[i]});
  }
  return drifts;
}

}  // namespace mg::enforce
