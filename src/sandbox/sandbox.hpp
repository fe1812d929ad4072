// Runs one loading command under bubblewrap with the isolation docs/sandbox.md describes, and
// turns what the audit hook recorded into a behaviour report.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sandbox/policy.hpp"

namespace mg::sandbox {

struct RunOptions {
  std::vector<std::string> command;  // argv; command[0] is looked up on PATH inside the sandbox
  std::string model_dir;             // absolute, bound read-only
  std::string work_dir;              // absolute; the command's working directory (inside model_dir or = it)
  Policy policy;                     // allow_network here already includes --allow-network
};

struct RunOutcome {
  bool started = false;      // bwrap reported the command's pid: the namespaces and mounts were set up
  int exit_code = 0;         // the command's own (128+N when killed by signal N)
  std::string start_failure; // why the sandbox did not start (bwrap's own message is on stderr)
  nlohmann::json events = nlohmann::json::array();
  std::size_t malformed_lines = 0;
  bool events_truncated = false;
  std::vector<std::string> env_removed;  // names only
  double seconds = 0;
};

// The limit a run ended on ("cpu_seconds" for SIGXCPU/SIGKILL under a CPU limit, "file_size_mb"
// for SIGXFSZ), or nullptr.
const char* limit_hit(const Policy::Limits& limits, const RunOutcome& outcome);

// True for environment variable names that look like they hold credentials (docs/sandbox.md).
bool secret_env_name(std::string_view name);

// The first executable `name` on PATH, or "".
std::string find_program(const std::string& name);

// Error: the run could not be prepared (no bwrap, seccomp export failed, temp folder). A sandbox
// that fails while starting is an outcome with started == false.
Result<RunOutcome> run_sandboxed(const RunOptions& options, const std::string& bwrap);

// The behaviour report (docs/sandbox.md "Report"): events annotated with what contained them,
// counts per kind.
nlohmann::json behaviour_report(const RunOptions& options, const RunOutcome& outcome);

}  // namespace mg::sandbox
