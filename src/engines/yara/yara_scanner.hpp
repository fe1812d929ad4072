// One YR_SCANNER over a shared rule set: cheap, single-threaded, reused file after file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "engines/yara/yara_rules.hpp"

struct YR_SCAN_CONTEXT;  // libyara; YR_SCANNER is a typedef of it

namespace mg {

struct YaraMatch {
  std::size_t rule_index = 0;  // into CompiledRules::metas()
  // Where the earliest matching non-private string starts; private strings are context and do not
  // set the location. located is false when no non-private string matched (condition-only rules).
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // of that match
  bool located = false;
  std::vector<std::string> strings;  // identifiers of the non-private strings that matched
};

struct YaraScanResult {
  std::vector<YaraMatch> matches;  // in rule order
  // Set when a string hit libyara's per-string match cap: conditions on counts may be wrong.
  std::string truncated;
};

class YaraScanner {
 public:
  // timeout_seconds <= 0 means no timeout.
  static Result<YaraScanner> create(CompiledRulesPtr rules, int timeout_seconds);
  ~YaraScanner();
  YaraScanner(YaraScanner&& other) noexcept;
  YaraScanner& operator=(YaraScanner&& other) noexcept;
  YaraScanner(const YaraScanner&) = delete;
  YaraScanner& operator=(const YaraScanner&) = delete;

  const CompiledRules& rules() const { return *rules_; }
  // Never throws; an Error (timeout, out of memory, ...) means this file's result is unknown.
  Result<YaraScanResult> scan(std::span<const std::uint8_t> data);

 private:
  YaraScanner(CompiledRulesPtr rules, YR_SCAN_CONTEXT* scanner, int timeout)
      : rules_(std::move(rules)), scanner_(scanner), timeout_(timeout) {}
  CompiledRulesPtr rules_;
  YR_SCAN_CONTEXT* scanner_ = nullptr;
  int timeout_ = 0;
};

}  // namespace mg
