// Helpers of the behaviour rules (PY95x): bounded subtree walks, and the call families they look
// for (decoders, downloaders, secret sources, network sinks). Header-only, shared by rule.cpp files.
#pragma once
#include <cctype>
#include <string>
#include <string_view>

#include "python/checker.hpp"

namespace mg::py::behaviour {

// Pre-order walk over the named nodes of `root`; `f(node)` returns false to skip its children.
// Nested function bodies are skipped when `stay_in_scope` (a scope's own statements only).
template <typename F>
void walk(TSNode root, F&& f, bool stay_in_scope = false, std::size_t budget = 200000) {
  if (ts_node_is_null(root)) return;
  TSTreeCursor cur = ts_tree_cursor_new(root);
  for (std::size_t seen = 0;; ++seen) {
    const TSNode n = ts_tree_cursor_current_node(&cur);
    bool descend = seen < budget;
    if (ts_node_is_named(n) && seen > 0) {
      if (stay_in_scope && (is(n, "function_definition") || is(n, "lambda"))) descend = false;
      else if (descend) descend = f(n);
    }
    if (descend && ts_tree_cursor_goto_first_child(&cur)) continue;
    bool done = false;
    while (!ts_tree_cursor_goto_next_sibling(&cur)) {
      if (!ts_tree_cursor_goto_parent(&cur) || ts_node_eq(ts_tree_cursor_current_node(&cur), root)) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&cur);
}

inline bool is_decoder(std::string_view q) {
  return one_of(q, {"base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.a85decode", "base64.b85decode",
                    "base64.decodebytes", "base64.decodestring", "base64.urlsafe_b64decode", "base64.standard_b64decode",
                    "zlib.decompress", "gzip.decompress", "bz2.decompress", "lzma.decompress", "marshal.loads",
                    "codecs.decode", "binascii.unhexlify", "binascii.a2b_base64", "binascii.a2b_hex", "bytes.fromhex",
                    "bytearray.fromhex", "b64decode", "decompress", "unhexlify"});
}

inline bool is_downloader(std::string_view q) {
  return one_of(q, {"requests.get", "requests.post", "requests.request", "urllib.request.urlopen", "urllib.urlopen",
                    "urllib2.urlopen", "urlopen", "httpx.get", "httpx.post", "urllib.request.urlretrieve",
                    "urllib.urlretrieve", "urlretrieve", "wget.download", "pycurl.Curl"});
}

// A call in `root` whose callee satisfies `pred`, or a chr-join (`"".join(chr(c) for c in ...)`).
template <typename Pred>
bool has_call(const Checker& c, TSNode root, Pred&& pred) {
  bool found = false;
  walk(root, [&](TSNode n) {
    if (found) return false;
    if (is(n, "call")) {
      const std::string q = c.names().call_qualname(c.tree(), n);
      if (pred(q)) found = true;
    }
    return !found;
  });
  if (is(root, "call") && pred(c.names().call_qualname(c.tree(), root))) found = true;
  return found;
}

inline bool is_chr_join(const Checker& c, TSNode root) {
  auto test = [&](TSNode n) {
    if (!is(n, "call")) return false;
    const std::string_view fn = c.text(field(n, "function"));
    return fn.size() >= 5 && fn.substr(fn.size() - 5) == ".join" && c.text(field(n, "arguments")).find("chr") != std::string_view::npos;
  };
  bool found = test(root);
  walk(root, [&](TSNode n) {
    if (!found && test(n)) found = true;
    return !found;
  });
  return found;
}

// The function or module a node sits in.
inline TSNode enclosing_scope(const Checker& c, TSNode n) {
  for (int i = 0; i < 10000; ++i) {
    TSNode p = c.parent(n);
    if (ts_node_is_null(p)) return n;
    if (is(p, "function_definition") || is(p, "module")) return p;
    n = p;
  }
  return n;
}

// True if, in `scope`, `name` is assigned a value containing a call that satisfies `pred`.
template <typename Pred>
bool assigned_from(const Checker& c, TSNode scope, std::string_view name, Pred&& pred) {
  bool found = false;
  walk(
      scope,
      [&](TSNode n) {
        if (found) return false;
        if (is(n, "assignment") && c.text(field(n, "left")) == name && has_call(c, field(n, "right"), pred)) found = true;
        return !found;
      },
      true);
  return found;
}

// Upper-case environment names that hold secrets.
inline bool is_secret_name(std::string_view s) {
  std::string u;
  for (char ch : s) u += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (const char* w : {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH"}) {
    if (u.find(w) != std::string::npos) return true;
  }
  return false;
}

// File paths that hold credentials.
inline bool is_secret_path(std::string_view p) {
  for (const char* w : {".ssh/", ".ssh\\", "id_rsa", "id_ed25519", ".aws/credentials", ".netrc", ".git-credentials", "huggingface/token",
                        ".docker/config.json", ".kube/config", ".pypirc", "Login Data", "Cookies", ".gnupg", "/etc/shadow"}) {
    if (p.find(w) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace mg::py::behaviour

namespace mg::py::behaviour {

// Inside `if __name__ == "__main__":` (never runs on import).
inline bool in_main_guard(const Checker& c, TSNode n) {
  for (int i = 0; i < 10000; ++i) {
    TSNode p = c.parent(n);
    if (ts_node_is_null(p)) return false;
    if (is(p, "if_statement")) {
      const std::string_view cond = c.text(field(p, "condition"));
      if (cond.find("__name__") != std::string_view::npos && cond.find("__main__") != std::string_view::npos) return true;
    }
    n = p;
  }
  return false;
}

// Code that runs when the module is imported: not in a function, not under a __main__ guard.
inline bool runs_on_import(const Checker& c, TSNode n) { return !c.in_function() && !in_main_guard(c, n); }

// Every plain string literal inside `root`, decoded.
template <typename F>
void for_each_string(const Checker& c, TSNode root, F&& f) {
  walk(root, [&](TSNode n) {
    if (is(n, "string")) {
      if (auto v = string_value(c.tree(), n)) f(*v);
      return false;
    }
    return true;
  });
  if (is(root, "string")) {
    if (auto v = string_value(c.tree(), root)) f(*v);
  }
}

}  // namespace mg::py::behaviour
