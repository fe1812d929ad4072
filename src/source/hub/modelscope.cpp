// The ModelScope client (docs/hubs.md, "ModelScope"): the revision looked up among the model's
// branches and tags, the recursive file listing with each file's SHA-256 and size, and the files
// through the repo download route (Range honoured), read like Hugging Face files.
#include <algorithm>
#include <cstdlib>

#include "core/text.hpp"
#include "source/hub/hub.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/remote_files.hpp"

namespace mg::hub {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

bool is_hex40(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The Message of a ModelScope error answer, when the body is one.
std::string envelope_message(const HttpResponse& r) {
  std::vector<ListedFile> none;
  std::vector<Incomplete> problems;
  std::string message;
  (void)parse_ms_files(r.body.substr(0, 64 << 10), none, problems, 0, &message);
  return message;
}

std::string ms_status_error(const HttpResponse& r, const std::string& what) {
  std::string why;
  switch (r.status) {
    case 401: why = "401 Unauthorized: private model or a refused token (set MODELSCOPE_API_TOKEN if you have access)"; break;
    case 403: why = "403 Forbidden: this token has not been granted access to the model"; break;
    case 404: why = "404: model, revision or file not found"; break;
    case 429: why = "429: rate limited by the hub"; break;
    default: why = "HTTP " + std::to_string(r.status);
  }
  if (const std::string m = envelope_message(r); !m.empty()) why += ": " + m;
  return what + ": " + why;
}

// --endpoint, else MODELSCOPE_DOMAIN (a host name the SDK puts after "https://"; a full URL is taken
// as it is), else the Chinese site.
std::string ms_endpoint(const HubOptions& o) {
  std::string ep = o.endpoint;
  if (ep.empty()) {
    const std::string domain(trim(env("MODELSCOPE_DOMAIN")));
    if (!domain.empty()) ep = domain.find("://") == std::string::npos ? "https://" + domain : domain;
  }
  if (ep.empty()) ep = "https://www.modelscope.cn";
  while (!ep.empty() && ep.back() == '/') ep.pop_back();
  return ep;
}

}  // namespace

Result<std::vector<Snapshot>> open_modelscope(const HubTarget& t, const HubOptions& o, const Limits& limits) {
  const std::string endpoint = ms_endpoint(o);
  if (url_host(endpoint).empty()) return make_error("endpoint '" + sanitize_utf8(endpoint) + "' is not an http(s) URL");
  const std::string api = endpoint + "/api/v1/models/" + t.repo;
  const std::string cache_prefix = "meta/modelscope/models/" + t.repo + "/";

  Snapshot snap;
  snap.target = t.spelled;
  snap.kind = "hub";
  snap.repo_id = t.repo;

  Cache cache = Cache::open_default();
  std::vector<Token> tokens;
  // The SDK turns MODELSCOPE_API_TOKEN into its session cookie (m_session_id) for the hub's domain.
  if (const std::string tok(trim(env("MODELSCOPE_API_TOKEN"))); !tok.empty()) tokens.push_back({url_host(endpoint), tok, "m_session_id"});
  auto http = std::make_shared<HttpClient>(o.http, std::move(tokens));
  const std::string offline_why = "offline (--offline or HF_HUB_OFFLINE=1)";
  auto files = std::make_shared<HubFiles>(o.offline ? nullptr : http, cache, o.offline, limits, ms_status_error, offline_why);
  files->transfer_.endpoint = endpoint;

  // 1. The revision. ModelScope names branches and tags; the SDK with no revision takes the newest
  // tag, else master. A commit is recorded when the answer names one; otherwise the revision as
  // given is what the report records (a branch is not a pin).
  std::string rev = t.revision;
  std::string commit;
  const std::string ref_key = cache_prefix + "refs/" + url_quote(rev.empty() ? std::string("@default") : rev, false);
  if (o.offline) {
    auto s = cache.get_text(ref_key);
    if (!s || trim(*s).empty()) return make_error(offline_why + " and the cache does not know revision '" + (rev.empty() ? "(default)" : rev) + "' of " + t.repo);
    rev = std::string(trim(*s));
  } else {
    auto r = http->get({api + "/revisions", 0, 0, kApiBody});
    if (!r) return make_error(endpoint + ": cannot resolve " + t.repo + ": " + r.error().message);
    if (r->status != 200) return make_error(ms_status_error(*r, t.repo + ": revisions"));
    std::vector<MsRevision> revisions;
    std::string message;
    if (!parse_ms_revisions(r->body, revisions, &message)) {
      return make_error(t.repo + ": the hub's revision list is " + (message.empty() ? "not a ModelScope answer" : "an error: " + message));
    }
    const MsRevision* found = nullptr;
    if (rev.empty()) {
      for (const auto& x : revisions) {
        if (x.tag && (found == nullptr || x.created_at > found->created_at)) found = &x;
      }
      rev = found != nullptr ? found->name : "master";
      if (found == nullptr) {
        for (const auto& x : revisions) {
          if (!x.tag && x.name == rev) found = &x;
        }
      }
    } else {
      // A tag first, as the SDK looks a revision up among the tags before the branches.
      for (const bool tag : {true, false}) {
        for (const auto& x : revisions) {
          if (found == nullptr && x.tag == tag && x.name == rev) found = &x;
        }
      }
      if (found == nullptr && !is_hex40(rev)) return make_error(t.repo + "@" + rev + ": revision not found among the model's branches and tags");
    }
    if (found != nullptr) commit = found->commit;
    if (is_hex40(rev)) commit = rev;
    if (!commit.empty()) rev = commit;
    cache.put_text(ref_key, rev);
  }
  snap.revision = rev;

  // 2. The listing.
  std::vector<ListedFile> listed;
  std::vector<Incomplete> problems;
  const std::string listing_key = cache_prefix + "trees/" + url_quote(rev, false) + ".json";
  std::string body;
  if (o.offline) {
    auto rec = cache.get_text(listing_key);
    if (!rec) return make_error(offline_why + " and the listing of " + t.repo + "@" + rev + " is not in the cache");
    body = std::move(*rec);
  } else {
    auto r = http->get({api + "/repo/files?Revision=" + url_quote(rev, false) + "&Recursive=True", 0, 0, kApiBody});
    if (!r) return make_error(t.repo + "@" + rev + ": cannot list files: " + r.error().message);
    if (r->status != 200) return make_error(ms_status_error(*r, t.repo + ": listing"));
    body = std::move(r->body);
  }
  std::string message;
  if (!parse_ms_files(body, listed, problems, limits.max_files, &message)) {
    return make_error(t.repo + ": the file listing is " + (message.empty() ? "not a ModelScope answer" : "an error: " + message));
  }
  // A branch moves: its listing is kept for offline scans only, under the name it had.
  if (!o.offline) cache.put_text(listing_key, body);
  for (auto& p : problems) snap.incomplete.push_back(std::move(p));

  // The platform as a folder of these files would get it.
  const auto has = [&](std::string_view p) { return std::any_of(listed.begin(), listed.end(), [&](const ListedFile& f) { return f.path == p; }); };
  if (has(".mdl") || has(".msc") || (has("configuration.json") && !has("config.json"))) snap.platform_hint = "modelscope";

  // 3. The files.
  ListedSource source;
  source.url = [&](const ListedFile& lf) { return api + "/repo?Revision=" + url_quote(rev, false) + "&FilePath=" + url_quote(lf.path, true); };
  add_listed_files(snap, files, listed, source, limits);
  cache.trim(Cache::max_bytes_from_env());
  return std::vector<Snapshot>{std::move(snap)};
}

}  // namespace mg::hub
