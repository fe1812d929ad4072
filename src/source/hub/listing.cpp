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
