#include "source/hub/listing.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "core/text.hpp"
#include "formats/json_guard.hpp"

namespace mg::hub {

namespace {

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Appends listed files to `out` under the rules every listing shares: a name no repository can hold,
// a duplicate or a missing size is left out and reported (the first 20 problems).
class EntrySink {
 public:
  EntrySink(std::vector<ListedFile>& out, std::vector<Incomplete>& problems, std::size_t max_entries)
      : out_(out), problems_(problems), max_(max_entries) {
    for (const auto& f : out) seen_.insert(f.path);
  }
  void problem(const std::string& file, const std::string& why) {
    if (++reported_ <= 20) problems_.push_back({file, why});
  }
  // False once the listing holds max_entries files (stop reading).
  bool add(const std::string& path, const nlohmann::json* size, ListedFile lf) {
    if (!safe_listing_path(path)) {
      problem(printable_name(path.substr(0, 200)), "the listing names a file no repository can hold (absolute, '..', control "
                                                  "characters or not UTF-8): not fetched");
      return true;
    }
    if (out_.size() >= max_) {
      problem("", "listing has more than " + std::to_string(max_) + " files; the rest were not scanned");
      return false;
    }
    if (size == nullptr || !size->is_number_unsigned()) {
      problem(path, "the listing gives no size: not fetched");
      return true;
    }
    lf.path = path;
    lf.size = size->get<std::uint64_t>();
    if (!seen_.insert(path).second) {
      problem(path, "the listing names this file twice: not fetched");
      return true;
    }
    out_.push_back(std::move(lf));
    return true;
  }

