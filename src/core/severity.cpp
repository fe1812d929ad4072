#include "core/severity.hpp"

namespace mg {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::low: return "low";
    case Severity::medium: return "medium";
    case Severity::high: return "high";
    case Severity::critical: return "critical";
  }
  return "low";
}

std::string_view to_string(Confidence c) {
  switch (c) {
    case Confidence::low: return "low";
    case Confidence::medium: return "medium";
    case Confidence::high: return "high";
  }
  return "low";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "low") return Severity::low;
  if (s == "medium") return Severity::medium;
  if (s == "high") return Severity::high;
  if (s == "critical") return Severity::critical;
  return std::nullopt;
}

std::optional<Confidence> parse_confidence(std::string_view s) {
  if (s == "low") return Confidence::low;
  if (s == "medium") return Confidence::medium;
  if (s == "high") return Confidence::high;
  return std::nullopt;
}

}  // namespace mg
