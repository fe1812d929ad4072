// Python stage benchmark: Bandit vs modelgate on the same corpus, in one run.
//   python_bench [--modelgate PATH] [--bandit PATH] [--threads N] [--stage-only] [--slowest N] [DIR...]   (default DIR: the stdlib)
// Prints wall time of both CLIs end to end (modelgate with the Python engine only, i.e. Bandit's job,
// and with every engine; peak RSS of each child process), and modelgate's Python stage (parse +
// index + all rules) against bare tree-sitter parsing of the same files.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/allocator.hpp"
#include "engines/python/analyzer.hpp"
#include "engines/python/python_engine.hpp"
#include "pipeline/scan.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::size_t analyzer_rule_count() { return mg::py::builtin_python_rules().size(); }

double cpu_seconds(const rusage& ru) {
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double self_cpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return cpu_seconds(ru);
}

struct Run {
  double seconds = 0;
  double cpu = 0;
  long max_rss_kb = 0;
  int status = -1;
};

// Runs argv with stdout/stderr to /dev/null; wall time and the child's peak RSS.
Run run_child(const std::vector<std::string>& argv) {
  Run r;
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    std::FILE* devnull = std::fopen("/dev/null", "w");
    if (devnull != nullptr) {
      dup2(fileno(devnull), 1);
      dup2(fileno(devnull), 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.max_rss_kb = ru.ru_maxrss;
  r.cpu = cpu_seconds(ru);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A child's ru_maxrss starts at its parent's resident size when it forks (the copied page tables
// count), so children forked once the corpus is in memory all report hundreds of MB. The spawner is
// forked at start-up, before anything is loaded, and runs every measured command instead.
class Spawner {
 public:
  Spawner() {
    int req[2], resp[2];
    if (pipe(req) != 0 || pipe(resp) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(req[1]);
      close(resp[0]);
      serve(req[0], resp[1]);
      _exit(0);
    }
    close(req[0]);
    close(resp[1]);
    to_ = req[1];
    from_ = resp[0];
  }
  ~Spawner() {
    if (to_ >= 0) close(to_);  // the spawner reads end-of-file and exits
    if (from_ >= 0) close(from_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;

  Run run(const std::vector<std::string>& argv) const {
    if (pid_ <= 0) return run_child(argv);  // no spawner: RSS includes this process's
    std::string msg;
    for (const auto& a : argv) msg.append(a).push_back('\0');
    const std::uint64_t n = msg.size();
    Run r;
    if (!write_all(to_, &n, sizeof n) || !write_all(to_, msg.data(), msg.size()) || !read_all(from_, &r, sizeof r)) r.status = -1;
    return r;
  }

 private:
  static bool write_all(int fd, const void* p, std::size_t n) {
    for (auto* c = static_cast<const char*>(p); n > 0;) {
      const ssize_t w = write(fd, c, n);
      if (w <= 0) return false;
      c += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }
  static bool read_all(int fd, void* p, std::size_t n) {
    for (auto* c = static_cast<char*>(p); n > 0;) {
      const ssize_t got = read(fd, c, n);
      if (got <= 0) return false;
      c += got;
      n -= static_cast<std::size_t>(got);
    }
    return true;
  }
  static void serve(int in, int out) {
    for (std::uint64_t n = 0; read_all(in, &n, sizeof n);) {
      std::string msg(n, '\0');
      if (!read_all(in, msg.data(), n)) return;
      std::vector<std::string> argv;
      for (std::size_t b = 0, e; b < msg.size(); b = e + 1) {
        e = msg.find('\0', b);
        argv.emplace_back(msg.substr(b, e - b));
      }
      const Run r = run_child(argv);
      if (!write_all(out, &r, sizeof r)) return;
    }
  }

  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
};

struct Timing {
  double wall = 0, cpu = 0;
};

template <typename Fn>
Timing parallel(std::size_t n, unsigned threads, Fn&& fn) {
  std::atomic<std::size_t> next{0};
  const double c0 = self_cpu();
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      mg::py::Parser parser;
      for (std::size_t i; (i = next.fetch_add(1)) < n;) fn(parser, i);
    });
  }
  for (auto& t : pool) t.join();
  return {std::chrono::duration<double>(Clock::now() - t0).count(), self_cpu() - c0};
}

}  // namespace

int main(int argc, char** argv) {
  mg::configure_allocator();  // the allocator and settings the CLI runs with
  const Spawner spawner;  // first, while this process is small
  std::string modelgate = std::string(MODELGATE_BINARY_DIR) + "/modelgate";
  std::string bandit = "/usr/bin/bandit";
  unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  std::vector<std::string> dirs;
  bool stage_only = false;  // skip the end-to-end runs (for profiling the stage)
  std::size_t slowest = 0;  // print the N files whose parse and stage take longest
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--modelgate" && i + 1 < argc) modelgate = argv[++i];
    else if (a == "--bandit" && i + 1 < argc) bandit = argv[++i];
    else if (a == "--stage-only") stage_only = true;
    else if (a == "--slowest" && i + 1 < argc) slowest = static_cast<std::size_t>(std::stoul(argv[++i]));
    else if (a == "--threads" && i + 1 < argc) threads = static_cast<unsigned>(std::stoi(argv[++i]));
    else dirs.push_back(a);
  }
  if (dirs.empty()) dirs.push_back("/usr/lib/python3.11");

  std::vector<std::pair<std::string, std::string>> files;
  std::size_t bytes = 0;
  for (const auto& d : dirs) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(d, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file() || it->path().extension() != ".py") continue;
      std::ifstream in(it->path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      files.emplace_back(it->path().string(), ss.str());
      bytes += files.back().second.size();
    }
  }
  std::printf("corpus: %zu .py files, %.1f MB, %u threads\n", files.size(), bytes / 1e6, threads);

  // Bare parsing, then the full Python stage; each best of 3 to damp noise. CPU time is printed
  // beside wall time because the machine may be shared.
  const mg::py::Analyzer analyzer;
  Timing parse{1e9, 1e9}, stage{1e9, 1e9};
  std::atomic<std::size_t> findings{0};
  for (int rep = 0; rep < 3; ++rep) {
    const Timing p = parallel(files.size(), threads, [&](mg::py::Parser& parser, std::size_t i) {
      auto t = parser.parse(files[i].second);
      (void)t;
    });
    parse = {std::min(parse.wall, p.wall), std::min(parse.cpu, p.cpu)};
    findings = 0;
    const Timing s = parallel(files.size(), threads, [&](mg::py::Parser& parser, std::size_t i) {
      auto r = analyzer.analyse(files[i].first, files[i].second, parser);
      findings += r.findings.size();
    });
    stage = {std::min(stage.wall, s.wall), std::min(stage.cpu, s.cpu)};
  }
  std::printf("bare tree-sitter parse: %.3f s wall, %.3f s cpu\n", parse.wall, parse.cpu);
  std::printf("python stage (parse, index, %zu rules): %.3f s wall, %.3f s cpu, %zu findings\n",
              analyzer_rule_count(), stage.wall, stage.cpu, findings.load());
  std::printf("stage / bare parse: %.2fx wall, %.2fx cpu (target <= 1.5x)\n", stage.wall / parse.wall, stage.cpu / parse.cpu);

  if (slowest > 0) {
    std::vector<std::tuple<double, double, std::string>> per_file;
    mg::py::Parser parser;
    for (const auto& [path, text] : files) {
      auto t0 = Clock::now();
      { auto t = parser.parse(text); }
      const double p = std::chrono::duration<double>(Clock::now() - t0).count();
      t0 = Clock::now();
      analyzer.analyse(path, text, parser);
      per_file.emplace_back(std::chrono::duration<double>(Clock::now() - t0).count(), p, path);
    }
    std::sort(per_file.rbegin(), per_file.rend());
    for (std::size_t k = 0; k < slowest && k < per_file.size(); ++k) {
      std::printf("  stage %.3f s  parse %.3f s  %s\n", std::get<0>(per_file[k]), std::get<1>(per_file[k]),
                  std::get<2>(per_file[k]).c_str());
    }
  }

  // The python engine end to end in this process: open the snapshot, read every file, run it.
  double engine_s = 1e9, engine_cpu = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    const double c0 = self_cpu();
    const auto t0 = Clock::now();
    const mg::Limits limits;
    const auto engine = mg::make_python_engine();
    for (const auto& d : dirs) {
      auto snaps = mg::open_target(d, limits);
      if (!snaps) continue;
      for (const auto& snap : *snaps) {
        const mg::LoadPlan plan;
        mg::EngineContext ctx{snap, plan, limits};
        mg::EngineOutput out;
        engine->run(ctx, out);
      }
    }
    engine_s = std::min(engine_s, std::chrono::duration<double>(Clock::now() - t0).count());
    engine_cpu = std::min(engine_cpu, self_cpu() - c0);
  }
  std::printf("python engine (snapshot + read + stage): %.3f s wall, %.3f s cpu\n", engine_s, engine_cpu);
  // The same with what a scan adds around it: the load plan, reachability and the behaviour
  // engine's repository stage (linking, data flow, judging); no report, no process start.
  double full_s = 1e9, full_cpu = 1e9;
  mg::StageTimes stages;  // summed over the snapshots of the fastest repetition
  for (int rep = 0; rep < 3; ++rep) {
    const double c0 = self_cpu();
    const auto t0 = Clock::now();
    const mg::Limits limits;
    std::vector<std::unique_ptr<mg::Engine>> engines;
    engines.push_back(mg::make_python_engine());
    mg::StageTimes sum;
    sum.engines = {{"python", 0.0}};
    for (const auto& d : dirs) {
      auto snaps = mg::open_target(d, limits);
      if (!snaps) continue;
      for (const auto& snap : *snaps) {
        const auto r = mg::scan_snapshot(snap, engines, limits, threads);
        sum.plan += r.times.plan;
        sum.engines[0].second += r.times.engines.empty() ? 0.0 : r.times.engines[0].second;
        sum.reachability += r.times.reachability;
        sum.behaviour += r.times.behaviour;
        sum.finish += r.times.finish;
      }
    }
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    if (wall < full_s) stages = sum;
    full_s = std::min(full_s, wall);
    full_cpu = std::min(full_cpu, self_cpu() - c0);
  }
  std::printf("python engine + plan + reachability + behaviour, in process: %.3f s wall, %.3f s cpu\n", full_s, full_cpu);
  std::printf("  stages (wall): plan %.3f s, python engine %.3f s, reachability %.3f s, behaviour %.3f s, finish %.3f s\n", stages.plan,
              stages.engines[0].second, stages.reachability, stages.behaviour, stages.finish);
  if (stage_only) return 0;
  // The two CLIs as users run them, on the same corpus: modelgate doing Bandit's job (the Python
  // engine only), modelgate with every engine, and Bandit. modelgate runs are short and noisy:
  // median of 5; Bandit runs once (its run is long and its noise small beside it).
  struct Total {
    double wall = 0, cpu = 0;
    long rss_kb = 0;
  };
  auto median_run = [&](const std::vector<std::string>& cmd, int reps) {
    std::vector<Run> runs;
    for (int r = 0; r < reps; ++r) runs.push_back(spawner.run(cmd));
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.seconds < b.seconds; });
    return runs[runs.size() / 2];
  };
  Total mg_py, mg_all, bandit_total;
  for (const auto& d : dirs) {
    const Run p = median_run({modelgate, "scan", d, "--engines", "python", "--format", "json", "-q"}, 5);
    const Run m = median_run({modelgate, "scan", d, "--format", "json", "-q"}, 5);
    const Run b = spawner.run({bandit, "-r", d, "-f", "json", "-q", "-o", "/dev/null"});
    for (const Run* r : {&p, &m}) {
      if (r->status < 0 || r->status > 2) std::printf("warning: modelgate exited with %d on %s\n", r->status, d.c_str());
    }
    if (b.status < 0 || b.status > 1) std::printf("warning: bandit exited with %d on %s\n", b.status, d.c_str());
    const auto add = [](Total& t, const Run& r) {
      t.wall += r.seconds;
      t.cpu += r.cpu;
      t.rss_kb = std::max(t.rss_kb, r.max_rss_kb);
    };
    add(mg_py, p);
    add(mg_all, m);
    add(bandit_total, b);
  }
  const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf("modelgate scan --engines python: %.3f s wall, %.3f s cpu, peak RSS %.1f MB (target < 300 MB)\n", mg_py.wall, mg_py.cpu,
              mg_py.rss_kb / 1024.0);
  std::printf("modelgate scan (every engine):   %.3f s wall, %.3f s cpu, peak RSS %.1f MB\n", mg_all.wall, mg_all.cpu, mg_all.rss_kb / 1024.0);
  std::printf("bandit -r:                       %.3f s wall, %.3f s cpu, peak RSS %.1f MB\n", bandit_total.wall, bandit_total.cpu,
              bandit_total.rss_kb / 1024.0);
  std::printf("speed-up, modelgate scan --engines python vs bandit -r: %.1fx wall (target >= 25x), %.1fx cpu\n",
              ratio(bandit_total.wall, mg_py.wall), ratio(bandit_total.cpu, mg_py.cpu));
  std::printf("speed-up, modelgate scan (every engine) vs bandit -r:   %.1fx wall, %.1fx cpu\n", ratio(bandit_total.wall, mg_all.wall),
              ratio(bandit_total.cpu, mg_all.cpu));
  std::printf("speed-up, python engine in-process vs bandit -r:        %.1fx wall, %.1fx cpu\n", ratio(bandit_total.wall, engine_s),
              ratio(bandit_total.cpu, engine_cpu));
  std::printf("speed-up, python engine + behaviour in-process vs bandit: %.1fx wall (target >= 20x), %.1fx cpu\n",
              ratio(bandit_total.wall, full_s), ratio(bandit_total.cpu, full_cpu));
  return 0;
}
