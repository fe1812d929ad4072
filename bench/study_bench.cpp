// study_bench: 10,000 generated small repositories through `study` (SQLite store, N workers):
// repositories per second for the run, the report's time, and the store's size. Prints numbers.
// With MODELGATE_STUDY_BENCH_PG=postgresql://... the same repositories also go through the
// PostgreSQL store's job queue with 1, 2 and 4 workers, beside SQLite with 1, 2 and 4 workers
// (bench/study_bench.sh starts a throwaway server and sets it).
// `cmake --build <dir> --target bench_study` builds and runs it; argv[1] overrides the count.
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

#include "study/pg_store.hpp"
#include "study/report.hpp"
#include "study/runner.hpp"
#include "study/store.hpp"

namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// Three shapes, as hubs mostly hold: remote code (auto_map + modeling file with a Bandit-class
// smell and an eval), weights only, a torch.hub repository.
void make_repo(const fs::path& dir, int i) {
  fs::create_directories(dir);
  write(dir / "README.md", "# model " + std::to_string(i) + "\n");
  switch (i % 3) {
    case 0:
      write(dir / "config.json", R"({"model_type":"x","auto_map":{"AutoModel":"modeling_x.XModel"}})");
      write(dir / "modeling_x.py",
            "import torch\n\nclass XModel(torch.nn.Module):\n    def __init__(self, cfg):\n        super().__init__()\n"
            "        assert cfg is not None\n        self.scale = eval(str(cfg.get('scale', 1)))\n");
      break;
    case 1:
      write(dir / "config.json", R"({"model_type":"bert","architectures":["BertModel"]})");
    {
      const std::string header = R"({"__metadata__":{}})";
      std::string bytes(8, '\0');
      bytes[0] = static_cast<char>(header.size());
      write(dir / "model.safetensors", bytes + header);
    }
      break;
    default:
      write(dir / "hubconf.py", "dependencies = ['torch']\n\ndef model(pretrained=False):\n    import torch\n    return torch.nn.Linear(2, 2)\n");
      break;
  }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10'000;
  const fs::path root = fs::temp_directory_path() / ("mg_study_bench_" + std::to_string(::getpid()));
  fs::create_directories(root);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) make_repo(root / "repos" / ("owner" + std::to_string(i % 100) + "__m" + std::to_string(i)), i);
  std::printf("generated %d repositories in %.1f s\n", count, seconds_since(t0));

  const std::string db = (root / "study.db").string();
  int rc = 0;
  try {
    mg::study::Store store(db, true);
    const auto study = store.study("bench", true);
    t0 = std::chrono::steady_clock::now();
    {
      mg::study::Transaction tx(store.db());
      for (int i = 0; i < count; ++i) {
        const std::string name = "owner" + std::to_string(i % 100) + "__m" + std::to_string(i);
        store.add_repository(study, {0, "owner" + std::to_string(i % 100) + "/m" + std::to_string(i),
                                     (root / "repos" / name).string(), i % 2 ? "G1" : "G0", ""});
      }
      tx.commit();
    }
    std::printf("added %d repositories in %.2f s\n", count, seconds_since(t0));

    mg::study::RunOptions o;
    const auto c = mg::study::run_study(store, study, o);
    std::printf("run: %zu scanned, %zu failed, %llu findings in %.1f s = %.1f repositories/s (%u workers); writing the "
                "results took %.2f s (%.2f ms per repository)\n",
                c.scanned, c.failed, static_cast<unsigned long long>(c.findings), c.elapsed_s,
                static_cast<double>(c.scanned) / c.elapsed_s, std::max(1u, std::thread::hardware_concurrency()), c.store_s,
                1000.0 * c.store_s / static_cast<double>(std::max<std::size_t>(c.scanned, 1)));
    t0 = std::chrono::steady_clock::now();
    const auto again = mg::study::run_study(store, study, o);
    std::printf("re-run: %zu pending, found in %.3f s\n", again.total, seconds_since(t0));
    t0 = std::chrono::steady_clock::now();
    const auto tables = mg::study::run_report(store.db(), "bench");
    const std::string html = mg::study::render_html("bench", tables);
    std::printf("report: %zu tables in %.2f s (HTML %zu bytes)\n", tables.size(), seconds_since(t0), html.size());
    store.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    if (c.failed != 0 || c.scanned != static_cast<std::size_t>(count)) rc = 1;

    // The same repositories per worker count, each in a study of its own.
    std::vector<mg::study::Repository> repos;
    for (int i = 0; i < count; ++i) {
      const std::string name = "owner" + std::to_string(i % 100) + "__m" + std::to_string(i);
      repos.push_back({0, "owner" + std::to_string(i % 100) + "/m" + std::to_string(i), (root / "repos" / name).string(),
                       i % 2 ? "G1" : "G0", ""});
    }
    auto line = [&](const char* store_name, unsigned workers, const mg::study::RunCounts& r) {
      std::printf("%-10s %u worker(s): %zu scanned, %zu failed in %.1f s = %.1f repositories/s; writing %.2f s "
                  "(%.2f ms per repository)\n",
                  store_name, workers, r.scanned, r.failed, r.elapsed_s, static_cast<double>(r.scanned) / r.elapsed_s,
                  r.store_s, 1000.0 * r.store_s / static_cast<double>(std::max<std::size_t>(r.scanned, 1)));
      if (r.failed != 0 || r.scanned != static_cast<std::size_t>(count)) rc = 1;
    };
    const char* pg = std::getenv("MODELGATE_STUDY_BENCH_PG");
    for (unsigned workers : {1u, 2u, 4u}) {
      const std::string name = "w" + std::to_string(workers);
      const auto id = store.study("sqlite-" + name, true);
      store.add_repositories(id, repos);
      mg::study::RunOptions ow;
      ow.workers = workers;
      line("SQLite", workers, mg::study::run_study(store, id, ow));
      if (pg == nullptr || *pg == 0) continue;
      const std::string pg_study = "pg-" + name + "-" + std::to_string(::getpid());
      {
        mg::study::PgStore setup(pg);
        setup.add_repositories(setup.study(pg_study, true), repos);
      }
      // Worker threads each with their own connection: the same claims N processes make.
      line("PostgreSQL", workers, mg::study::run_pg_study(pg, pg_study, ow, mg::study::QueuePolicy{}));
    }
    if (pg == nullptr || *pg == 0) std::printf("PostgreSQL: skipped (set MODELGATE_STUDY_BENCH_PG or use bench/study_bench.sh)\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "study_bench: %s\n", e.what());
    rc = 1;
  }
  const auto size = fs::file_size(db);
  std::printf("store: %.1f MiB (%.0f bytes per repository)\n", static_cast<double>(size) / (1 << 20),
              static_cast<double>(size) / count);
  fs::remove_all(root);
  return rc;
}
