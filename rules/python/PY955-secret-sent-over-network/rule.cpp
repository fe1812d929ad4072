// Intra-procedural taint: a secret read (token environment variables, credential files, the whole
// environment, the Hugging Face token) reaching a network call in the same function or module body.
// Candidates are gathered on the engine's walk; the taint walk runs at the end of the file, only
// on scopes that hold both a secret read and a network call.
#include <algorithm>
#include <map>
#include <vector>

#include "behaviour/paths.hpp"
#include "python/checker.hpp"
#include "rules/python/common/behaviour.hpp"

namespace mg::py {
namespace {
using namespace behaviour;

std::string source_of_call(const Checker& c, TSNode n, std::string_view q);

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
  return source_of_call(c, n, c.names().call_qualname(c.tree(), n));
}

// A secret read by `call`, whose callee resolves to `q`: what it reads, or "".
std::string source_of_call(const Checker& c, TSNode n, std::string_view q) {
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

// Sending the token to the Hub itself is how the Hub API works. The URL is read as written, or
// from the string last assigned to the variable passed (`url = f"https://huggingface.co/{r}"`).
bool to_hugging_face(const Checker& c, TSNode scope, TSNode call) {
  TSNode args = field(call, "arguments");
  if (ts_node_is_null(args) || ts_node_named_child_count(args) == 0) return false;
  TSNode url = ts_node_named_child(args, 0);
  if (is(url, "keyword_argument")) url = field(url, "value");
  if (is(url, "identifier")) {
    const std::string_view name = c.text(url);
    TSNode last{};
    walk(scope, [&](TSNode n) {
      if (ts_node_start_byte(n) >= ts_node_start_byte(call)) return false;
      if (is(n, "assignment") && c.text(field(n, "left")) == name) last = field(n, "right");
      return true;
    });
    if (ts_node_is_null(last)) return false;
    url = last;
  }
  if (!is(url, "string")) return false;
  const std::string_view text = c.text(url);
  const auto scheme = text.find("://");
  if (scheme == std::string_view::npos) return false;
  const std::string_view rest = text.substr(scheme + 3);
  const std::string host(rest.substr(0, rest.find_first_of("/:{'\"?")));
  return mg::behaviour::is_hub_or_local_host(host);
}

// Gathered while the engine walks one file: where secrets are read and where network calls are
// made (by their names as resolved so far), and the scopes. A scope is examined at the end only
// if both occur inside it.
struct FileState {
  const Checker* file = nullptr;
  std::vector<std::uint32_t> sources, sinks;
  std::vector<TSNode> scopes;
};
thread_local FileState t_state;

constexpr std::string_view kSinkNames[] = {"post", "put", "patch", "get", "request", "urlopen", "Request", "send", "sendall", "sendto", "sendmail"};

std::string_view last_name(std::string_view dotted) {
  const auto dot = dotted.rfind('.');
  return dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
}

void begin_file(Checker& c, std::string_view) {
  t_state.file = &c;
  t_state.sources.clear();
  t_state.sinks.clear();
  t_state.scopes.clear();
}

void gather_call(Checker& c, const Call& call) {
  if (t_state.file != &c) return;
  const std::string_view text_name = last_name(c.text(call.func));
  for (std::string_view s : kSinkNames) {
    if (call.name == s || text_name == s) {
      t_state.sinks.push_back(ts_node_start_byte(call.node));
      break;
    }
  }
  if (!source_of_call(c, call.node, call.qualname).empty()) t_state.sources.push_back(ts_node_start_byte(call.node));
}

void gather_node(Checker& c, TSNode n) {
  if (t_state.file != &c) return;
  if (is(n, "subscript")) {
    if (!source_at(c, n).empty()) t_state.sources.push_back(ts_node_start_byte(n));
  } else {
    t_state.scopes.push_back(n);
  }
}

bool occurs_within(const std::vector<std::uint32_t>& offsets, TSNode scope) {
  auto it = std::lower_bound(offsets.begin(), offsets.end(), ts_node_start_byte(scope));
  return it != offsets.end() && *it < ts_node_end_byte(scope);
}

void check(Checker& c, TSNode scope) {
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
        if (!is(n, "call") || !is_sink(c, n) || to_hugging_face(c, scope, n)) return true;
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
void end_file(Checker& c) {
  if (t_state.file != &c) return;
  t_state.file = nullptr;
  if (t_state.sources.empty() || t_state.sinks.empty()) return;
  std::sort(t_state.sources.begin(), t_state.sources.end());
  std::sort(t_state.sinks.begin(), t_state.sinks.end());
  for (TSNode scope : t_state.scopes) {
    if (occurs_within(t_state.sources, scope) && occurs_within(t_state.sinks, scope)) check(c, scope);
  }
}
}  // namespace

extern const RuleSpec kRule_PY955{.id = "PY955",
                                  .on_call = gather_call,
                                  .node_types = "module function_definition subscript",
                                  .on_node = gather_node,
                                  .on_file = begin_file,
                                  .on_end = end_file};

}  // namespace mg::py
