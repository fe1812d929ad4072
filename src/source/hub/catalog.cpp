#include "source/hub/catalog.hpp"

#include <cstdlib>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "formats/json_guard.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/target.hpp"

namespace mg::hub {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string first_line_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s;
  std::getline(in, s);
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The same token sources as the Hugging Face client: HF_TOKEN, HF_TOKEN_PATH, the login file.
std::string hf_token() {
  if (auto t = env("HF_TOKEN"); !t.empty()) return t;
  if (auto p = env("HF_TOKEN_PATH"); !p.empty()) return first_line_of(p);
  std::string home = env("HF_HOME");
  if (home.empty() && !env("XDG_CACHE_HOME").empty()) home = env("XDG_CACHE_HOME") + "/huggingface";
  if (home.empty() && !env("HOME").empty()) home = env("HOME") + "/.cache/huggingface";
  return home.empty() ? std::string() : first_line_of(home + "/token");
}

bool valid_id(std::string_view id) {
  const auto slash = id.find('/');
  if (slash == std::string_view::npos) return valid_repo_part(id);  // legacy ids without an owner
  return id.find('/', slash + 1) == std::string_view::npos && valid_repo_part(id.substr(0, slash)) &&
         valid_repo_part(id.substr(slash + 1));
}

}  // namespace

bool parse_catalog_page(std::string_view body, std::vector<CatalogEntry>& out, std::vector<std::string>& problems,
                        std::size_t max_entries) {
  if (!json_depth_within(body, 16)) return false;
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return false;
  for (const auto& e : doc) {
    if (out.size() >= max_entries) break;
    if (!e.is_object()) return false;
    auto id = e.find("id");
    if (id == e.end() || !id->is_string()) id = e.find("modelId");
    if (id == e.end() || !id->is_string()) {
      if (problems.size() < 20) problems.push_back("listing record without an id: skipped");
      continue;
    }
    const std::string s = id->get<std::string>();
    if (!valid_id(s)) {
      if (problems.size() < 20) problems.push_back("listing record with an invalid id '" + printable_name(s.substr(0, 200)) + "': skipped");
      continue;
    }
    CatalogEntry entry{s, {}, {}};
    if (const auto tags = e.find("tags"); tags != e.end() && tags->is_array()) {
      for (const auto& t : *tags) {
        if (t.is_string() && entry.tags.size() < 256) {
          std::string tag = t.get<std::string>();
          if (tag.size() <= 200 && tag.find(',') == std::string::npos) entry.tags.push_back(std::move(tag));
        }
      }
    }
    if (const auto sha = e.find("sha"); sha != e.end() && sha->is_string()) {
      const std::string v = sha->get<std::string>();
      if (v.size() == 40 && v.find_first_not_of("0123456789abcdef") == std::string::npos) entry.sha = v;
    }
    out.push_back(std::move(entry));
  }
  return true;
}

Result<std::vector<CatalogEntry>> list_hf_models(const CatalogQuery& query, std::vector<std::string>& problems,
                                                 const std::function<void(std::size_t)>& on_page) {
  std::string endpoint = !query.endpoint.empty() ? query.endpoint : !env("HF_ENDPOINT").empty() ? env("HF_ENDPOINT") : "https://huggingface.co";
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const std::string host = url_host(endpoint);
  if (host.empty()) return make_error("endpoint '" + printable_name(endpoint) + "' is not an http(s) URL");
  if (query.page_size == 0) return make_error("the page size must be at least 1");

  std::vector<Token> tokens;
  if (const std::string tok = hf_token(); !tok.empty()) tokens.push_back({host, tok, {}});
  HttpClient http(query.http, std::move(tokens));

  std::string url = endpoint + "/api/models?";
  for (const auto& f : query.filters) url += "filter=" + url_quote(f, false) + "&";
  url += "limit=" + std::to_string(query.page_size) + "&full=true";
  const std::size_t cap = query.max_entries != 0 ? query.max_entries : static_cast<std::size_t>(-1);

  std::vector<CatalogEntry> out;
  std::set<std::string> visited;
  while (!url.empty() && out.size() < cap) {
    if (!visited.insert(url).second) return make_error("the listing's next link loops back to " + printable_name(url));
    HttpRequest req;
    req.url = url;
    req.max_body = 64ull << 20;
    auto r = http.get(req);
    if (!r) return make_error(endpoint + ": listing failed: " + r.error().message);
    if (r->status != 200) return make_error(endpoint + ": listing answered HTTP " + std::to_string(r->status) + " for " + printable_name(url));
    if (!parse_catalog_page(r->body, out, problems, cap)) {
      return make_error(endpoint + ": the listing page is not a JSON array of model records (" + printable_name(url) + ")");
    }
    if (on_page) on_page(out.size());
    std::string next = link_next(r->header("link"));
    if (!next.empty() && next.front() == '/') next = endpoint + next;  // a relative cursor link
    if (!next.empty() && url_host(next) != host) {
      return make_error("the listing's next link leaves " + host + " (" + printable_name(next) + "): refused");
    }
    url = next;
  }
  return out;
}

}  // namespace mg::hub
