#include "source/hub/listings.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "formats/json_guard.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/target.hpp"

namespace mg::hub {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxProblems = 20;
constexpr std::size_t kMaxPages = 1'000'000;  // a listing that never ends is an error, not a hang

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
  const auto start = s.find_first_not_of(" \t");
  return start == std::string::npos ? std::string() : s.substr(start);
}

void problem(std::vector<std::string>& problems, std::string what) {
  if (problems.size() < kMaxProblems) problems.push_back(std::move(what));
}

bool valid_owner_name(std::string_view id) {
  const auto slash = id.find('/');
  return slash != std::string_view::npos && id.find('/', slash + 1) == std::string_view::npos &&
         valid_repo_part(id.substr(0, slash)) && valid_repo_part(id.substr(slash + 1));
}

void read_tags(const nlohmann::json& e, const char* key, std::vector<std::string>& tags) {
  const auto t = e.find(key);
  if (t == e.end() || !t->is_array()) return;
  for (const auto& v : *t) {
    std::string tag;
    if (v.is_string()) {
      tag = v.get<std::string>();
    } else if (v.is_object()) {  // CSGHub: {"name":..,"category":..}; ModelScope tasks: {"Name":..}
      for (const char* k : {"name", "Name"}) {
        if (const auto n = v.find(k); n != v.end() && n->is_string()) tag = n->get<std::string>();
      }
    }
    if (!tag.empty() && tag.size() <= 200 && tag.find(',') == std::string::npos && tags.size() < 256) tags.push_back(std::move(tag));
  }
}

std::string endpoint_or(const std::string& given, const char* env_name, const char* fallback) {
  std::string e = !given.empty() ? given : trimmed(env(env_name));
  if (e.empty()) e = fallback;
  if (e.find("://") == std::string::npos) e = "https://" + e;  // the SDKs take a bare domain
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

std::string read_file(const fs::path& p, std::size_t cap) {
  std::ifstream in(p, std::ios::binary);
  std::string s;
  if (!in) return s;
  s.resize(cap);
  in.read(s.data(), static_cast<std::streamsize>(cap));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

// Walks numbered pages until the listing is exhausted: `fetch(page)` appends entries and returns
// the hub's total (-1 if unknown) or an error. Stops at the cap, at an empty page, when the total
// is reached, or when a page brings nothing new (a server repeating itself).
struct PageCount {
  std::int64_t total = -1;  // the hub's count of the whole listing, -1 when it gives none
  std::size_t records = 0;  // records on this page, valid or not
};

Result<std::vector<CatalogEntry>> walk_pages(std::size_t cap,
                                             const std::function<Result<PageCount>(std::size_t, std::vector<CatalogEntry>&)>& fetch,
                                             const std::function<void(std::size_t)>& on_page) {
  std::vector<CatalogEntry> out;
  std::set<std::string> seen;
  std::size_t listed = 0;  // records the hub returned, valid or not
  std::size_t barren = 0;  // consecutive pages with records but none valid
  for (std::size_t page = 1; page <= kMaxPages && out.size() < cap; ++page) {
    std::vector<CatalogEntry> got;
    auto count = fetch(page, got);
    if (!count) return make_error(count.error().message);
    std::size_t fresh = 0;
    for (auto& e : got) {
      if (!seen.insert(e.id).second) continue;
      ++fresh;
      if (out.size() < cap) out.push_back(std::move(e));
    }
    listed += count->records;
    if (on_page) on_page(out.size());
    if (count->records == 0) break;
    if (fresh == 0 && !got.empty()) return make_error("page " + std::to_string(page) + " of the listing repeats earlier pages: stopped");
    barren = got.empty() ? barren + 1 : 0;
    if (barren >= 100) return make_error("100 pages in a row without one valid record (up to page " + std::to_string(page) + "): stopped");
    if (count->total >= 0 && listed >= static_cast<std::size_t>(count->total)) break;
  }
  return out;
}

// YAML subset for OpenMMLab's metafiles: one line, its indentation, and a "key: value" split.
struct YamlLine {
  std::size_t indent = 0;
  bool item = false;  // starts with "- "
  std::string key;    // "" for a bare sequence item
  std::string value;
};

std::string yaml_scalar(std::string v) {
  v = trimmed(v);
  if (const auto hash = v.find(" #"); hash != std::string::npos && v.front() != '\'' && v.front() != '"') v = trimmed(v.substr(0, hash));
  if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''))) v = v.substr(1, v.size() - 2);
  return v;
}

