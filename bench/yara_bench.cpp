// yara_bench: the bundled YARA rules through modelgate's engine and through the yara CLI, on the same
// files in one run. Prints both times, the ratio, and whether both found the same (rule, file) pairs.
//
//   yara_bench [--repeat N] [--threads N] [--yara PATH] [--print] [DIR...]
//
// DIRs default to /usr/lib/python3.11 and the repository's examples/. The file list is what the
// engine scans with the bundled rules (code, config, doc files); the CLI gets the same list
// through --scan-list and the bundled rule sources dumped into one temporary .yar file.
// modelgate's time includes compiling the rules (as the CLI's does) and mapping every file.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engines/yara/yara_engine.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int repeat = 5;
  unsigned threads = 0;
  std::string yara = "/usr/bin/yara";
  bool print = false;
  std::vector<std::string> dirs;
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs the CLI once; returns its (rule, file) matches, or nullopt if it failed.
std::optional<std::set<std::pair<std::string, std::string>>> run_cli(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::set<std::pair<std::string, std::string>> matches;
  char buf[8192];
  while (std::fgets(buf, sizeof buf, p) != nullptr) {
    std::string line(buf);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    const auto sp = line.find(' ');
    if (sp != std::string::npos) matches.insert({line.substr(0, sp), line.substr(sp + 1)});
  }
  if (pclose(p) != 0) return std::nullopt;
  return matches;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) opt.repeat = std::max(1, std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc) opt.threads = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    else if (a == "--yara" && i + 1 < argc) opt.yara = argv[++i];
    else if (a == "--print") opt.print = true;
    else if (a == "-h" || a == "--help") {
      std::printf("usage: yara_bench [--repeat N] [--threads N] [--yara PATH] [--print] [DIR...]\n");
      return 0;
    } else opt.dirs.push_back(a);
  }
  if (opt.dirs.empty()) {
    opt.dirs = {"/usr/lib/python3.11", std::string(MODELGATE_SOURCE_DIR) + "/examples"};
  }
  if (opt.threads == 0) opt.threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  if (access(opt.yara.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "yara_bench: %s not found (apt-get install yara)\n", opt.yara.c_str());
    return 2;
  }

  const mg::Limits limits;
  std::vector<mg::Snapshot> snaps;
  for (const auto& d : opt.dirs) {
    auto r = mg::open_target(d, limits);
    if (!r) {
      std::fprintf(stderr, "yara_bench: %s: %s\n", d.c_str(), r.error().message.c_str());
      return 2;
    }
    for (auto& s : *r) snaps.push_back(std::move(s));
  }

  // The files the engine scans with the bundled rules; the CLI gets exactly these.
  std::vector<std::string> files;
  std::uint64_t bytes = 0;
  for (const auto& s : snaps) {
    for (const auto& f : s.files) {
      if (f.abs_path.empty() || f.size > limits.max_yara_file_bytes) continue;
      auto blob = s.read(f);
      if (!blob) continue;
      const auto data = (*blob)->bytes();
      const auto kind = mg::yara_file_kind(f.path, data.first(std::min<std::size_t>(data.size(), 8192)));
      if (kind == mg::YaraFileKind::other) continue;
      if (kind == mg::YaraFileKind::code && f.path.find('.') == std::string::npos && f.size > (1u << 20)) continue;
      files.push_back(f.abs_path);
      bytes += f.size;
    }
  }

  const fs::path tmp = fs::temp_directory_path() / ("modelgate-yara-bench-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  const fs::path rules_file = tmp / "bundled.yar", list_file = tmp / "files.txt";
  {
    std::ofstream r(rules_file);
    for (const auto& s : mg::bundled_yara_sources()) r << "// " << s.name << "\n" << s.text << "\n";
    std::ofstream l(list_file);
    for (const auto& f : files) l << f << "\n";
  }

  // Runs interleave (modelgate, yara, yara -f, modelgate, ...) so machine load hits all alike; the
  // best wall time and the best CPU time (user + sys, all threads) of each are kept.
  struct Run {
    const char* label;
    std::string flags;  // CLI flags; unused for modelgate
    double wall = 1e9, cpu = 1e9;
    std::set<std::pair<std::string, std::string>> matches;
  };
  Run mg_run{"modelgate engine", "", 1e9, 1e9, {}};
  std::vector<Run> cli = {{"yara", "", 1e9, 1e9, {}}, {"yara -f", "-f", 1e9, 1e9, {}}};
  const mg::LoadPlan plan;
  auto engine = mg::make_yara_engine({.bundled = true, .user_rules = nullptr, .threads = opt.threads});
  double best_compile = 1e9;
  for (int rep = 0; rep < opt.repeat; ++rep) {
    // modelgate: compile (as the CLI does on every run) + engine over every snapshot.
    const double c0 = cpu_seconds(RUSAGE_SELF);
    const auto t0 = Clock::now();
    auto compiled = mg::compile_yara_sources(mg::bundled_yara_sources(), true);
    if (!compiled) {
      std::fprintf(stderr, "yara_bench: %s\n", compiled.error().message.c_str());
      return 2;
    }
    best_compile = std::min(best_compile, seconds_since(t0));
    mg_run.matches.clear();
    for (const auto& s : snaps) {
      mg::EngineOutput out;
      engine->run({s, plan, limits}, out);
      for (const auto& f : out.findings) {
        const auto* fe = s.find(f.file);
        mg_run.matches.insert({f.rule_id, fe != nullptr ? fe->abs_path : f.file});
      }
    }
    mg_run.wall = std::min(mg_run.wall, seconds_since(t0));
    mg_run.cpu = std::min(mg_run.cpu, cpu_seconds(RUSAGE_SELF) - c0);

    for (auto& c : cli) {
      const std::string cmd = shell_quote(opt.yara) + " -w -p " + std::to_string(opt.threads) + " " + c.flags +
                              " --scan-list " + shell_quote(rules_file.string()) + " " + shell_quote(list_file.string());
      const double cc0 = cpu_seconds(RUSAGE_CHILDREN);
      const auto ct0 = Clock::now();
      auto m = run_cli(cmd);
      const double wall = seconds_since(ct0);
      if (!m) {
        std::fprintf(stderr, "yara_bench: `%s` failed\n", cmd.c_str());
        return 2;
      }
      c.wall = std::min(c.wall, wall);
      c.cpu = std::min(c.cpu, cpu_seconds(RUSAGE_CHILDREN) - cc0);
      c.matches = std::move(*m);
    }
  }
  std::error_code ec;
  fs::remove_all(tmp, ec);

  // The CLI names matches by rule identifier (YR101_slug); ours by id. Compare on the id prefix.
  std::set<std::pair<std::string, std::string>> cli_ids;
  for (const auto& [rule, file] : cli[0].matches) cli_ids.insert({rule.substr(0, rule.find('_')), file});

  std::printf("corpus: %zu files, %.1f MiB (%zu dirs), %zu bundled rules, %u threads, best of %d\n", files.size(),
              static_cast<double>(bytes) / (1 << 20), opt.dirs.size(), mg::bundled_yara_sources().size(), opt.threads,
              opt.repeat);
  std::printf("  %-18s wall %7.3f s  cpu %7.3f s  (compile %.3f s)\n", mg_run.label, mg_run.wall, mg_run.cpu,
              best_compile);
  for (const auto& c : cli) {
    std::printf("  %-18s wall %7.3f s  cpu %7.3f s  ratio yara/modelgate: wall %.2fx, cpu %.2fx\n", c.label, c.wall,
                c.cpu, c.wall / mg_run.wall, c.cpu / mg_run.cpu);
  }
  const bool same = mg_run.matches == cli_ids;
  std::printf("  matches: modelgate %zu, yara %zu, %s\n", mg_run.matches.size(), cli_ids.size(),
              same ? "identical" : "DIFFERENT");
  if (opt.print || !same) {
    for (const auto& [rule, file] : mg_run.matches) std::printf("    modelgate %s %s\n", rule.c_str(), file.c_str());
    for (const auto& [rule, file] : cli_ids) std::printf("    yara      %s %s\n", rule.c_str(), file.c_str());
  }
  const double fastest_wall = std::min(cli[0].wall, cli[1].wall);
  if (mg_run.wall > fastest_wall) std::printf("  NOTE: modelgate's wall time is above the CLI's on this corpus\n");
  return same ? 0 : 1;
}
