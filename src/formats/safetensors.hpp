// safetensors header validation: the checks the Rust reference parser makes, so files that only
// third-party parsers would accept (overflowing shapes, overlapping or gapped offsets, duplicate
// keys, huge headers) are reported (model-formats.md §2.7, F18).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace mg::safetensors {

struct SafetensorsLimits {
  std::uint64_t max_header_bytes = 100ull << 20;  // the reference parser's limit
  std::size_t max_json_depth = 16;
  std::size_t max_tensors = 1'000'000;
};

struct SafetensorsReport {
  bool is_safetensors = false;                   // the 8-byte length and a JSON object are there
  bool header_parsed = false;                    // false: the header could not be read at all
  std::vector<std::string> problems;             // each a reason the reference parser would refuse
  std::vector<std::pair<std::string, std::string>> metadata;  // __metadata__ (string values)
  std::size_t tensors = 0;
  std::uint64_t header_bytes = 0;
};

bool looks_like_safetensors(std::span<const std::uint8_t> data);
SafetensorsReport validate(std::span<const std::uint8_t> data, const SafetensorsLimits& limits = {});

// Strings in metadata that look like code or shell commands (a sign of a tampered file).
std::vector<std::string> suspicious_metadata(const SafetensorsReport& report);

}  // namespace mg::safetensors