bool yaml_line(std::string_view raw, YamlLine& l) {
  std::string s(raw);
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos || s[first] == '#') return false;
  l = {};
  l.indent = first;
  std::string rest = s.substr(first);
  if (rest == "-" || rest.rfind("- ", 0) == 0) {
    l.item = true;
    rest = rest.size() > 1 ? trimmed(rest.substr(2)) : std::string();
    l.indent += 2;  // the item's own keys sit where its text starts
  }
  const auto colon = rest.find(": ");
  const bool ends_colon = !rest.empty() && rest.back() == ':';
  if (colon != std::string::npos && rest.front() != '"' && rest.front() != '\'') {
    l.key = rest.substr(0, colon);
    l.value = yaml_scalar(rest.substr(colon + 2));
  } else if (ends_colon) {
    l.key = rest.substr(0, rest.size() - 1);
  } else {
    l.value = yaml_scalar(rest);
  }
  return true;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      if (start < text.size()) out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// A relative path inside a checkout: no absolute path, no "..", no backslash or control bytes.
bool safe_relative(std::string_view p) { return !p.empty() && p.size() <= 1024 && safe_listing_path(p); }

}  // namespace

// --- ModelScope ---------------------------------------------------------------------------------

bool parse_ms_model_page(std::string_view body, std::vector<CatalogEntry>& out, std::vector<std::string>& problems,
                         std::size_t max_entries, std::int64_t& total, std::size_t& records, std::string* hub_message) {
  total = -1;
  records = 0;
  if (!json_depth_within(body, 16)) return false;
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  if (const auto ok = doc.find("Success"); ok != doc.end() && ok->is_boolean() && !ok->get<bool>()) {
    if (hub_message != nullptr) {
      const auto m = doc.find("Message");
      *hub_message = m != doc.end() && m->is_string() ? printable_name(m->get<std::string>().substr(0, 300)) : "the hub reported a failure";
    }
    return false;
  }
  const auto data = doc.find("Data");
  if (data == doc.end() || !data->is_object()) return false;
  const nlohmann::json* holder = &*data;
  if (const auto m = data->find("Model"); m != data->end() && m->is_object()) holder = &*m;  // dolphin: Data.Model.{Models,TotalCount}
  const auto models = holder->find("Models");
  if (const auto t = holder->find("TotalCount"); t != holder->end() && t->is_number_integer()) total = std::max<std::int64_t>(-1, t->get<std::int64_t>());
  if (models == holder->end() || models->is_null()) return true;  // the SDK's past-the-end page: Models null
  if (!models->is_array()) return false;
  for (const auto& e : *models) {
    if (out.size() >= max_entries) break;
    if (!e.is_object()) return false;
    ++records;
    const auto path = e.find("Path");
    const auto name = e.find("Name");
    if (path == e.end() || name == e.end() || !path->is_string() || !name->is_string()) {
      problem(problems, "ModelScope listing record without Path and Name: skipped");
      continue;
    }
    const std::string id = path->get<std::string>() + "/" + name->get<std::string>();
    if (!valid_owner_name(id)) {
      problem(problems, "ModelScope listing record with an invalid id '" + printable_name(id.substr(0, 200)) + "': skipped");
      continue;
    }
    CatalogEntry entry{id, {}, {}};
    read_tags(e, "Tags", entry.tags);
    out.push_back(std::move(entry));
  }
  return true;
}

