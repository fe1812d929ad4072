#include "sandbox/sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "sandbox/audit_hook.hpp"
#include "sandbox/seccomp_filter.hpp"

extern char** environ;

namespace mg::sandbox {
namespace fs = std::filesystem;

namespace {

constexpr const char* kHome = "/home/sandbox";
constexpr const char* kHookDir = "/run/modelgate/python";
constexpr std::size_t kMaxEventBytes = 16u << 20;
constexpr std::size_t kMaxEvents = 10000;

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Closes what it owns on every path out of run_sandboxed.
struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

struct TempDir {
  std::string path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

void add(std::vector<std::string>& v, std::initializer_list<std::string> items) { v.insert(v.end(), items); }

// /etc entries a dynamically linked Python needs; the rest of /etc (shadow, ssh host keys,
// credentials helpers) stays outside.
const char* const kEtcEntries[] = {"ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "passwd", "group",
                                   "nsswitch.conf", "hosts", "host.conf", "mime.types", "ssl", "ca-certificates",
                                   "python3", "python3.11", "python3.12", "gai.conf", "protocols", "services"};

std::vector<std::string> bwrap_argv(const RunOptions& o, const std::string& bwrap, const std::string& hook_dir, int seccomp_fd,
                                    int status_fd) {
  std::vector<std::string> a = {bwrap};
  add(a, {"--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"});
  if (!o.policy.allow_network) a.push_back("--unshare-net");
  add(a, {"--die-with-parent", "--new-session", "--hostname", "modelgate-sandbox"});
  add(a, {"--ro-bind", "/usr", "/usr"});
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code ec;
    if (fs::is_symlink(top, ec)) {
      add(a, {"--symlink", fs::read_symlink(top, ec).string(), top});
    } else if (fs::is_directory(top, ec)) {
      add(a, {"--ro-bind", top, top});
    }
  }
  for (const char* e : kEtcEntries) add(a, {"--ro-bind-try", std::string("/etc/") + e, std::string("/etc/") + e});
  if (o.policy.allow_network) add(a, {"--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"});
  add(a, {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/home", "--dir", kHome, "--tmpfs", "/run"});
  add(a, {"--ro-bind", hook_dir, kHookDir});
  // A virtual environment or conda prefix outside /usr: the Python environment, read-only.
  for (const char* var : {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
    const char* v = std::getenv(var);
    std::error_code ec;
    if (v && v[0] == '/' && !starts_with(v, "/usr/") && fs::is_directory(v, ec)) add(a, {"--ro-bind", v, v});
  }
  for (const auto& p : o.policy.read_only_paths) add(a, {"--ro-bind", p, p});
  add(a, {"--ro-bind", o.model_dir, o.model_dir});
  for (const auto& p : o.policy.write_paths) add(a, {"--bind", p, p});
  add(a, {"--chdir", o.work_dir});
  add(a, {"--seccomp", std::to_string(seccomp_fd), "--json-status-fd", std::to_string(status_fd), "--"});
  a.insert(a.end(), o.command.begin(), o.command.end());
  return a;
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::vector<std::string> sandbox_env(const RunOptions& o, int audit_fd, std::vector<std::string>& removed) {
  std::vector<std::string> env;
  std::string user_pythonpath;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name(kv.substr(0, eq));
    if (secret_env_name(name)) {
      removed.push_back(name);
      continue;
    }
    if (name == "HOME" || name == "TMPDIR" || starts_with(name, "MODELGATE_AUDIT_") || name == "XDG_RUNTIME_DIR") continue;
    if (name == "PYTHONPATH") {
      user_pythonpath = std::string(kv.substr(eq + 1));
      continue;
    }
    env.emplace_back(kv);
  }
  std::sort(removed.begin(), removed.end());
  env.push_back(std::string("HOME=") + kHome);
  env.push_back("TMPDIR=/tmp");
  env.push_back(std::string("PYTHONPATH=") + kHookDir + (user_pythonpath.empty() ? "" : ":" + user_pythonpath));
  env.push_back("MODELGATE_AUDIT_FD=" + std::to_string(audit_fd));
  std::vector<std::string> roots = {o.model_dir, "/usr", kHookDir};
  for (const char* var : {"VIRTUAL_ENV", "CONDA_PREFIX"})
    if (const char* v = std::getenv(var); v && v[0] == '/') roots.emplace_back(v);
  roots.insert(roots.end(), o.policy.read_only_paths.begin(), o.policy.read_only_paths.end());
  env.push_back("MODELGATE_AUDIT_ROOTS=" + join(roots, ':'));
  std::vector<std::string> writable = {"/tmp", "/dev"};
  writable.insert(writable.end(), o.policy.write_paths.begin(), o.policy.write_paths.end());
  env.push_back("MODELGATE_AUDIT_WRITABLE=" + join(writable, ':'));
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads both pipes until every writer is gone: the audit events (bounded) and bwrap's status.
void drain(int audit_fd, int status_fd, std::string& events, bool& truncated, std::string& status) {
  pollfd fds[2] = {{audit_fd, POLLIN, 0}, {status_fd, POLLIN, 0}};
  int open_count = 2;
  char buf[65536];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_count;
        continue;
      }
      std::string& into = i == 0 ? events : status;
      if (into.size() + static_cast<std::size_t>(n) > kMaxEventBytes) {
        truncated = true;  // keep reading so the writer never blocks, drop the excess
        continue;
      }
      into.append(buf, static_cast<std::size_t>(n));
    }
  }
}

// Async-signal-safe (runs between fork and exec).
bool apply_limits(const Policy::Limits& l) {
  auto set = [](int resource, std::uint64_t soft, std::uint64_t hard) {
    const rlimit r{static_cast<rlim_t>(soft), static_cast<rlim_t>(hard)};
    return setrlimit(resource, &r) == 0;
  };
  constexpr std::uint64_t kMb = 1024 * 1024;
  if (l.address_space_mb && !set(RLIMIT_AS, l.address_space_mb * kMb, l.address_space_mb * kMb)) return false;
  if (l.cpu_seconds && !set(RLIMIT_CPU, l.cpu_seconds, l.cpu_seconds + 1)) return false;  // SIGXCPU, then SIGKILL
  if (l.processes && !set(RLIMIT_NPROC, l.processes, l.processes)) return false;
  if (l.file_size_mb && !set(RLIMIT_FSIZE, l.file_size_mb * kMb, l.file_size_mb * kMb)) return false;
  return true;
}

nlohmann::json limits_json(const Policy::Limits& l) {
  auto v = [](std::uint64_t x) { return x ? nlohmann::json(x) : nlohmann::json(nullptr); };
  return {{"address_space_mb", v(l.address_space_mb)}, {"cpu_seconds", v(l.cpu_seconds)}, {"processes", v(l.processes)},
          {"file_size_mb", v(l.file_size_mb)}};
}

}  // namespace

const char* limit_hit(const Policy::Limits& l, const RunOutcome& o) {
  if (!o.started) return nullptr;
  if (l.cpu_seconds && (o.exit_code == 128 + SIGXCPU || o.exit_code == 128 + SIGKILL)) return "cpu_seconds";
  if (l.file_size_mb && o.exit_code == 128 + SIGXFSZ) return "file_size_mb";
  return nullptr;  // address space and processes make calls fail; the command decides what follows
}

bool secret_env_name(std::string_view name) {
  const std::string u = upper(name);
  for (const char* part : {"TOKEN", "SECRET", "KEY", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "COOKIE", "SESSION", "PRIVATE"})
    if (u.find(part) != std::string::npos) return true;
  for (const char* prefix : {"AWS_", "AZURE_", "GOOGLE_", "GCLOUD_", "HF_", "HUGGING_FACE_", "GH_", "GITHUB_", "GITLAB_",
                             "OPENAI_", "ANTHROPIC_", "WANDB_", "MLFLOW_TRACKING_", "SSH_", "GPG_", "DOCKER_", "KAGGLE_", "NPM_",
                             "PIP_INDEX", "PIP_EXTRA_INDEX", "TWINE_"})
    if (starts_with(u, prefix)) return true;
  // Proxy settings can carry user:password@; DBUS/X11/Wayland sockets are outside the sandbox anyway.
  for (const char* exact : {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "FTP_PROXY", "DBUS_SESSION_BUS_ADDRESS", "XAUTHORITY",
                            "NETRC", "KUBECONFIG", "DATABASE_URL"})
    if (u == exact) return true;
  return false;
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= p.size()) {
    const std::size_t end = std::min(p.find(':', start), p.size());
    std::string dir = p.substr(start, end - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return "";
}

Result<RunOutcome> run_sandboxed(const RunOptions& options, const std::string& bwrap) {
  RunOutcome out;
  TempDir hook_dir;
  {
    char tmpl[] = "/tmp/modelgate-run-XXXXXX";
    if (!mkdtemp(tmpl)) return make_error(std::string("cannot create a temporary folder: ") + std::strerror(errno));
    hook_dir.path = tmpl;
    std::ofstream f(hook_dir.path + "/sitecustomize.py", std::ios::binary);
    f << audit_hook_source();
    if (!f) return make_error("cannot write the audit hook into " + hook_dir.path);
  }
  auto seccomp = export_seccomp_filter();
  if (!seccomp) return seccomp.error();
  Fd seccomp_fd{*seccomp};
  int audit_pipe[2], status_pipe[2];
  if (pipe2(audit_pipe, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  Fd audit_r{audit_pipe[0]}, audit_w{audit_pipe[1]};
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  Fd status_r{status_pipe[0]}, status_w{status_pipe[1]};

  auto argv_s = bwrap_argv(options, bwrap, hook_dir.path, seccomp_fd.fd, status_w.fd);
  auto env_s = sandbox_env(options, audit_w.fd, out.env_removed);
  auto argv = c_strings(argv_s);
  auto envp = c_strings(env_s);

  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) return make_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Only these three descriptors cross into bwrap (and the audit one on into the command).
    for (int fd : {seccomp_fd.fd, status_w.fd, audit_w.fd}) fcntl(fd, F_SETFD, 0);
    // Limits set here hold for bwrap and, inherited across exec, for every process in the sandbox;
    // none of them can raise them again (hard = soft, and the sandbox has no CAP_SYS_RESOURCE
    // outside its own user namespace). Failing to set one is fatal: never run with less than asked.
    if (!apply_limits(options.policy.limits)) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  seccomp_fd.reset();
  audit_w.reset();
  status_w.reset();
  std::string events, status;
  drain(audit_r.fd, status_r.fd, events, out.events_truncated, status);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // bwrap writes one JSON document per line: {"child-pid": N} once the sandbox is set up, then
  // {"exit-code": N} when the command ends.
  int exit_code = -1;
  std::size_t start = 0;
  while (start < status.size()) {
    const std::size_t end = std::min(status.find('\n', start), status.size());
    auto doc = nlohmann::json::parse(status.substr(start, end - start), nullptr, false);
    if (doc.is_object()) {
      if (doc.contains("child-pid")) out.started = true;
      if (doc.contains("exit-code") && doc["exit-code"].is_number_integer()) exit_code = doc["exit-code"].get<int>();
    }
    start = end + 1;
  }
  if (!out.started) {
    out.start_failure = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127 && status.empty()
                            ? "could not execute " + bwrap
                            : "bubblewrap could not set up the sandbox (user namespaces refused? see its message above)";
  } else if (exit_code >= 0) {
    out.exit_code = exit_code;
  } else {
    out.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  }

  start = 0;
  while (start < events.size()) {
    const std::size_t end = std::min(events.find('\n', start), events.size());
    if (end > start) {
      auto doc = nlohmann::json::parse(events.begin() + static_cast<std::ptrdiff_t>(start), events.begin() + static_cast<std::ptrdiff_t>(end), nullptr, false);
      if (!doc.is_object() || !doc.contains("event") || !doc["event"].is_string()) {
        ++out.malformed_lines;
      } else if (out.events.size() >= kMaxEvents) {
        out.events_truncated = true;
      } else {
        out.events.push_back(std::move(doc));
      }
    }
    start = end + 1;
  }
  return out;
}

nlohmann::json behaviour_report(const RunOptions& options, const RunOutcome& outcome) {
  const auto& refused = refused_syscalls();
  const std::set<std::string> refused_set(refused.begin(), refused.end());
  nlohmann::json events = nlohmann::json::array();
  nlohmann::json counts = nlohmann::json::object();
  bool hook_seen = false;
  for (auto ev : outcome.events) {
    const std::string kind = ev["event"].get<std::string>();
    if (kind == "hook_installed") {
      hook_seen = true;
      continue;
    }
    // What stopped or contained it, so a reader need not know the sandbox's layout.
    if (kind == "connect" || kind == "resolve") {
      ev["contained_by"] = options.policy.allow_network ? "nothing: network allowed" : "network namespace (no interfaces but loopback)";
    } else if (kind == "secret_read") {
      ev["contained_by"] = "throw-away home (the host's credentials are not mounted)";
    } else if (kind == "write") {
      ev["contained_by"] = "read-only or throw-away mounts (nothing written reaches the host)";
    } else if (kind == "process") {
      ev["contained_by"] = "same sandbox: the child inherits namespaces and the seccomp filter";
    } else if (kind == "native_symbol" && ev.contains("symbol") && ev["symbol"].is_string() && refused_set.count(ev["symbol"].get<std::string>())) {
      ev["contained_by"] = "seccomp: the syscall returns EPERM";
    }
    counts[kind] = counts.value(kind, 0) + 1;
    events.push_back(std::move(ev));
  }
  nlohmann::json report = {
      {"report", "modelgate-run/1"},
      {"command", options.command},
      {"model_dir", options.model_dir},
      {"started", outcome.started},
      {"exit_code", outcome.started ? nlohmann::json(outcome.exit_code) : nlohmann::json(nullptr)},
      {"seconds", outcome.seconds},
      {"sandbox",
       {{"network", options.policy.allow_network ? "host" : "none"},
        {"namespaces", options.policy.allow_network ? nlohmann::json{"user", "mount", "pid", "ipc", "uts"}
                                                    : nlohmann::json{"user", "mount", "pid", "ipc", "uts", "net"}},
        {"seccomp_refused", refused},
        {"env_removed", outcome.env_removed},
        {"write_paths", options.policy.write_paths},
        {"read_only_paths", options.policy.read_only_paths},
        {"limits", limits_json(options.policy.limits)}}},
      {"audit_hook", hook_seen ? "active" : "not active (not a Python command, or Python ran with -I/-E/-S)"},
      {"counts", counts},
      {"events", events},
  };
  if (const char* hit = limit_hit(options.policy.limits, outcome); hit != nullptr) report["limit_exceeded"] = hit;
  if (outcome.malformed_lines) report["malformed_event_lines"] = outcome.malformed_lines;
  if (outcome.events_truncated) report["events_truncated"] = true;
  return report;
}

}  // namespace mg::sandbox
