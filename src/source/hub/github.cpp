// GitHub repositories, as torch.hub and OpenMMLab users fetch them: the ref resolved to a commit
// through the REST API, then the commit's archive (a tarball) read in place by the archive source.
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "formats/json_guard.hpp"
#include "source/archive.hpp"
#include "source/hub/cache.hpp"
#include "source/hub/hub.hpp"
#include "source/hub/listing.hpp"

namespace mg::hub {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

bool is_hex40(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string github_error(const HttpResponse& r, const std::string& what) {
  std::string why = "HTTP " + std::to_string(r.status);
  if ((r.status == 403 || r.status == 429) && r.header("x-ratelimit-remaining") == "0") {
    why = "rate limited by the GitHub API (set GITHUB_TOKEN for a higher limit)";
  } else if (r.status == 404) {
    why = "404: repository or ref not found (or private: set GITHUB_TOKEN)";
  } else if (r.status == 422) {
    why = "422: ref not found (no such branch, tag or commit)";
  } else if (r.status == 401) {
    why = "401: the token was refused";
  } else if (r.status == 451) {
    why = "451: the repository is blocked";
  }
  return what + ": " + why;
}

// A JSON object's string field, or "".
std::string json_field(const std::string& body, const char* key) {
  if (!json_depth_within(body, 64)) return {};
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  const auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<std::vector<Snapshot>> open_github(const HubTarget& t, const HubOptions& o, const Limits& limits) {
  std::string api = !o.endpoint.empty() ? o.endpoint : !env("GITHUB_API_URL").empty() ? env("GITHUB_API_URL") : "https://api.github.com";
  while (!api.empty() && api.back() == '/') api.pop_back();
  if (url_host(api).empty()) return make_error("endpoint '" + sanitize_utf8(api) + "' is not an http(s) URL");
  const std::string base = api + "/repos/" + t.repo;
  Cache cache = Cache::open_default();
  std::vector<Token> tokens;
  if (const std::string tok = env("GITHUB_TOKEN"); !tok.empty()) tokens.push_back({url_host(api), tok, {}});
  HttpClient http(o.http, std::move(tokens));
  const std::string meta = "meta/github/" + t.repo + "/";

  // The ref: as given; torch.hub without one tries main, then master; others take the default branch.
  std::vector<std::string> refs;
  if (!t.revision.empty()) refs.push_back(t.revision);
  else if (t.hub == Hub::torchhub) refs = {"main", "master"};
  std::string sha;
  if (o.offline) {
    for (const auto& r : refs.empty() ? std::vector<std::string>{"HEAD"} : refs) {
      if (is_hex40(r)) sha = r;
      else if (auto s = cache.get_text(meta + "refs/" + url_quote(r, false)); s && is_hex40(trim(*s))) sha = std::string(trim(*s));
      if (!sha.empty()) break;
    }
    if (sha.empty()) return make_error("offline (HF_HUB_OFFLINE=1) and the cache does not know this ref of " + t.repo);
  } else {
    if (refs.empty()) {
      auto r = http.get({base, 0, 0, 16u << 20});
      if (!r) return make_error(api + ": " + t.repo + ": " + r.error().message);
      if (r->status != 200) return make_error(github_error(*r, t.repo));
      const std::string def = json_field(r->body, "default_branch");
      if (!valid_revision(def)) return make_error(t.repo + ": the API names no usable default branch");
      refs.push_back(def);
    }
    std::string last_error;
    for (const auto& r : refs) {
      auto c = http.get({base + "/commits/" + url_quote(r, false), 0, 0, 16u << 20});
      if (!c) return make_error(api + ": " + t.repo + "@" + r + ": " + c.error().message);
      if (c->status == 404 || c->status == 422) {
        last_error = github_error(*c, t.repo + "@" + r);
        continue;
      }
      if (c->status != 200) return make_error(github_error(*c, t.repo + "@" + r));
      sha = json_field(c->body, "sha");
      if (!is_hex40(sha)) return make_error(t.repo + "@" + r + ": the API's commit record names no commit");
      cache.put_text(meta + "refs/" + url_quote(r, false), sha);
      if (t.revision.empty()) cache.put_text(meta + "refs/HEAD", sha);
      break;
    }
    if (sha.empty()) return make_error(last_error.empty() ? t.repo + ": no ref found" : last_error);
  }

  // The commit's tarball (the API redirects to codeload; the token does not follow).
  std::string path;
  bool cached = false;
  if (auto key = cache.get_text(meta + "tarballs/" + sha); key && cache.object(trim(*key))) {
    path = *cache.object(trim(*key));
    cached = true;
  } else if (o.offline) {
    return make_error("offline (HF_HUB_OFFLINE=1) and the archive of " + t.repo + "@" + sha.substr(0, 12) + " is not in the cache");
  }
  std::string temp;
  if (path.empty()) {
    auto r = http.get({base + "/tarball/" + sha, 0, 0, limits.max_archive_member_bytes});
    if (!r) return make_error(t.repo + "@" + sha.substr(0, 12) + ": cannot fetch the archive: " + r.error().message);
    if (r->status != 200) return make_error(github_error(*r, t.repo + "@" + sha.substr(0, 12) + ": archive"));
    const std::string key = "sha256-" + sha256_hex(r->body);
    if (auto p = cache.put_object(key, r->body)) {
      path = *p;
      cache.put_text(meta + "tarballs/" + sha, key);
    } else {
      // No cache: a private temporary file, removed once the archive has been read into memory.
      char name[] = "/tmp/modelgate-tarball-XXXXXX";
      const int fd = mkstemp(name);
      if (fd < 0) return make_error("cannot write a temporary file for the archive");
      const bool ok = write(fd, r->body.data(), r->body.size()) == static_cast<ssize_t>(r->body.size());
      close(fd);
      temp = path = name;
      if (!ok) {
        unlink(name);
        return make_error("cannot write a temporary file for the archive");
      }
    }
  }
  auto snap = open_archive(path, limits);
  if (!temp.empty()) unlink(temp.c_str());
  if (!snap) return make_error(t.repo + "@" + sha.substr(0, 12) + ": " + snap.error().message);
  snap->target = t.spelled;
  snap->kind = "hub";
  snap->root.clear();
  snap->repo_id = t.repo;
  snap->revision = sha;
  if (t.hub == Hub::torchhub) snap->platform_hint = "torchhub";
  // Tar members are whole in memory; the transfer is the archive.
  class Fixed final : public RemoteFiles {
   public:
    explicit Fixed(Transfer t) : t_(std::move(t)) {}
    bool fetch_missing(std::vector<Incomplete>&) override { return false; }
    Transfer transfer() const override { return t_; }

   private:
    Transfer t_;
  };
  Transfer tr;
  tr.endpoint = api;
  for (const auto& f : snap->files) tr.repository_bytes += f.size;
  tr.fetched_bytes = http.stats().body_bytes;
  tr.requests = http.stats().requests;
  tr.cached_bytes = cached ? tr.repository_bytes : 0;
  snap->remote = std::make_shared<Fixed>(tr);
  cache.trim(Cache::max_bytes_from_env());
  return std::vector<Snapshot>{std::move(*snap)};
}

}  // namespace mg::hub
