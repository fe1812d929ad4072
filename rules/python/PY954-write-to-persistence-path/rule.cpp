#include "python/checker.hpp"
#include "rules/python/common/behaviour.hpp"

namespace mg::py {
namespace {
using namespace behaviour;

// Places whose content runs later: shell start-up files, cron, systemd and autostart units,
// authorized_keys, Python start-up hooks.
bool persistence_target(std::string_view p) {
  for (const char* w : {".bashrc", ".bash_profile", ".profile", ".zshrc", ".zprofile", "/etc/", "crontab", "/var/spool/cron",
                        "authorized_keys", ".config/autostart", "systemd/", "sitecustomize.py", "usercustomize.py",
                        "site-packages/", "LaunchAgents", "/usr/local/bin", "/usr/bin"}) {
    if (p.find(w) != std::string_view::npos) return true;
  }
  return p.size() > 4 && p.substr(p.size() - 4) == ".pth";
}

bool writes(const Checker& c, const Call& call) {
  if (one_of(call.qualname, {"os.symlink", "shutil.copy", "shutil.copyfile", "shutil.move"})) return true;
  if (call.name == "write_text" || call.name == "write_bytes") return true;
  const TSNode mode = call.arg_or_keyword(1, "mode");
  if (ts_node_is_null(mode)) return false;
  const auto m = c.literal(mode);
  return m && m->find_first_of("wax+") != std::string::npos;
}

void check(Checker& c, const Call& call) {
  const bool open_like = one_of(call.qualname, {"open", "io.open", "builtins.open", "os.open", "codecs.open"});
  const bool path_write = call.name == "write_text" || call.name == "write_bytes";
  const bool copy = one_of(call.qualname, {"os.symlink", "shutil.copy", "shutil.copyfile", "shutil.move"});
  if (!open_like && !path_write && !copy) return;
  if (!writes(c, call)) return;
  // The destination: open's first argument, copy's second, or the Path a write_* is called on.
  TSNode dest = open_like ? call.arg(0) : copy ? call.arg(1) : field(call.func, "object");
  std::string target;
  for_each_string(c, dest, [&](const std::string& s) {
    if (target.empty() && persistence_target(s)) target = s;
  });
  if (target.empty() || in_main_guard(c, call.node)) return;
  c.report("PY954", call.node, call.qualname + " writes to " + target + ", a place whose content runs later (persistence)");
}
}  // namespace

extern const RuleSpec kRule_PY954{.id = "PY954", .call_names = "open symlink copy copyfile move write_text write_bytes", .on_call = check};

}  // namespace mg::py
