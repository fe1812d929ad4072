#include "report/report.hpp"

namespace mg {

std::string_view verdict_name(const TargetReport& t) { return t.verdict ? to_string(*t.verdict) : "clean"; }

std::string_view reach_name(Reach r) {
  switch (r) {
    case Reach::yes: return "true";
    case Reach::no: return "false";
    case Reach::unknown: return "unknown";
  }
  return "unknown";
}

std::vector<const Finding*> visible_findings(const TargetReport& t, const RenderOptions& options) {
  std::vector<const Finding*> out;
  for (const auto& f : t.findings) {
    if (options.reachable_only && f.load_reachable == Reach::no) continue;
    out.push_back(&f);
  }
  return out;
}

}  // namespace mg
