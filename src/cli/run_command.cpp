// modelgate run [--policy FILE] [--lock FILE] [--model DIR] [--allow-network] [--report FILE] -- COMMAND...
// Exit codes (docs/sandbox.md): the command's own; 2 usage error, bad policy, bwrap missing;
// 125 the sandbox could not start; 126 refused to start because --lock did not verify.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/enforce_common.hpp"
#include "enforce/lockfile.hpp"
#include "pipeline/reachability_stage.hpp"
#include "platform/load_plan.hpp"
#include "sandbox/policy.hpp"
#include "sandbox/sandbox.hpp"

namespace mg {
namespace fs = std::filesystem;

namespace {
constexpr int kSandboxFailed = 125;
constexpr int kRefusedByLock = 126;
}  // namespace

void RunCommand::register_options(CLI::App& cmd) {
  cmd.add_option("--policy", policy_, "JSON policy widening the sandbox (docs/sandbox.md)");
  cmd.add_option("--lock", lock_, "Lockfile the model folder must verify against before the command starts");
  cmd.add_option("--model", model_, "Model folder bound read-only (default: the current directory)");
  cmd.add_flag("--allow-network", allow_network_, "Share the host's network (default: none)");
  cmd.add_option("--report", report_, "Write the JSON behaviour report here");
  cmd.add_flag("-q,--quiet", quiet_, "No summary on stderr");
  cmd.add_option("command", command_, "The loading command, after --")->required();
}

int RunCommand::run() {
  const std::string bwrap = sandbox::find_program("bwrap");
  if (bwrap.empty()) {
    std::fprintf(stderr, "modelgate: error: bwrap (bubblewrap) not found on PATH; install it (Debian: apt-get install bubblewrap)\n");
    return 2;
  }
  sandbox::RunOptions opts;
  opts.command = command_;
  if (!policy_.empty()) {
    auto text = cli::read_text_file(policy_, 1u << 20);
    if (!text) {
      std::fprintf(stderr, "modelgate: error: %s\n", text.error().message.c_str());
      return 2;
    }
    auto policy = sandbox::parse_policy(*text);
    if (!policy) {
      std::fprintf(stderr, "modelgate: error: %s: %s\n", policy_.c_str(), policy.error().message.c_str());
      return 2;
    }
    for (const auto& p : policy->write_paths)
      if (std::error_code ec; !fs::is_directory(p, ec)) {
        std::fprintf(stderr, "modelgate: error: %s: write path %s is not an existing folder\n", policy_.c_str(), p.c_str());
        return 2;
      }
    for (const auto& p : policy->read_only_paths)
      if (std::error_code ec; !fs::exists(p, ec)) {
        std::fprintf(stderr, "modelgate: error: %s: read-only path %s does not exist\n", policy_.c_str(), p.c_str());
        return 2;
      }
    opts.policy = std::move(*policy);
  }
  if (allow_network_) opts.policy.allow_network = true;

  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  const fs::path model = fs::weakly_canonical(model_.empty() ? cwd : fs::path(model_), ec);
  if (ec || !fs::is_directory(model)) {
    std::fprintf(stderr, "modelgate: error: model folder %s is not a folder\n", model_.empty() ? cwd.c_str() : model_.c_str());
    return 2;
  }
  // Binding the root or a home folder read-only would hand the loaded code the very credentials
  // the sandbox hides.
  const char* home = std::getenv("HOME");
  if (model == "/" || (home && fs::weakly_canonical(home, ec) == model)) {
    std::fprintf(stderr, "modelgate: error: refusing to expose %s to the sandbox; run from the model folder or pass --model DIR\n", model.c_str());
    return 2;
  }
  opts.model_dir = model.string();
  const auto rel = fs::weakly_canonical(cwd, ec).lexically_relative(model);
  opts.work_dir = (!rel.empty() && *rel.begin() != "..") ? fs::weakly_canonical(cwd, ec).string() : opts.model_dir;

  nlohmann::json static_verdict;
  if (!lock_.empty()) {
    auto text = cli::read_text_file(lock_);
    if (!text) {
      std::fprintf(stderr, "modelgate: error: %s\n", text.error().message.c_str());
      return 2;
    }
    auto locked = enforce::parse_lockfile(*text);
    if (!locked) {
      std::fprintf(stderr, "modelgate: error: %s: %s\n", lock_.c_str(), locked.error().message.c_str());
      return 2;
    }
    auto snap = cli::open_single_target(opts.model_dir, "", true);
    if (!snap) {
      std::fprintf(stderr, "modelgate: error: %s\n", snap.error().message.c_str());
      return 2;
    }
    LoadPlan plan = build_load_plan(*snap, Limits{});
    std::vector<Finding> no_findings;
    apply_reachability(compute_reachability(*snap, plan, Limits{}), plan, no_findings);
    auto now = enforce::make_lock(*snap, plan, 0);
    if (!now) {
      std::fprintf(stderr, "modelgate: error: %s: %s\n", opts.model_dir.c_str(), now.error().message.c_str());
      return 2;
    }
    const auto drifts = enforce::compare_locks(*locked, *now);
    if (!drifts.empty()) {
      for (const auto& d : drifts) std::fprintf(stderr, "drift: %-17s %s  (%s)\n", d.kind.c_str(), d.subject.c_str(), d.detail.c_str());
      std::fprintf(stderr, "modelgate: refusing to run: %s has %zu drift(s) from %s\n", opts.model_dir.c_str(), drifts.size(), lock_.c_str());
      return kRefusedByLock;
    }
    static_verdict = {{"lockfile", lock_}, {"verified", true}, {"verdict", locked->verdict}, {"rules_version", locked->rules_version}};
  }

  auto outcome = sandbox::run_sandboxed(opts, bwrap);
  if (!outcome) {
    std::fprintf(stderr, "modelgate: error: sandbox: %s\n", outcome.error().message.c_str());
    return kSandboxFailed;
  }
  auto report = sandbox::behaviour_report(opts, *outcome);
  if (!static_verdict.is_null()) report["static"] = static_verdict;
  if (!report_.empty() && !cli::write_text_file(report_, report.dump(2) + "\n")) {
    std::fprintf(stderr, "modelgate: error: cannot write %s\n", report_.c_str());
    return 2;
  }
  if (!outcome->started) {
    std::fprintf(stderr, "modelgate: error: sandbox did not start: %s\n", outcome->start_failure.c_str());
    return kSandboxFailed;
  }
  // A limit from the policy ending the run is said even with -q: it explains the exit code.
  if (report.contains("limit_exceeded"))
    std::fprintf(stderr, "modelgate run: the command exceeded the policy's limit %s (exit %d)\n",
                 report["limit_exceeded"].get<std::string>().c_str(), outcome->exit_code);
  if (!quiet_) {
    const auto& events = report["events"];
    std::fprintf(stderr, "modelgate run: exit %d, %zu event(s) recorded, audit hook %s\n", outcome->exit_code, events.size(),
                 report["audit_hook"].get<std::string>().c_str());
    std::size_t shown = 0;
    for (const auto& ev : events) {
      if (++shown > 20) {
        std::fprintf(stderr, "  ... %zu more in the report\n", events.size() - 20);
        break;
      }
      std::string detail;
      for (const char* key : {"argv", "address", "host", "path", "symbol", "library", "filename"})
        if (ev.contains(key)) {
          detail = ev[key].is_string() ? ev[key].get<std::string>() : ev[key].dump();
          break;
        }
      if (detail.size() > 100) detail = detail.substr(0, 100) + "...";
      std::fprintf(stderr, "  %-15s %s%s%s\n", ev["event"].get<std::string>().c_str(), detail.c_str(),
                   ev.contains("contained_by") ? "  <- " : "", ev.contains("contained_by") ? ev["contained_by"].get<std::string>().c_str() : "");
    }
    if (!static_verdict.is_null())
      std::fprintf(stderr, "  static verdict (from %s): %s\n", lock_.c_str(), static_verdict["verdict"].get<std::string>().c_str());
  }
  return outcome->exit_code;
}

}  // namespace mg