Result<std::string> ms_listing_body(const MsListQuery& q, std::size_t page_number) {
  nlohmann::json criteria = nlohmann::json::array();
  for (const auto& c : q.criteria) {
    const auto eq = c.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == c.size()) {
      return make_error("a ModelScope criterion is category=value (tags=custom_code, organizations=Qwen), not '" + printable_name(c) + "'");
    }
    criteria.push_back({{"category", c.substr(0, eq)}, {"predicate", "contains"}, {"values", {c.substr(eq + 1)}}});
  }
  const nlohmann::json body = {{"PageSize", q.page_size}, {"PageNumber", page_number}, {"SortBy", "Default"}, {"Target", ""},
                               {"Name", q.name},          {"Criterion", criteria},       {"SingleCriterion", nlohmann::json::array()}};
  return body.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<CatalogEntry>> list_ms_models(const MsListQuery& query, std::vector<std::string>& problems,
                                                 const std::function<void(std::size_t)>& on_page) {
  const std::string endpoint = endpoint_or(query.endpoint, "MODELSCOPE_DOMAIN", "https://www.modelscope.cn");
  const std::string host = url_host(endpoint);
  if (host.empty()) return make_error("endpoint '" + printable_name(endpoint) + "' is not an http(s) URL");
  if (query.page_size == 0) return make_error("the page size must be at least 1");
  if (auto b = ms_listing_body(query, 1); !b) return make_error(b.error().message);
  std::vector<Token> tokens;
  if (const std::string tok = trimmed(env("MODELSCOPE_API_TOKEN")); !tok.empty()) tokens.push_back({host, tok, "m_session_id"});
  HttpClient http(query.http, std::move(tokens));
  const std::string url = endpoint + "/api/v1/dolphin/models";
  const std::size_t cap = query.max_entries != 0 ? query.max_entries : static_cast<std::size_t>(-1);
  return walk_pages(cap, [&](std::size_t page, std::vector<CatalogEntry>& got) -> Result<PageCount> {
    HttpRequest req;
    req.url = url;
    req.max_body = 64ull << 20;
    auto r = http.put_json(req, *ms_listing_body(query, page));
    if (!r) return make_error(endpoint + ": ModelScope listing failed: " + r.error().message);
    if (r->status != 200) return make_error(endpoint + ": ModelScope listing answered HTTP " + std::to_string(r->status) + " for page " + std::to_string(page));
    PageCount c;
    std::string message;
    if (!parse_ms_model_page(r->body, got, problems, cap, c.total, c.records, &message)) {
      return make_error(endpoint + ": page " + std::to_string(page) + " of the ModelScope listing is not a model listing" +
                        (message.empty() ? std::string() : " (" + message + ")"));
    }
    return c;
  }, on_page);
}

// --- OpenCSG ------------------------------------------------------------------------------------

bool parse_csg_model_page(std::string_view body, std::vector<CatalogEntry>& out, std::vector<std::string>& problems,
                          std::size_t max_entries, std::int64_t& total, std::size_t& records) {
  total = -1;
  records = 0;
  if (!json_depth_within(body, 16)) return false;
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  if (const auto t = doc.find("total"); t != doc.end() && t->is_number_integer()) total = std::max<std::int64_t>(-1, t->get<std::int64_t>());
  const auto data = doc.find("data");
  if (data == doc.end()) return false;
  if (data->is_null()) return true;
  if (!data->is_array()) return false;
  for (const auto& e : *data) {
    if (out.size() >= max_entries) break;
    if (!e.is_object()) return false;
    ++records;
    const auto path = e.find("path");
    if (path == e.end() || !path->is_string()) {
      problem(problems, "OpenCSG listing record without a path: skipped");
      continue;
    }
    const std::string id = path->get<std::string>();
    if (!valid_owner_name(id)) {
      problem(problems, "OpenCSG listing record with an invalid path '" + printable_name(id.substr(0, 200)) + "': skipped");
      continue;
    }
    CatalogEntry entry{id, {}, {}};
    read_tags(e, "tags", entry.tags);
    out.push_back(std::move(entry));
  }
  return true;
}