 private:
  std::vector<ListedFile>& out_;
  std::vector<Incomplete>& problems_;
  std::size_t max_;
  std::set<std::string, std::less<>> seen_;
  std::size_t reported_ = 0;
};

const nlohmann::json* member(const nlohmann::json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

std::string string_member(const nlohmann::json& o, const char* key) {
  const auto* v = member(o, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

// The Data of a ModelScope answer, or nullptr (with hub_message set when the wrapper says why).
const nlohmann::json* ms_data(const nlohmann::json& doc, std::string* hub_message) {
  if (!doc.is_object()) return nullptr;
  const auto* code = member(doc, "Code");
  const auto* success = member(doc, "Success");
  const bool failed = (code != nullptr && code->is_number() && code->get<double>() != 200) ||
                      (success != nullptr && success->is_boolean() && !success->get<bool>());
  if (failed) {
    if (hub_message != nullptr) {
      std::string m = string_member(doc, "Message");
      if (m.empty() && code != nullptr && code->is_number()) m = "Code " + code->dump();
      *hub_message = m.empty() ? std::string("the hub reported a failure") : printable_name(m.substr(0, 300));
    }
    return nullptr;
  }
  const auto* data = member(doc, "Data");
  return data != nullptr && data->is_object() ? data : nullptr;
}

}  // namespace

std::string printable_name(std::string_view s) {
  std::string out;
  for (const char ch : sanitize_utf8(s)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

bool safe_listing_path(std::string_view p) {
  if (p.empty() || p.size() > 1024 || p.front() == '/' || !is_valid_utf8(p)) return false;
  for (const char ch : p) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  }
  for (auto part : split(p, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

bool parse_hf_tree_page(std::string_view body, std::vector<ListedFile>& out, std::vector<Incomplete>& problems,
                        std::size_t max_entries) {
  if (!json_depth_within(body, 16)) return false;
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return false;
  std::set<std::string, std::less<>> seen;
  for (const auto& f : out) seen.insert(f.path);
  std::size_t reported = 0;
  auto problem = [&](const std::string& file, const std::string& why) {
    if (++reported <= 20) problems.push_back({file, why});
  };
  for (const auto& e : doc) {
    if (!e.is_object()) return false;
    const auto type = e.find("type");
    const auto path = e.find("path");
    if (type == e.end() || !type->is_string() || path == e.end() || !path->is_string()) {
      problem("", "listing entry without a type or path");
      continue;
    }
    if (*type != "file") continue;
    const std::string p = path->get<std::string>();
    if (!safe_listing_path(p)) {
      problem(printable_name(p.substr(0, 200)), "the listing names a file no repository can hold (absolute, '..', control "
                                               "characters or not UTF-8): not fetched");
      continue;
    }
    if (out.size() >= max_entries) {
      problem("", "listing has more than " + std::to_string(max_entries) + " files; the rest were not scanned");
      return true;
    }
    ListedFile lf;
    lf.path = p;
    const auto size = e.find("size");
    if (size == e.end() || !size->is_number_unsigned()) {
      problem(p, "the listing gives no size: not fetched");
      continue;
    }
    lf.size = size->get<std::uint64_t>();
    if (const auto oid = e.find("oid"); oid != e.end() && oid->is_string() && is_hex(oid->get<std::string>(), 40)) {
      lf.oid = oid->get<std::string>();
    }
    if (const auto lfs = e.find("lfs"); lfs != e.end() && lfs->is_object()) {
      const auto o = lfs->find("oid");
      const auto s = lfs->find("size");
      if (o == lfs->end() || !o->is_string() || !is_hex(o->get<std::string>(), 64) || s == lfs->end() ||
          !s->is_number_unsigned() || s->get<std::uint64_t>() != lf.size) {
        problem(p, "the listing's LFS record is malformed or disagrees with the size: not fetched");
        continue;
      }
      lf.lfs_sha256 = o->get<std::string>();
    }
    if (!seen.insert(p).second) {
      problem(p, "the listing names this file twice: not fetched");
      continue;
    }
    out.push_back(std::move(lf));
  }
  return true;
}

std::string parse_hf_revision_sha(std::string_view body) {
  if (!json_depth_within(body, 64)) return {};
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {};
  const auto sha = doc.find("sha");
  if (sha == doc.end() || !sha->is_string() || !is_hex(sha->get<std::string>(), 40)) return {};
  return sha->get<std::string>();
}

bool parse_ms_files(std::string_view body, std::vector<ListedFile>& out, std::vector<Incomplete>& problems, std::size_t max_entries,
                    std::string* hub_message) {
  if (!json_depth_within(body, 16)) return false;
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return false;
  const auto* data = ms_data(doc, hub_message);
  if (data == nullptr) return false;
  const auto* files = member(*data, "Files");
  if (files == nullptr) return false;
  if (files->is_null()) return true;  // an empty repository
  if (!files->is_array()) return false;
  EntrySink sink(out, problems, max_entries);
  for (const auto& e : *files) {
    if (!e.is_object()) return false;
    const auto* type = member(e, "Type");
    const auto* path = member(e, "Path");
    if (type == nullptr || !type->is_string() || path == nullptr || !path->is_string()) {
      sink.problem("", "listing entry without a Type or Path");
      continue;
    }
    if (*type != "blob") continue;
    const std::string p = path->get<std::string>();
    ListedFile lf;
    if (const auto* sha = member(e, "Sha256"); sha != nullptr && !sha->is_null() && !(sha->is_string() && sha->get<std::string>().empty())) {
      // ModelScope hashes every file (absent or empty: checked by size only); a hash that is not one
      // cannot verify anything.
      if (!sha->is_string() || !is_hex(to_lower(sha->get<std::string>()), 64)) {
        sink.problem(printable_name(p.substr(0, 200)), "the listing's Sha256 is malformed: not fetched");
        continue;
      }
      lf.lfs_sha256 = to_lower(sha->get<std::string>());
    }
    if (!sink.add(p, member(e, "Size"), std::move(lf))) break;
  }
  return true;
}

bool parse_ms_revisions(std::string_view body, std::vector<MsRevision>& out, std::string* hub_message) {
  if (!json_depth_within(body, 16)) return false;
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded()) return false;
  const auto* data = ms_data(doc, hub_message);
  if (data == nullptr) return false;
  const auto* map = member(*data, "RevisionMap");
  if (map == nullptr || !map->is_object()) return false;
  for (const auto& [key, tag] : {std::pair<const char*, bool>{"Branches", false}, {"Tags", true}}) {
    const auto* list = member(*map, key);
    if (list == nullptr || list->is_null()) continue;
    if (!list->is_array()) return false;
    for (const auto& e : *list) {
      MsRevision r;
      r.name = string_member(e, "Revision");
      if (r.name.empty() || r.name.size() > 255) continue;
      r.tag = tag;
      if (const std::string c = to_lower(string_member(e, "CommitId")); is_hex(c, 40)) r.commit = c;
      if (const auto* at = member(e, "CreatedAt"); at != nullptr && at->is_number_integer()) r.created_at = at->get<std::int64_t>();
      if (out.size() >= 10000) return true;
      out.push_back(std::move(r));
    }
  }
  return true;
}

bool parse_hf_model_info(std::string_view body, std::string& sha, std::vector<ListedFile>& out, std::vector<Incomplete>& problems,
                         std::size_t max_entries) {
  if (!json_depth_within(body, 16)) return false;
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  const auto* siblings = member(doc, "siblings");
  if (siblings == nullptr || !siblings->is_array()) return false;
  sha = string_member(doc, "sha");
  if (!is_hex(sha, 40)) sha.clear();
  EntrySink sink(out, problems, max_entries);
  for (const auto& e : *siblings) {
    const auto* name = member(e, "rfilename");
    if (name == nullptr || !name->is_string()) {
      sink.problem("", "listing entry without an rfilename");
      continue;
    }
    const std::string p = name->get<std::string>();
    const auto* size = member(e, "size");
    ListedFile lf;
    if (const std::string blob = string_member(e, "blobId"); is_hex(blob, 40)) lf.oid = blob;
    if (const auto* lfs = member(e, "lfs"); lfs != nullptr && !lfs->is_null()) {
      const std::string h = string_member(*lfs, "sha256");
      const auto* s = member(*lfs, "size");
      if (!is_hex(h, 64) || s == nullptr || size == nullptr || !s->is_number_unsigned() || !size->is_number_unsigned() ||
          s->get<std::uint64_t>() != size->get<std::uint64_t>()) {
        sink.problem(printable_name(p.substr(0, 200)), "the listing's LFS record is malformed or disagrees with the size: not fetched");
        continue;
      }
      lf.lfs_sha256 = h;
    }
    if (!sink.add(p, size, std::move(lf))) break;
  }
  return true;
}

std::string link_next(std::string_view h) {
  // <url>; rel="next", <url2>; rel="prev"
  std::size_t pos = 0;
  while (pos < h.size()) {
    const auto lt = h.find('<', pos);
    if (lt == std::string_view::npos) break;
    const auto gt = h.find('>', lt);
    if (gt == std::string_view::npos) break;
    auto next = h.find(',', gt);
    if (next == std::string_view::npos) next = h.size();
    const std::string params = to_lower(h.substr(gt + 1, next - gt - 1));
    if (params.find("rel=\"next\"") != std::string::npos || params.find("rel=next") != std::string::npos) {
      return std::string(h.substr(lt + 1, gt - lt - 1));
    }
    pos = next + 1;
  }
  return {};
}

}  // namespace mg::hub
