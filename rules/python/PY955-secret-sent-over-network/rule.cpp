// Intra-procedural taint: a secret read (token environment variables, credential files, the whole
// environment, the Hugging Face token) reaching a network call in the same function or module body.
#include <string.h>

#include <algorithm>
#include <map>
#include <span>
#include <vector>

#include "python/checker.hpp"
#include "rules/python/common/behaviour.hpp"

namespace mg::py {
namespace {
using namespace behaviour;

// A secret read at `n` itself: returns what it reads, or "".
std::string source_at(const Checker& c, TSNode n) {
  if (is(n, "subscript")) {
    const std::string_view v = c.text(field(n, "value"));
    if (v == "os.environ" || v == "environ") {
      auto key = c.literal(field(n, "subscript"));
      if (key && is_secret_name(*key)) return "environment variable " + *key;
    }
    return {};
  }
  if (!is(n, "call")) return {};
  const std::string q = c.names().call_qualname(c.tree(), n);
  TSNode args = field(n, "arguments");
  TSNode first = ts_node_is_null(args) || ts_node_named_child_count(args) == 0 ? TSNode{} : ts_node_named_child(args, 0);
  if (one_of(q, {"os.getenv", "os.environ.get", "environ.get", "getenv", "os.environ.setdefault"})) {
    auto key = ts_node_is_null(first) ? std::nullopt : c.literal(first);
    if (key && is_secret_name(*key)) return "environment variable " + *key;
    return {};
  }
  if (one_of(q, {"os.environ.copy", "os.environ.items", "os.environ.values"})) return "the whole environment";
  if (one_of(q, {"dict", "str", "repr", "json.dumps"}) && !ts_node_is_null(first) &&
      (c.text(first) == "os.environ" || c.text(first) == "environ")) {
    return "the whole environment";
  }
  if (one_of(q, {"huggingface_hub.get_token", "huggingface_hub.HfFolder.get_token", "HfFolder.get_token", "get_token"})) return "the Hugging Face token";
  if (one_of(q, {"open", "io.open", "builtins.open", "pathlib.Path", "Path", "os.path.expanduser"}) && !ts_node_is_null(first)) {
    std::string found;
    for_each_string(c, first, [&](const std::string& s) {
      if (found.empty() && is_secret_path(s)) found = "credential file " + s;
    });
    return found;
  }
  return {};
}

std::string source_in(const Checker& c, TSNode root) {
  std::string found = source_at(c, root);
  if (!found.empty()) return found;
  walk(root, [&](TSNode n) {
    if (!found.empty()) return false;
    found = source_at(c, n);
    return found.empty();
  });
  return found;
}

bool is_sink(const Checker& c, TSNode call) {
  const std::string q = c.names().call_qualname(c.tree(), call);
  if (one_of(q, {"requests.post", "requests.put", "requests.patch", "requests.get", "requests.request", "httpx.post", "httpx.put",
                 "httpx.get", "urllib.request.urlopen", "urllib.request.Request", "urlopen", "Request", "urllib2.urlopen"})) {
    return true;
  }
  const std::string_view fn = c.text(field(call, "function"));
  for (std::string_view m : {".send", ".sendall", ".sendto", ".sendmail", ".post", ".put"}) {
    if (fn.size() > m.size() && fn.substr(fn.size() - m.size()) == m) return true;
  }
  return false;
}

// Sending the token to the Hub itself is how the Hub API works.
bool to_hugging_face(const Checker& c, TSNode call) {
  TSNode args = field(call, "arguments");
  if (ts_node_is_null(args) || ts_node_named_child_count(args) == 0) return false;
  auto url = c.literal(ts_node_named_child(args, 0));
  return url && (url->find("huggingface.co") != std::string::npos || url->find("hf.co") != std::string::npos);
}

constexpr std::string_view kSourceWords[] = {"environ", "getenv", "get_token", ".ssh", ".aws", ".netrc", "credentials",
                                             "Cookies", "Login Data", "id_rsa", "id_ed25519", "huggingface/token"};

constexpr std::string_view kSinkWords[] = {"post", "put(", "send", "urlopen", "Request(", "request(", "requests.get", "httpx.get"};

// Where source and sink words occur in the file, found once per file by on_file (the engine calls
// it on the walking thread before the walk); a scope is examined only if both occur inside it.
thread_local const Checker* t_file = nullptr;
thread_local std::vector<std::uint32_t> t_sources, t_sinks;

// memmem: glibc's substring search is several times faster than string_view::find on source text.
void offsets_of(std::string_view text, std::span<const std::string_view> words, std::vector<std::uint32_t>& out) {
  out.clear();
  for (std::string_view w : words) {
    const char* base = text.data();
    std::size_t from = 0;
    while (from < text.size()) {
      const void* hit = memmem(base + from, text.size() - from, w.data(), w.size());
      if (hit == nullptr) break;
      const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
      out.push_back(static_cast<std::uint32_t>(at));
      from = at + 1;
    }
  }
  std::sort(out.begin(), out.end());
}

void check_file(Checker& c, std::string_view source) {
  t_file = &c;
  offsets_of(source, kSourceWords, t_sources);
  if (t_sources.empty()) t_sinks.clear();  // nothing to send: skip the second scan
  else offsets_of(source, kSinkWords, t_sinks);
}

bool occurs_within(const std::vector<std::uint32_t>& offsets, TSNode scope) {
  auto it = std::lower_bound(offsets.begin(), offsets.end(), ts_node_start_byte(scope));
  return it != offsets.end() && *it < ts_node_end_byte(scope);
}

void check(Checker& c, TSNode scope) {
  if (t_file != &c || !occurs_within(t_sources, scope) || !occurs_within(t_sinks, scope)) return;
  // Variables holding a secret, in source order (two passes reach simple chains).
  std::map<std::string, std::string, std::less<>> tainted;
  for (int pass = 0; pass < 2; ++pass) {
    walk(
        scope,
        [&](TSNode n) {
          if (!is(n, "assignment")) return true;
          TSNode left = field(n, "left"), right = field(n, "right");
          if (!is(left, "identifier") || ts_node_is_null(right)) return true;
          std::string why = source_in(c, right);
          if (why.empty()) {
            walk(right, [&](TSNode id) {
              if (why.empty() && is(id, "identifier")) {
                if (auto it = tainted.find(c.text(id)); it != tainted.end()) why = it->second;
              }
              return why.empty();
            });
          }
          if (!why.empty()) tainted.emplace(std::string(c.text(left)), why);
          return true;
        },
        true);
  }
  walk(
      scope,
      [&](TSNode n) {
        if (!is(n, "call") || !is_sink(c, n) || to_hugging_face(c, n)) return true;
        TSNode args = field(n, "arguments");
        std::string why = source_in(c, args);
        if (why.empty()) {
          walk(args, [&](TSNode id) {
            if (why.empty() && is(id, "identifier")) {
              if (auto it = tainted.find(c.text(id)); it != tainted.end()) why = it->second;
            }
            return why.empty();
          });
        }
        if (!why.empty()) {
          c.report("PY955", n, "sends " + why + " over the network (" + std::string(c.text(field(n, "function"))) + "): credential theft");
        }
        return true;
      },
      true);
}
}  // namespace

extern const RuleSpec kRule_PY955{.id = "PY955", .node_types = "module function_definition", .on_node = check, .on_file = check_file};

}  // namespace mg::py