Result<std::vector<CatalogEntry>> list_csg_models(const CsgListQuery& query, std::vector<std::string>& problems,
                                                  const std::function<void(std::size_t)>& on_page) {
  const std::string endpoint = endpoint_or(query.endpoint, "CSGHUB_DOMAIN", "https://hub.opencsg.com");
  const std::string host = url_host(endpoint);
  if (host.empty()) return make_error("endpoint '" + printable_name(endpoint) + "' is not an http(s) URL");
  if (query.page_size == 0) return make_error("the page size must be at least 1");
  std::string filters;
  for (const auto& p : query.params) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) return make_error("an OpenCSG filter is key=value (search=, task_tag=, tag_name=), not '" + printable_name(p) + "'");
    const std::string key = p.substr(0, eq);
    if (key == "page" || key == "per") return make_error("--page-size and --limit set " + key + "; it is not a filter");
    filters += url_quote(key, false) + "=" + url_quote(p.substr(eq + 1), false) + "&";
  }
  std::vector<Token> tokens;
  if (const char* t = std::getenv("CSGHUB_TOKEN"); t != nullptr && !trimmed(t).empty()) tokens.push_back({host, trimmed(t), {}});
  HttpClient http(query.http, std::move(tokens));
  const std::size_t cap = query.max_entries != 0 ? query.max_entries : static_cast<std::size_t>(-1);
  return walk_pages(cap, [&](std::size_t page, std::vector<CatalogEntry>& got) -> Result<PageCount> {
    HttpRequest req;
    req.url = endpoint + "/api/v1/models?" + filters + "page=" + std::to_string(page) + "&per=" + std::to_string(query.page_size);
    req.max_body = 64ull << 20;
    auto r = http.get(req);
    if (!r) return make_error(endpoint + ": OpenCSG listing failed: " + r.error().message);
    if (r->status != 200) return make_error(endpoint + ": OpenCSG listing answered HTTP " + std::to_string(r->status) + " for page " + std::to_string(page));
    PageCount c;
    if (!parse_csg_model_page(r->body, got, problems, cap, c.total, c.records)) {
      return make_error(endpoint + ": page " + std::to_string(page) + " of the OpenCSG listing is not a model listing");
    }
    return c;
  }, on_page);
}

// --- PyTorch Hub index ----------------------------------------------------------------------------

std::string parse_torchhub_markdown(std::string_view text) {
  const auto lines = lines_of(text.substr(0, std::min<std::size_t>(text.size(), 64 << 10)));
  if (lines.empty() || trimmed(std::string(lines[0])) != "---") return "";
  for (std::size_t i = 1; i < lines.size() && i < 200; ++i) {
    const std::string l = trimmed(std::string(lines[i]));
    if (l == "---") break;
    if (l.rfind("github-link:", 0) != 0) continue;
    std::string url = yaml_scalar(l.substr(12));
    for (const char* prefix : {"https://github.com/", "http://github.com/", "https://www.github.com/"}) {
      if (url.rfind(prefix, 0) == 0) {
        std::string rest = url.substr(std::string_view(prefix).size());
        while (!rest.empty() && rest.back() == '/') rest.pop_back();
        if (rest.size() > 4 && rest.compare(rest.size() - 4, 4, ".git") == 0) rest.resize(rest.size() - 4);
        // owner/repo, possibly followed by /tree/<ref>/...: the repository is the first two parts.
        const auto s1 = rest.find('/');
        if (s1 == std::string::npos) return "";
        const auto s2 = rest.find('/', s1 + 1);
        const std::string id = rest.substr(0, s2);
        return valid_owner_name(id) ? id : "";
      }
    }
    return "";
  }
  return "";
}

Result<std::vector<CatalogEntry>> list_torchhub_index(const std::string& folder, std::vector<std::string>& problems) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return make_error(folder + " is not a folder (a pytorch/hub checkout)");
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    if (e.is_regular_file(ec) && e.path().extension() == ".md" && !e.is_symlink(ec)) files.push_back(e.path());
  }
  if (ec) return make_error("cannot list " + folder + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<CatalogEntry> out;
  std::set<std::string> seen;
  std::size_t with_link = 0;
  for (const auto& f : files) {
    const std::string text = read_file(f, 256 << 10);
    if (text.rfind("---", 0) != 0) continue;  // README.md and other pages without front matter
    const std::string id = parse_torchhub_markdown(text);
    if (id.empty()) {
      problem(problems, f.filename().string() + ": no github-link to a GitHub repository in its front matter: skipped");
      continue;
    }
    ++with_link;
    if (seen.insert(id).second) out.push_back({id, {"torchhub-index:" + f.stem().string()}, {}});
  }
  if (with_link == 0) return make_error(folder + " has no Markdown file with a github-link front matter line (not a pytorch/hub checkout?)");
  return out;
}

