#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/enforce_common.hpp"
#include "core/hash.hpp"
#include "core/rule.hpp"
#include "engines/engine.hpp"
#include "enforce/lockfile.hpp"
#include "report/report.hpp"

namespace mg {

namespace cli {

Result<Snapshot> open_single_target(const std::string& target, const std::string& endpoint, bool offline) {
  hub::HubOptions hub = hub::HubOptions::from_env();
  if (!endpoint.empty()) hub.endpoint = endpoint;
  hub.offline = hub.offline || offline;
  struct stat st {};
  if (stat(target.c_str(), &st) != 0) {
    auto id = hub::parse_hub_target(target, hub.repo_type);
    if (!id) return id.error();
    if (*id && !hub::hub_supported((*id)->hub)) return make_error(target + ": targets of this hub are not implemented in this build yet");
  }
  auto snaps = open_target(target, Limits{}, hub);
  if (!snaps) return snaps.error();
  if (snaps->size() != 1)
    return make_error(target + " holds " + std::to_string(snaps->size()) + " repositories; give one repository (a snapshot folder)");
  return std::move(snaps->front());
}

Result<std::string> read_text_file(const std::string& path, std::size_t max_bytes) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return make_error(path + ": no such file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) return make_error(path + ": larger than " + std::to_string(max_bytes >> 20) + " MiB");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return make_error(path + ": cannot read");
  return ss.str();
}

bool write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

std::string rules_version() {
  std::string all;
  const auto& rules = RuleRegistry::builtin().all();
  for (const auto& r : rules) all += r.id + ":" + std::string(to_string(r.severity)) + "\n";
  return std::to_string(rules.size()) + "-" + sha256_hex(all).substr(0, 16);
}

}  // namespace cli

void LockCommand::register_options(CLI::App& cmd) {
  cmd.add_option("target", target_, "What `scan` accepts: a repository folder, archive, cache snapshot or hub repository (hf:org/name[@rev])")
      ->required();
  cmd.add_option("-o,--output", output_, "Write the lockfile to FILE instead of standard output");
  cmd.add_option("--endpoint", endpoint_, "Hub endpoint for hub targets");
  cmd.add_flag("--offline", offline_, "Hub targets from the caches only, no network");
  cmd.add_option("-j,--jobs", jobs_, "Threads for scanning and hashing (default: number of cores)");
}

int LockCommand::run() {
  auto snap = cli::open_single_target(target_, endpoint_, offline_);
  if (!snap) {
    std::fprintf(stderr, "modelgate: error: %s\n", snap.error().message.c_str());
    return 2;
  }
  const auto engines = make_builtin_engines();
  const TargetReport report = scan_remote_aware(*snap, engines, Limits{}, jobs_);
  auto lock = enforce::make_lock(*snap, report.plan, jobs_);
  if (!lock) {
    std::fprintf(stderr, "modelgate: error: %s: %s\n", target_.c_str(), lock.error().message.c_str());
    return 2;
  }
  lock->tool_version = kToolVersion;
  lock->rules_version = cli::rules_version();
  lock->verdict = std::string(verdict_name(report));
  if (report.partial()) {
    // The lock still pins the files; the verdict it records comes from an incomplete scan.
    std::fprintf(stderr, "modelgate: warning: %s: the scan was partial (%s); the locked verdict may be incomplete\n", target_.c_str(),
                 report.incomplete.front().reason.c_str());
  }
  const std::string text = enforce::render_lockfile(*lock);
  if (output_.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else if (!cli::write_text_file(output_, text)) {
    std::fprintf(stderr, "modelgate: error: cannot write %s\n", output_.c_str());
    return 2;
  }
  return 0;
}

}  // namespace mg
