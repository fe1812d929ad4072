// GGUF header and metadata reader. Every count and length is checked against the bytes that are
// left, so lying headers (CVE-2024-21802, CVE-2026-33298, "Bleeding Llama") are reported, and the
// chat templates are extracted for the Jinja checks (CVE-2024-34359).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace mg::gguf {

struct GgufLimits {
  std::uint64_t max_kv = 1'000'000;
  std::uint64_t max_tensors = 1'000'000;
  std::uint64_t max_string_bytes = 64ull << 20;
  std::uint32_t max_array_depth = 4;
  std::uint32_t max_dims = 8;
};

struct GgufReport {
  bool is_gguf = false;
  bool complete = false;     // header, metadata and tensor infos read to their end
  std::string error;         // why reading stopped
  std::uint32_t version = 0;
  std::uint64_t tensor_count = 0;
  std::uint64_t kv_count = 0;
  std::vector<std::pair<std::string, std::string>> templates;  // tokenizer.chat_template*
  std::vector<std::string> problems;  // tensor infos a loader would mis-size
};

bool is_gguf(std::span<const std::uint8_t> data);
GgufReport read(std::span<const std::uint8_t> data, const GgufLimits& limits = {});

}  // namespace mg::gguf