// --- OpenMMLab model indexes --------------------------------------------------------------------

std::vector<std::string> parse_mm_model_index(std::string_view yaml, std::vector<std::string>& problems) {
  std::vector<std::string> out;
  bool in_import = false;
  std::size_t import_indent = 0;
  for (const auto raw : lines_of(yaml)) {
    YamlLine l;
    if (!yaml_line(raw, l)) continue;
    if (!l.item && l.indent == 0) {
      in_import = l.key == "Import";
      import_indent = 0;
      continue;
    }
    if (!in_import || !l.item || !l.key.empty()) continue;
    if (import_indent == 0) import_indent = l.indent;
    if (l.indent != import_indent) continue;
    if (!safe_relative(l.value)) {
      problem(problems, "model-index.yml imports '" + printable_name(l.value.substr(0, 200)) + "', not a path inside the repository: skipped");
      continue;
    }
    if (out.size() < 10'000) out.push_back(l.value);
  }
  return out;
}

std::vector<MmModel> parse_mm_metafile(std::string_view yaml, std::vector<std::string>& problems, std::size_t max_models) {
  std::vector<MmModel> out;
  bool in_models = false;
  std::size_t item_indent = 0;  // indentation of a model's keys
  bool open = false;
  auto close = [&]() {
    if (!open) return;
    open = false;
    MmModel& m = out.back();
    if (m.config.empty() || !safe_relative(m.config)) {
      problem(problems, "model '" + printable_name(m.name.substr(0, 100)) + "' has no usable Config: skipped");
      out.pop_back();
    }
  };
  for (const auto raw : lines_of(yaml)) {
    YamlLine l;
    if (!yaml_line(raw, l)) continue;
    if (!l.item && l.indent == 0) {
      close();
      in_models = l.key == "Models";
      item_indent = 0;
      continue;
    }
    if (!in_models) continue;
    if (l.item && (item_indent == 0 || l.indent == item_indent)) {
      close();
      if (out.size() >= max_models) break;
      item_indent = l.indent;
      out.push_back({});
      open = true;
    } else if (!open || l.indent != item_indent) {
      continue;  // nested mappings (Metadata, Results) and their items
    }
    if (l.key == "Name") out.back().name = l.value;
    if (l.key == "Config") out.back().config = l.value;
    if (l.key == "Weights") out.back().weights = l.value;
  }
  close();
  return out;
}

Result<MmIndex> read_mm_index(const std::string& checkout, std::vector<std::string>& problems) {
  std::error_code ec;
  const fs::path root = fs::absolute(checkout).lexically_normal();
  fs::path index = root / "model-index.yml";
  if (!fs::is_regular_file(index, ec)) index = root / ".mim" / "model-index.yml";
  if (!fs::is_regular_file(index, ec)) return make_error(checkout + " has no model-index.yml (not an OpenMMLab checkout?)");
  MmIndex out;
  std::string name = root.filename().string();
  if (name.empty()) name = root.parent_path().filename().string();
  out.repo = "open-mmlab/" + name;
  const auto imports = parse_mm_model_index(read_file(index, 4 << 20), problems);
  if (imports.empty()) return make_error(index.string() + " imports no metafile");
  for (const auto& rel : imports) {
    const fs::path meta = root / rel;
    if (!fs::is_regular_file(meta, ec)) {
      problem(problems, rel + ": imported by model-index.yml but missing: skipped");
      continue;
    }
    ++out.metafiles;
    for (auto& m : parse_mm_metafile(read_file(meta, 8 << 20), problems, 100'000)) {
      if (!fs::is_regular_file(root / m.config, ec)) {
        problem(problems, "model '" + printable_name(m.name.substr(0, 100)) + "' names Config " + printable_name(m.config) + ", missing in the checkout");
        continue;
      }
      out.models.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace mg::hub
