// Baselines (docs/configuration.md#baselines): `scan --write-baseline FILE` records the findings'
// fingerprints; `scan --baseline FILE` marks findings whose fingerprint is recorded as existing, so
// a project can adopt modelgate and fail only on what is new. The file is small, versioned JSON:
//   {"modelgate_baseline": 1, "tool": {...}, "findings": [{"fingerprint", "rule_id", "target",
//    "file", "line", "message"}]}
// Only the fingerprint is matched; the rest is there for the people reviewing the file.
#pragma once
#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "pipeline/scan.hpp"

namespace mg {

inline constexpr int kBaselineVersion = 1;

struct Baseline {
  std::set<std::string> fingerprints;
};

// The baseline file for a report (every finding of every target, reachable or not).
std::string render_baseline(const ScanReport& report);

// Parses a baseline file's text; a wrong version, a missing field or a malformed fingerprint is an
// Error naming what is wrong. Never throws.
Result<Baseline> parse_baseline(std::string_view text);

// Reads and parses FILE (missing, unreadable or larger than 256 MiB: an Error).
Result<Baseline> load_baseline(const std::string& path);

// Marks each finding fresh or existing; returns how many are existing.
std::size_t apply_baseline(const Baseline& baseline, ScanReport& report);

}  // namespace mg
