// `scan --baseline FILE` reads a file a project keeps in its repository: the parser must reject
// anything malformed with an Error, and a baseline we write must read back to the same set.
#include <cstdint>
#include <string_view>

#include "report/baseline.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto baseline = mg::parse_baseline(text);
  if (!baseline) return 0;
  mg::ScanReport report;
  report.targets.emplace_back();
  for (const auto& fp : baseline->fingerprints) {
    mg::Finding f;
    f.rule_id = "PY101";
    f.fingerprint = fp;
    report.targets.back().findings.push_back(f);
  }
  auto again = mg::parse_baseline(mg::render_baseline(report));
  if (!again || again->fingerprints != baseline->fingerprints) __builtin_trap();
  if (mg::apply_baseline(*again, report) != baseline->fingerprints.size()) __builtin_trap();
  return 0;
}
