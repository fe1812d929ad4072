#include "source/hub/target.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace mg::hub {

namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

Error bad(std::string_view target, const std::string& why) {
  return make_error("invalid hub target '" + sanitize_utf8(target) + "': " + why);
}

// "org/name" with both parts valid.
bool valid_repo(std::string_view repo) {
  const auto slash = repo.find('/');
  if (slash == std::string_view::npos || repo.find('/', slash + 1) != std::string_view::npos) return false;
  return valid_repo_part(repo.substr(0, slash)) && valid_repo_part(repo.substr(slash + 1));
}

Result<std::optional<HubTarget>> finish(std::string_view spelled, Hub hub, std::string_view repo, std::string_view rev,
                                        std::string_view repo_type) {
  if (!valid_repo(repo)) {
    return bad(spelled, "the repository must be owner/name, each part of letters, digits, '-', '_' or '.' (1-96 characters)");
  }
  if (!rev.empty() && !valid_revision(rev)) return bad(spelled, "the revision has characters a branch, tag or commit cannot have");
  HubTarget t;
  t.hub = hub;
  t.repo = std::string(repo);
  t.revision = std::string(rev);
  t.repo_type = std::string(repo_type);
  t.spelled = std::string(spelled);
  return std::optional<HubTarget>(std::move(t));
}

}  // namespace

std::string_view hub_name(Hub h) {
  switch (h) {
    case Hub::huggingface: return "huggingface";
    case Hub::modelscope: return "modelscope";
    case Hub::opencsg: return "opencsg";
    case Hub::torchhub: return "torchhub";
    case Hub::github: return "github";
  }
  return "unknown";
}

bool valid_repo_part(std::string_view p) {
  if (p.empty() || p.size() > 96) return false;
  if (!std::all_of(p.begin(), p.end(), [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; })) return false;
  if (p.front() == '-' || p.front() == '.' || p.back() == '-' || p.back() == '.') return false;
  return p.find("..") == std::string_view::npos && p.find("--") == std::string_view::npos;
}

bool valid_revision(std::string_view r) {
  if (r.empty() || r.size() > 255 || r.front() == '/' || r.back() == '/') return false;
  if (!std::all_of(r.begin(), r.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '\\' && c != '?' && c != '#' && c != '%'; })) {
    return false;
  }
  return r.find("..") == std::string_view::npos && r.find("//") == std::string_view::npos;
}

std::string url_quote(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_alnum(ch) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::optional<HubTarget>> parse_hub_target(std::string_view target, std::string_view repo_type) {
  if (repo_type != "model" && repo_type != "dataset" && repo_type != "space") {
    return make_error("--repo-type must be model, dataset or space");
  }
  struct Prefix {
    std::string_view text;
    Hub hub;
    char rev_sep;
  };
  static constexpr Prefix kPrefixes[] = {
      {"hf:", Hub::huggingface, '@'}, {"ms:", Hub::modelscope, '@'}, {"csg:", Hub::opencsg, '@'},
      {"torchhub:", Hub::torchhub, ':'}, {"github:", Hub::github, '@'},
  };
  for (const auto& p : kPrefixes) {
    if (!starts_with(target, p.text)) continue;
    std::string_view rest = target.substr(p.text.size());
    std::string_view rev;
    if (const auto at = rest.find(p.rev_sep); at != std::string_view::npos) {
      rev = rest.substr(at + 1);
      rest = rest.substr(0, at);
      if (rev.empty()) return bad(target, std::string("nothing after '") + p.rev_sep + "'");
    }
    if (p.hub == Hub::github || p.hub == Hub::torchhub || p.hub == Hub::modelscope) {
      if (repo_type != "model") return bad(target, "--repo-type applies to Hugging Face and OpenCSG only");
    }
    return finish(target, p.hub, rest, rev, repo_type);
  }
  for (std::string_view host : {"https://huggingface.co/", "https://hf.co/", "http://huggingface.co/"}) {
    if (!starts_with(target, host)) continue;
    std::string_view rest = target.substr(host.size());
    if (const auto q = rest.find_first_of("?#"); q != std::string_view::npos) rest = rest.substr(0, q);
    std::string type(repo_type);
    if (starts_with(rest, "datasets/")) {
      type = "dataset";
      rest.remove_prefix(9);
    } else if (starts_with(rest, "spaces/")) {
      type = "space";
      rest.remove_prefix(7);
    }
    const auto parts = split(rest, '/');
    if (parts.size() < 2) return bad(target, "a Hub URL names https://huggingface.co/org/name[/tree/revision]");
    const std::string repo = std::string(parts[0]) + "/" + std::string(parts[1]);
    std::string rev;
    if (parts.size() > 2) {
      if (parts.size() < 4 || (parts[2] != "tree" && parts[2] != "blob" && parts[2] != "resolve")) {
        if (!(parts.size() == 3 && parts[2].empty())) return bad(target, "only /tree/<revision> may follow org/name in a Hub URL");
      } else {
        // /tree/<rev> names a revision; a file path after it is not a repository target.
        if (parts[2] != "tree" || parts.size() > 4) return bad(target, "a file URL is not a repository; use /tree/<revision>");
        rev = std::string(parts[3]);
        if (rev.empty()) return bad(target, "empty revision after /tree/");
      }
    }
    return finish(target, Hub::huggingface, repo, rev, type);
  }
  for (std::string_view host : {"https://www.modelscope.cn/", "https://modelscope.cn/", "https://www.modelscope.ai/", "https://modelscope.ai/"}) {
    if (!starts_with(target, host)) continue;
    // https://www.modelscope.cn/models/owner/name[/summary|/files][?Revision=rev]
    std::string_view rest = target.substr(host.size());
    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    if (const auto h = query.find('#'); h != std::string_view::npos) query = query.substr(0, h);
    if (const auto h = rest.find('#'); h != std::string_view::npos) rest = rest.substr(0, h);
    if (!starts_with(rest, "models/")) return bad(target, "only model URLs (https://www.modelscope.cn/models/owner/name) are ModelScope targets");
    rest.remove_prefix(7);
    const auto parts = split(rest, '/');
    if (parts.size() < 2) return bad(target, "a ModelScope URL names https://www.modelscope.cn/models/owner/name");
    if (parts.size() > 3 || (parts.size() == 3 && parts[2] != "summary" && parts[2] != "files" && !parts[2].empty())) {
      return bad(target, "only /summary or /files may follow owner/name in a ModelScope URL");
    }
    if (repo_type != "model") return bad(target, "--repo-type applies to Hugging Face and OpenCSG only");
    std::string rev;
    for (auto kv : split(query, '&')) {
      if (starts_with(kv, "Revision=")) rev = std::string(kv.substr(9));
    }
    if (query.find("Revision=") != std::string_view::npos && rev.empty()) return bad(target, "empty Revision= in the URL");
    return finish(target, Hub::modelscope, std::string(parts[0]) + "/" + std::string(parts[1]), rev, "model");
  }
  return std::optional<HubTarget>();
}

}  // namespace mg::hub
