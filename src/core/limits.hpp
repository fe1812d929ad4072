// Bounds applied to hostile input. Every parser and source takes its caps from here.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mg {

struct Limits {
  std::size_t max_files = 200'000;               // files in one snapshot
  std::size_t max_dir_depth = 64;                // directory nesting
  std::uint64_t max_config_bytes = 16ull << 20;  // JSON/YAML/.py config read whole
  std::size_t max_json_depth = 256;              // nesting accepted in config JSON
  std::uint64_t max_archive_member_bytes = 512ull << 20;  // one decompressed member kept in memory
  std::uint64_t max_archive_total_bytes = 2ull << 30;     // all members of one archive
  std::size_t max_archive_members = 100'000;
  std::uint64_t max_compression_ratio = 1000;  // decompressed/compressed beyond this is a bomb
  std::uint64_t bomb_check_after_bytes = 64ull << 20;  // the ratio is judged once this much came out
  std::size_t max_archive_depth = 4;  // archives inside archives (a .nemo in a .tar.gz is 2 deep)
  std::size_t max_relative_import_files = 10'000;
  std::uint64_t max_python_bytes = 8ull << 20;  // one .py file the python engine parses
  std::size_t max_python_tree_bytes = 512ull << 20;  // its syntax tree (about 120 bytes per source byte)
  std::uint64_t max_yara_file_bytes = 32ull << 20;  // one file scanned by the YARA engine
  int yara_timeout_seconds = 10;                    // per file and rule set
};

}  // namespace mg
