#include "python/checker.hpp"
#include "rules/python/common/behaviour.hpp"

namespace mg::py {
namespace {
using namespace behaviour;

bool python_path(const Checker& c, TSNode n) {
  bool found = false;
  for_each_string(c, n, [&](const std::string& s) {
    found = found || (s.size() > 3 && (s.substr(s.size() - 3) == ".py" || s.substr(s.size() - 4) == ".pyc"));
  });
  return found;
}

void check(Checker& c, const Call& call) {
  // urlretrieve(url, "x.py"), wget.download(url, "x.py")
  if (one_of(call.qualname, {"urllib.request.urlretrieve", "urllib.urlretrieve", "urlretrieve", "wget.download"})) {
    const TSNode dest = call.arg_or_keyword(1, call.qualname == "wget.download" ? "out" : "filename");
    if (!ts_node_is_null(dest) && python_path(c, dest)) {
      c.report("PY957", call.node, call.qualname + " saves downloaded code as a Python file, ready to import");
    }
    return;
  }
  // f.write(<download>) where f was opened on a .py path in the same scope.
  if (call.name != "write" || call.args.empty() || !has_call(c, call.args[0], is_downloader)) return;
  const TSNode scope = enclosing_scope(c, call.node);
  bool py_open = false;
  walk(
      scope,
      [&](TSNode n) {
        if (!py_open && is(n, "call") && one_of(c.names().call_qualname(c.tree(), n), {"open", "io.open", "builtins.open"})) {
          TSNode args = field(n, "arguments");
          if (!ts_node_is_null(args) && ts_node_named_child_count(args) > 0 && python_path(c, ts_node_named_child(args, 0))) py_open = true;
        }
        return !py_open;
      },
      true);
  if (py_open) c.report("PY957", call.node, "writes downloaded data to a Python file, ready to import");
}
}  // namespace

extern const RuleSpec kRule_PY957{.id = "PY957", .call_names = "urlretrieve download write", .on_call = check};

}  // namespace mg::py
