// Inventory + trigger detection (Source -> LoadPlan) over a generated 10,000-file repository, and
// the same work done by a plain Python script (the peer: os.walk, json, the transformers regexes,
// magic bytes). Prints medians and the ratio. Target: under 1 s for 10,000 files.
//
// usage: inventory_bench [FILES] [RUNS]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "platform/load_plan.hpp"
#include "source/snapshot.hpp"

namespace fs = std::filesystem;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A repository shaped like a large hub repo: configs with auto_map, modeling files chained by
// relative imports, tokenizer files, small pickled shards and plenty of data files.
void generate(const fs::path& root, int files) {
  fs::create_directories(root);
  std::ofstream(root / "config.json") << R"({"auto_map": {"AutoConfig": "configuration_big.BigConfig", "AutoModel": "modeling_big.BigModel"}, "model_type": "big"})";
  std::ofstream(root / "tokenizer_config.json") << R"({"auto_map": {"AutoTokenizer": ["tokenization_big.BigTokenizer", null]}})";
  std::ofstream(root / "configuration_big.py") << "class BigConfig:\n    pass\n";
  std::ofstream(root / "tokenization_big.py") << "from .vocab import load\n";
  std::ofstream(root / "vocab.py") << "def load():\n    return {}\n";
  std::ofstream(root / "modeling_big.py") << "from .layers_0 import Layer0\n";
  int made = 6;
  for (int i = 0; i < 200 && made < files; ++i, ++made) {
    std::ofstream(root / ("layers_" + std::to_string(i) + ".py")) << "from .layers_" << (i + 1) << " import Layer" << (i + 1)
                                                                  << "\nclass Layer" << i << ":\n    pass\n";
  }
  for (int d = 0; made < files; ++d) {
    const fs::path dir = root / ("data" + std::to_string(d));
    fs::create_directories(dir);
    for (int i = 0; i < 500 && made < files; ++i, ++made) {
      const std::string name = std::to_string(i);
      if (i % 10 == 0) std::ofstream(dir / (name + ".json"), std::ios::binary) << R"({"id": )" << i << "}";
      else if (i % 10 == 1) std::ofstream(dir / (name + ".bin"), std::ios::binary) << std::string("\x80\x02}q\x00.", 6) << "        ";
      else std::ofstream(dir / (name + ".txt")) << "sample text " << i << "\n";
    }
  }
}

double time_peer(const fs::path& script, const fs::path& root) {
  const std::string cmd = "/usr/bin/python3 " + script.string() + " " + root.string() + " > /dev/null";
  const auto t0 = std::chrono::steady_clock::now();
  if (std::system(cmd.c_str()) != 0) return -1;
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int files = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 7;
  const fs::path root = fs::temp_directory_path() / ("modelgate-inventory-bench-" + std::to_string(getpid()));
  generate(root, files);

  std::vector<double> ours, peer;
  std::size_t triggers = 0, modules = 0, points = 0, seen = 0;
  mg::Limits limits;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto snaps = mg::open_target(root.string(), limits);
    if (!snaps) {
      std::fprintf(stderr, "inventory_bench: %s\n", snaps.error().message.c_str());
      return 2;
    }
    const auto plan = mg::build_load_plan(snaps->front(), limits);
    ours.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    seen = snaps->front().files.size();
    triggers = plan.triggers.size();
    modules = plan.module_files.size();
    points = plan.deserialization.size();
    peer.push_back(time_peer(fs::path(MODELGATE_SOURCE_DIR) / "bench/peers/inventory_peer.py", root));
  }
  fs::remove_all(root);

  const double m = median(ours), p = median(peer);
  std::printf("inventory + trigger detection, %zu files (%zu triggers, %zu execution-relevant files, %zu deserialization points)\n",
              seen, triggers, modules, points);
  std::printf("  modelgate        median %8.1f ms over %d runs  (%.0f files/s)\n", m, runs, seen / (m / 1000.0));
  std::printf("  python peer      median %8.1f ms  (os.walk + json + transformers' import regexes + magic bytes)\n", p);
  std::printf("  ratio            %.1fx faster than the peer\n", p / m);
  std::printf("  target           < 1000 ms: %s\n", m < 1000.0 ? "met" : "NOT MET");
  return m < 1000.0 ? 0 : 1;
}
