// The Hugging Face client (and the dispatch for the other hubs, which this build does not read).
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "source/hub/cache.hpp"
#include "source/hub/hub.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/range_plan.hpp"
#include "source/hub/sparse_blob.hpp"
#include "source/walk.hpp"

namespace mg::hub {

namespace {

constexpr std::uint64_t kWholeAlways = 1u << 20;   // any file up to this is fetched whole
constexpr std::uint64_t kApiBody = 64u << 20;      // one API answer (a listing page)
constexpr std::uint64_t kRefetchChunk = 64u << 10;  // pages a parser read unfetched grow to this
constexpr int kMaxListingPages = 1000;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

bool truthy(const std::string& v) {
  const std::string l = to_lower(v);
  return l == "1" || l == "true" || l == "yes" || l == "on";
}

bool is_hex40(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s(4096, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return std::string(trim(s));
}

std::string hf_home() {
  if (auto h = env("HF_HOME"); !h.empty()) return h;
  if (auto x = env("XDG_CACHE_HOME"); !x.empty()) return x + "/huggingface";
  if (auto h = env("HOME"); !h.empty()) return h + "/.cache/huggingface";
  return {};
}

std::string hf_hub_cache() {
  if (auto c = env("HF_HUB_CACHE"); !c.empty()) return c;
  if (auto c = env("HUGGINGFACE_HUB_CACHE"); !c.empty()) return c;
  const std::string home = hf_home();
  return home.empty() ? std::string() : home + "/hub";
}

// HF_TOKEN, else the token file huggingface_hub writes at login.
std::string hf_token() {
  if (auto t = env("HF_TOKEN"); !t.empty()) return t;
  if (auto p = env("HF_TOKEN_PATH"); !p.empty()) return read_token_file(p);
  const std::string home = hf_home();
  return home.empty() ? std::string() : read_token_file(home + "/token");
}

std::string git_blob_sha1(std::string_view bytes) {
  const std::string header = "blob " + std::to_string(bytes.size()) + std::string(1, '\0');
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, header.data(), header.size());
  EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// Files the engines read whole when small enough: code, configs, templates, documents.
bool text_name(std::string_view path) {
  const auto base = basename(path);
  const auto dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  const std::string ext = to_lower(base.substr(dot + 1));
  for (const char* e : {"py", "pyi", "pyw", "pyx", "pxd", "pxi", "ipynb", "sh", "bash", "zsh", "bat", "cmd", "ps1", "js", "mjs", "cjs",
                        "rb", "pl", "lua", "json", "yaml", "yml", "toml", "cfg", "ini", "conf", "jinja", "jinja2", "j2", "env", "md",
                        "rst", "txt", "template", "csv", "tsv"}) {
    if (ext == e) return true;
  }
  return false;
}

std::string status_error(const HttpResponse& r, const std::string& what) {
  const std::string code = r.header("x-error-code");
  const std::string msg = sanitize_utf8(r.header("x-error-message").substr(0, 300));
  std::string why;
  switch (r.status) {
    case 401: why = "401 Unauthorized: the repository is private, gated or does not exist; set HF_TOKEN if you have access"; break;
    case 403: why = "403 Forbidden: gated or private repository, and this token has not been granted access"; break;
    case 404: why = code == "RevisionNotFound" ? "404: revision not found" : code == "EntryNotFound" ? "404: file not found" : "404: repository not found"; break;
    case 410: why = "410 Gone: the repository was deleted"; break;
    case 451: why = "451: the repository is blocked"; break;
    default: why = "HTTP " + std::to_string(r.status);
  }
  if (!code.empty() && r.status != 404) why += " (" + sanitize_utf8(code.substr(0, 60)) + ")";
  if (!msg.empty()) why += ": " + msg;
  return what + ": " + why;
}

class HubFiles;

struct RemoteFile {
  std::string path;
  std::string url;
  std::string key;  // cache key
  std::shared_ptr<SparseBlob> blob;
  std::string resolved;  // where the hub redirected the last range request
  std::uint64_t refetched = 0;
};

class HubFiles final : public RemoteFiles {
 public:
  HubFiles(std::shared_ptr<HttpClient> http, Cache cache, bool offline, const Limits& limits)
      : http_(std::move(http)), cache_(std::move(cache)), offline_(offline), limits_(limits) {}

  Transfer transfer_;
  std::vector<RemoteFile> files;

  Transfer transfer() const override {
    Transfer t = transfer_;
    if (http_) {
      t.fetched_bytes = http_->stats().body_bytes;
      t.requests = http_->stats().requests;
    }
    return t;
  }

  // Fills `ranges` (page aligned) of f.blob from the cache, then over HTTP.
  Result<bool> fetch_ranges(RemoteFile& f, const Ranges& ranges) {
    for (const auto& [a, e] : ranges) {
      for (auto& [off, bytes] : cache_.ranges(f.key, a, e)) {
        if (off % SparseBlob::kPage != 0) continue;
        if (!f.blob->missing(off, off + bytes.size()).empty()) {
          f.blob->fill(off, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
          transfer_.cached_bytes += bytes.size();
        }
      }
      for (const auto& [ma, me] : f.blob->missing(a, e)) {
        if (offline_) return make_error("offline (HF_HUB_OFFLINE=1) and bytes " + std::to_string(ma) + "-" + std::to_string(me) + " are not in the cache");
        // Ranges of an LFS file go straight to where the hub redirected the first one (a signed
        // CDN address), and back through the hub if that address has expired.
        auto r = http_->get({f.resolved.empty() ? f.url : f.resolved, ma, me, me - ma});
        if (!f.resolved.empty() && (!r || r->status == 401 || r->status == 403 || r->status == 404 || r->status == 410)) {
          f.resolved.clear();
          r = http_->get({f.url, ma, me, me - ma});
        }
        if (r && !r->redirects.empty()) f.resolved = r->url;
        if (!r) return make_error("range " + std::to_string(ma) + "-" + std::to_string(me) + ": " + r.error().message);
        if (r->status == 200 && r->body.size() == f.blob->size() && ma == 0) {
          // A server that ignores Range on a small file: the whole body is as good.
          f.blob->fill(0, reinterpret_cast<const std::uint8_t*>(r->body.data()), r->body.size());
          continue;
        }
        if (r->status != 206) return make_error(status_error(*r, "range request"));
        const std::string expect = "bytes " + std::to_string(ma) + "-" + std::to_string(me - 1) + "/" + std::to_string(f.blob->size());
        if (to_lower(r->header("content-range")) != expect || r->body.size() != me - ma) {
          return make_error("the server answered range " + std::to_string(ma) + "-" + std::to_string(me - 1) + " with '" +
                            sanitize_utf8(r->header("content-range").substr(0, 80)) + "' and " + std::to_string(r->body.size()) +
                            " bytes: the file's size or content is not what the listing says");
        }
        f.blob->fill(ma, reinterpret_cast<const std::uint8_t*>(r->body.data()), r->body.size());
        cache_.put_range(f.key, ma, r->body);
      }
    }
    return true;
  }

  bool fetch_missing(std::vector<Incomplete>& incomplete) override {
    bool added = false;
    for (auto& f : files) {
      const auto touched = f.blob->touched_unfetched();
      if (touched.empty()) continue;
      Ranges grow;
      std::uint64_t bytes = 0;
      for (const auto& [a, e] : touched) {
        grow.emplace_back(a, std::min<std::uint64_t>(f.blob->size(), std::max(e, a + kRefetchChunk + f.refetched / 2)));
      }
      grow = coalesce(std::move(grow), f.blob->size(), 0);
      for (const auto& [a, e] : grow) bytes += e - a;
      if (f.refetched + bytes > limits_.max_archive_member_bytes) {
        incomplete.push_back({f.path, "the parsers read more of this remote file than the " +
                                          std::to_string(limits_.max_archive_member_bytes >> 20) + " MiB fetched for it"});
        continue;
      }
      f.refetched += bytes;
      if (auto r = fetch_ranges(f, grow); !r) {
        incomplete.push_back({f.path, "cannot fetch: " + r.error().message});
        continue;
      }
      added = true;
    }
    if (added) ++transfer_.rounds;
    return added;
  }

  std::shared_ptr<HttpClient> http_;
  Cache cache_;
  bool offline_;
  Limits limits_;
};

class Fetcher final : public RangeFetcher {
 public:
  Fetcher(HubFiles& files, RemoteFile& f) : files_(files), f_(f) {}
  Result<bool> fetch(const Ranges& ranges) override { return files_.fetch_ranges(f_, ranges); }

 private:
  HubFiles& files_;
  RemoteFile& f_;
};

struct HfRepo {
  std::string endpoint;
  std::string type;  // model | dataset | space
  std::string repo;

  std::string api(const std::string& rest) const { return endpoint + "/api/" + type + "s/" + repo + rest; }
  std::string file_url(const std::string& sha, const std::string& path) const {
    const std::string prefix = type == "model" ? "" : type + "s/";
    return endpoint + "/" + prefix + repo + "/resolve/" + sha + "/" + url_quote(path, true);
  }
  std::string cache_name(const std::string& what) const { return "meta/huggingface/" + type + "s/" + repo + "/" + what; }
  std::string hf_cache_folder() const {
    const std::string root = hf_hub_cache();
    if (root.empty()) return {};
    std::string id = repo;
    id.replace(id.find('/'), 1, "--");
    return root + "/" + type + "s--" + id;
  }
};

bool is_dir(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The listing as a compact JSON array of {path,size,oid,lfs}, for offline scans.
std::string listing_record(const std::vector<ListedFile>& files) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& f : files) {
    nlohmann::json e{{"type", "file"}, {"path", f.path}, {"size", f.size}};
    if (!f.oid.empty()) e["oid"] = f.oid;
    if (!f.lfs_sha256.empty()) e["lfs"] = {{"oid", f.lfs_sha256}, {"size", f.size}};
    a.push_back(std::move(e));
  }
  return a.dump();
}

Result<std::vector<Snapshot>> open_hf(const HubTarget& t, const HubOptions& o, const Limits& limits) {
  HfRepo repo;
  repo.endpoint = !o.endpoint.empty() ? o.endpoint : !env("HF_ENDPOINT").empty() ? env("HF_ENDPOINT") : "https://huggingface.co";
  while (!repo.endpoint.empty() && repo.endpoint.back() == '/') repo.endpoint.pop_back();
  if (url_host(repo.endpoint).empty()) return make_error("endpoint '" + sanitize_utf8(repo.endpoint) + "' is not an http(s) URL");
  repo.type = t.repo_type;
  repo.repo = t.repo;
  const std::string rev = t.revision.empty() ? "main" : t.revision;

  Snapshot snap;
  snap.target = t.spelled;
  snap.kind = "hub";
  snap.repo_id = t.repo;
  // The platform is judged from the content, as for a folder: a Hub repository may hold a
  // ModelScope or OpenMMLab layout, and the source says it came from the Hub.

  Cache cache = Cache::open_default();
  std::vector<Token> tokens;
  if (const std::string tok = hf_token(); !tok.empty()) tokens.push_back({url_host(repo.endpoint), tok});
  auto http = std::make_shared<HttpClient>(o.http, std::move(tokens));
  auto files = std::make_shared<HubFiles>(o.offline ? nullptr : http, cache, o.offline, limits);
  files->transfer_.endpoint = repo.endpoint;

  // 1. The revision, as a commit.
  std::string sha;
  const std::string hf_folder = repo.hf_cache_folder();
  if (o.offline) {
    if (is_hex40(rev)) sha = rev;
    if (sha.empty() && !hf_folder.empty()) {
      std::ifstream in(hf_folder + "/refs/" + rev);
      std::string s;
      std::getline(in, s);
      if (is_hex40(trim(s))) sha = std::string(trim(s));
    }
    if (sha.empty()) {
      if (auto s = cache.get_text(repo.cache_name("refs/" + url_quote(rev, false))); s && is_hex40(trim(*s))) sha = std::string(trim(*s));
    }
    if (sha.empty()) return make_error("offline (HF_HUB_OFFLINE=1) and neither cache knows revision '" + rev + "' of " + t.repo);
  } else {
    auto r = http->get({repo.api("/revision/" + url_quote(rev, false)), 0, 0, kApiBody});
    if (!r) return make_error(repo.endpoint + ": cannot resolve " + t.repo + "@" + rev + ": " + r.error().message);
    if (r->status != 200) return make_error(status_error(*r, t.repo + "@" + rev));
    sha = parse_hf_revision_sha(r->body);
    if (sha.empty()) return make_error(t.repo + "@" + rev + ": the hub's revision record names no commit");
    if (!r->redirects.empty()) {
      // A renamed repository answers from its new id: read that one, and say so.
      const std::string marker = "/api/" + repo.type + "s/";
      const auto at = r->url.find(marker);
      std::string moved;
      if (at != std::string::npos) {
        const auto parts = split(std::string_view(r->url).substr(at + marker.size()), '/');
        if (parts.size() >= 2 && valid_repo_part(parts[0]) && valid_repo_part(parts[1])) moved = std::string(parts[0]) + "/" + std::string(parts[1]);
      }
      if (moved.empty() || url_host(r->url) != url_host(repo.endpoint)) {
        return make_error(t.repo + ": the hub redirected the revision lookup to " + sanitize_utf8(r->url.substr(0, 200)) + ", not a repository of this hub");
      }
      snap.incomplete.push_back({"", "the repository " + t.repo + " was renamed or moved to " + moved + ": scanned " + moved + "; pin the new id"});
      if (moved != repo.repo) {
        repo.repo = moved;
        snap.repo_id = moved;
      }
    }
    cache.put_text(repo.cache_name("refs/" + url_quote(rev, false)), sha);
  }
  snap.revision = sha;

  // 2. The listing.
  std::vector<ListedFile> listed;
  std::vector<Incomplete> problems;
  if (o.offline) {
    auto rec = cache.get_text(repo.cache_name("trees/" + sha + ".json"));
    if (!rec) {
      // No listing of ours, but the Hugging Face cache holds the snapshot: what transformers would load offline.
      if (!hf_folder.empty() && is_dir(hf_folder + "/snapshots/" + sha)) {
        walk_directory(hf_folder + "/snapshots/" + sha, real_path(hf_folder), limits, snap);
        snap.kind = "hf-cache";
        return std::vector<Snapshot>{std::move(snap)};
      }
      return make_error("offline (HF_HUB_OFFLINE=1) and " + t.repo + "@" + sha.substr(0, 12) + " is in neither cache");
    }
    if (!parse_hf_tree_page(*rec, listed, problems, limits.max_files)) return make_error("cached listing is unreadable");
  } else {
    std::string url = repo.api("/tree/" + sha + "?recursive=true&expand=false");
    for (int page = 0; !url.empty(); ++page) {
      if (page >= kMaxListingPages) {
        snap.incomplete.push_back({"", "the listing runs past " + std::to_string(kMaxListingPages) + " pages; the rest was not scanned"});
        break;
      }
      auto r = http->get({url, 0, 0, kApiBody});
      if (!r) return make_error(t.repo + "@" + sha.substr(0, 12) + ": cannot list files: " + r.error().message);
      if (r->status != 200) return make_error(status_error(*r, t.repo + ": listing"));
      if (!parse_hf_tree_page(r->body, listed, problems, limits.max_files)) {
        return make_error(t.repo + ": the file listing is not a JSON array of entries");
      }
      url = link_next(r->header("link"));
      if (!url.empty() && url_host(url) != url_host(repo.endpoint)) {
        snap.incomplete.push_back({"", "the listing's next page is on another host; not followed"});
        break;
      }
      if (listed.size() >= limits.max_files) break;
    }
    cache.put_text(repo.cache_name("trees/" + sha + ".json"), listing_record(listed));
  }
  for (auto& p : problems) snap.incomplete.push_back(std::move(p));

  // 3. The files: in place from the Hugging Face cache when it holds them, small ones whole, large
  // ones by range.
  const std::string hf_snapshot = hf_folder.empty() ? std::string() : hf_folder + "/snapshots/" + sha;
  const bool have_hf_snapshot = !hf_snapshot.empty() && is_dir(hf_snapshot);
  for (const auto& lf : listed) {
    files->transfer_.repository_bytes += lf.size;
    const std::string key = !lf.lfs_sha256.empty() ? "sha256-" + lf.lfs_sha256 : !lf.oid.empty() ? "git-" + lf.oid : "";
    if (have_hf_snapshot) {
      // The blob a snapshot links to is named by its ETag: the LFS sha256, or the git blob id.
      const std::string local = real_path(hf_snapshot + "/" + lf.path);
      struct stat st {};
      const std::string etag(basename(local));
      if (!local.empty() && stat(local.c_str(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) == lf.size &&
          (etag == lf.lfs_sha256 || etag == lf.oid)) {
        snap.files.push_back(FileEntry{lf.path, lf.size, local, -1, {}, false});
        files->transfer_.local_bytes += lf.size;
        continue;
      }
    }
    const std::string url = repo.file_url(sha, lf.path);
    if (lf.size == 0) {
      snap.members.push_back(std::make_shared<OwnedBlob>(std::vector<std::uint8_t>{}));
      snap.files.push_back(FileEntry{lf.path, 0, {}, static_cast<int>(snap.members.size() - 1), {}, false});
      continue;
    }
    const bool whole = lf.size <= kWholeAlways || (text_name(lf.path) && lf.size <= limits.max_yara_file_bytes);
    if (whole) {
      if (auto path = cache.object(key); path && !key.empty()) {
        snap.files.push_back(FileEntry{lf.path, lf.size, *path, -1, {}, false});
        files->transfer_.cached_bytes += lf.size;
        continue;
      }
      if (o.offline) {
        snap.incomplete.push_back({lf.path, "offline (HF_HUB_OFFLINE=1) and not in the cache: not scanned"});
        continue;
      }
      auto r = http->get({url, 0, 0, lf.size});
      if (!r) {
        snap.incomplete.push_back({lf.path, "cannot fetch: " + r.error().message});
        continue;
      }
      if (r->status != 200) {
        snap.incomplete.push_back({lf.path, status_error(*r, "cannot fetch")});
        continue;
      }
      if (r->body.size() != lf.size) {
        snap.incomplete.push_back({lf.path, "the server sent " + std::to_string(r->body.size()) + " bytes, the listing says " +
                                                std::to_string(lf.size) + ": not scanned"});
        continue;
      }
      const bool lfs_ok = lf.lfs_sha256.empty() || sha256_hex(r->body) == lf.lfs_sha256;
      const bool git_ok = !lf.lfs_sha256.empty() || lf.oid.empty() || git_blob_sha1(r->body) == lf.oid;
      if (!lfs_ok || !git_ok) {
        snap.incomplete.push_back({lf.path, std::string("content does not match the listing's ") + (lfs_ok ? "git blob id" : "LFS sha256") +
                                                ": not scanned"});
        continue;
      }
      if (auto path = key.empty() ? std::nullopt : cache.put_object(key, r->body)) {
        snap.files.push_back(FileEntry{lf.path, lf.size, *path, -1, {}, false});
      } else {
        snap.members.push_back(std::make_shared<OwnedBlob>(std::vector<std::uint8_t>(r->body.begin(), r->body.end())));
        snap.files.push_back(FileEntry{lf.path, lf.size, {}, static_cast<int>(snap.members.size() - 1), {}, false});
      }
      continue;
    }
    auto blob = SparseBlob::create(lf.size);
    if (!blob) {
      snap.incomplete.push_back({lf.path, blob.error().message});
      continue;
    }
    RemoteFile rf{lf.path, url, key, *blob, {}, 0};
    Fetcher fetcher(*files, rf);
    auto planned = plan_and_fetch(**blob, fetcher, lf.path, limits);
    if (!planned) {
      snap.incomplete.push_back({lf.path, "cannot fetch: " + planned.error().message});
      continue;
    }
    if (!planned->note.empty()) snap.incomplete.push_back({lf.path, planned->note});
    snap.members.push_back(*blob);
    snap.files.push_back(FileEntry{lf.path, lf.size, {}, static_cast<int>(snap.members.size() - 1), {}, false});
    files->files.push_back(std::move(rf));
  }
  snap.sort_files();
  snap.remote = files;
  cache.trim(Cache::max_bytes_from_env());
  return std::vector<Snapshot>{std::move(snap)};
}

}  // namespace

HubOptions HubOptions::from_env() {
  HubOptions o;
  o.offline = truthy(env("HF_HUB_OFFLINE"));
  return o;
}

bool hub_supported(Hub hub) { return hub == Hub::huggingface || hub == Hub::torchhub || hub == Hub::github; }

Result<std::vector<Snapshot>> open_github(const HubTarget& target, const HubOptions& options, const Limits& limits);

Result<std::vector<Snapshot>> open_hub_target(const HubTarget& target, const HubOptions& options, const Limits& limits) {
  if (target.hub == Hub::huggingface) return open_hf(target, options, limits);
  if (target.hub == Hub::torchhub || target.hub == Hub::github) return open_github(target, options, limits);
  return make_error(std::string(hub_name(target.hub)) + " targets are not read by this build yet (issue 12); scan a local copy instead");
}

}  // namespace mg::hub
