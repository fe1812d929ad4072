// The OpenCSG (CSGHub) client (docs/hubs.md, "OpenCSG"): the routes pycsghub's snapshot_download
// uses, the Hugging Face-compatible layer under /csg/: the model-info record of a revision (its
// commit and, with blobs=true, each file's size and hashes), then resolve/<commit>/<path> with Range.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "core/text.hpp"
#include "formats/json_guard.hpp"
#include "source/hub/hub.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/remote_files.hpp"

namespace mg::hub {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// CSGHUB_TOKEN, else the token file CSGHUB_TOKEN_PATH names (as pycsghub reads them).
std::string csg_token() {
  if (std::string t(trim(env("CSGHUB_TOKEN"))); !t.empty()) return t;
  const std::string path = env("CSGHUB_TOKEN_PATH");
  if (path.empty()) return {};
  std::ifstream in(path, std::ios::binary);
  std::string s(4096, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return std::string(trim(s));
}

std::string csg_status_error(const HttpResponse& r, const std::string& what) {
  std::string why;
  switch (r.status) {
    case 401: why = "401 Unauthorized: private repository or a refused token (set CSGHUB_TOKEN if you have access)"; break;
    case 403: why = "403 Forbidden: this token has not been granted access to the repository"; break;
    case 404: why = "404: repository, revision or file not found"; break;
    case 429: why = "429: rate limited by the hub"; break;
    default: why = "HTTP " + std::to_string(r.status);
  }
  // CSGHub's errors are JSON with a "msg" field.
  if (r.body.size() < 64 * 1024 && json_depth_within(r.body, 16)) {
    const auto doc = nlohmann::json::parse(r.body, nullptr, false);
    if (!doc.is_discarded() && doc.is_object()) {
      if (const auto m = doc.find("msg"); m != doc.end() && m->is_string() && !m->get<std::string>().empty()) {
        why += ": " + printable_name(m->get<std::string>().substr(0, 300));
      }
    }
  }
  return what + ": " + why;
}

}  // namespace

Result<std::vector<Snapshot>> open_opencsg(const HubTarget& t, const HubOptions& o, const Limits& limits) {
  std::string endpoint = !o.endpoint.empty() ? o.endpoint : !trim(env("CSGHUB_DOMAIN")).empty() ? std::string(trim(env("CSGHUB_DOMAIN")))
                                                                                                  : "https://hub.opencsg.com";
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (url_host(endpoint).empty()) return make_error("endpoint '" + sanitize_utf8(endpoint) + "' is not an http(s) URL");
  const std::string type = t.repo_type;
  const std::string rev = t.revision.empty() ? "main" : t.revision;
  const std::string cache_prefix = "meta/opencsg/" + type + "s/" + t.repo + "/";

  Snapshot snap;
  snap.target = t.spelled;
  snap.kind = "hub";
  snap.repo_id = t.repo;

  Cache cache = Cache::open_default();
  std::vector<Token> tokens;
  if (const std::string tok = csg_token(); !tok.empty()) tokens.push_back({url_host(endpoint), tok, {}});
  auto http = std::make_shared<HttpClient>(o.http, std::move(tokens));
  const std::string offline_why = "offline (--offline or HF_HUB_OFFLINE=1)";
  auto files = std::make_shared<HubFiles>(o.offline ? nullptr : http, cache, o.offline, limits, csg_status_error, offline_why);
  files->transfer_.endpoint = endpoint;

  // 1 and 2. The revision record: the commit and the files in one answer.
  const std::string key = cache_prefix + "info/" + url_quote(rev, false) + ".json";
  std::string body;
  if (o.offline) {
    auto rec = cache.get_text(key);
    if (!rec) return make_error(offline_why + " and the cache does not know " + t.repo + "@" + rev);
    body = std::move(*rec);
  } else {
    auto r = http->get({endpoint + "/csg/api/" + type + "s/" + t.repo + "/revision/" + url_quote(rev, false) + "?blobs=true", 0, 0, kApiBody});
    if (!r) return make_error(endpoint + ": cannot resolve " + t.repo + "@" + rev + ": " + r.error().message);
    if (r->status != 200) return make_error(csg_status_error(*r, t.repo + "@" + rev));
    body = std::move(r->body);
  }
  std::string sha;
  std::vector<ListedFile> listed;
  std::vector<Incomplete> problems;
  if (!parse_hf_model_info(body, sha, listed, problems, limits.max_files)) {
    return make_error(t.repo + "@" + rev + ": the hub's revision record is not a model-info object with siblings");
  }
  if (sha.empty()) return make_error(t.repo + "@" + rev + ": the hub's revision record names no commit");
  if (!o.offline) cache.put_text(key, body);
  snap.revision = sha;
  for (auto& p : problems) snap.incomplete.push_back(std::move(p));

  // 3. The files, at the commit.
  const std::string prefix = type == "model" ? "" : type + "s/";
  ListedSource source;
  source.url = [&](const ListedFile& lf) { return endpoint + "/csg/" + prefix + t.repo + "/resolve/" + sha + "/" + url_quote(lf.path, true); };
  add_listed_files(snap, files, listed, source, limits);
  cache.trim(Cache::max_bytes_from_env());
  return std::vector<Snapshot>{std::move(snap)};
}

}  // namespace mg::hub
