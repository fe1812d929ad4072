// The Hugging Face client, and the dispatch to the other hubs' clients.
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "source/hub/cache.hpp"
#include "source/hub/hub.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/remote_files.hpp"
#include "source/walk.hpp"

namespace mg::hub {

namespace {

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
  if (const std::string tok = hf_token(); !tok.empty()) tokens.push_back({url_host(repo.endpoint), tok, {}});
  auto http = std::make_shared<HttpClient>(o.http, std::move(tokens));
  auto files = std::make_shared<HubFiles>(o.offline ? nullptr : http, cache, o.offline, limits, status_error, "offline (HF_HUB_OFFLINE=1)");
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
  ListedSource source;
  source.url = [&](const ListedFile& lf) { return repo.file_url(sha, lf.path); };
  if (have_hf_snapshot) {
    source.local = [&](const ListedFile& lf) {
      // The blob a snapshot links to is named by its ETag: the LFS sha256, or the git blob id.
      const std::string local = real_path(hf_snapshot + "/" + lf.path);
      struct stat st {};
      const std::string etag(basename(local));
      const bool usable = !local.empty() && stat(local.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
                          static_cast<std::uint64_t>(st.st_size) == lf.size && (etag == lf.lfs_sha256 || etag == lf.oid);
      return usable ? local : std::string();
    };
  }
  add_listed_files(snap, files, listed, source, limits);
  cache.trim(Cache::max_bytes_from_env());
  return std::vector<Snapshot>{std::move(snap)};
}

}  // namespace

HubOptions HubOptions::from_env() {
  HubOptions o;
  o.offline = truthy(env("HF_HUB_OFFLINE"));
  return o;
}

bool hub_supported(Hub) { return true; }

Result<std::vector<Snapshot>> open_github(const HubTarget& target, const HubOptions& options, const Limits& limits);
Result<std::vector<Snapshot>> open_modelscope(const HubTarget& target, const HubOptions& options, const Limits& limits);
Result<std::vector<Snapshot>> open_opencsg(const HubTarget& target, const HubOptions& options, const Limits& limits);

Result<std::vector<Snapshot>> open_hub_target(const HubTarget& target, const HubOptions& options, const Limits& limits) {
  if (target.hub == Hub::huggingface) return open_hf(target, options, limits);
  if (target.hub == Hub::torchhub || target.hub == Hub::github) return open_github(target, options, limits);
  if (target.hub == Hub::modelscope) return open_modelscope(target, options, limits);
  if (target.hub == Hub::opencsg) return open_opencsg(target, options, limits);
  return make_error(std::string(hub_name(target.hub)) + " targets are not read by this build yet (issue 12); scan a local copy instead");
}

}  // namespace mg::hub
