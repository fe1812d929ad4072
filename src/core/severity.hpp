// Severity and confidence scales of the JSON contract, with their spellings.
#pragma once
#include <optional>
#include <string_view>

namespace mg {

enum class Severity : unsigned char { low = 1, medium = 2, high = 3, critical = 4 };
enum class Confidence : unsigned char { low = 1, medium = 2, high = 3 };

std::string_view to_string(Severity s);
std::string_view to_string(Confidence c);
std::optional<Severity> parse_severity(std::string_view s);
std::optional<Confidence> parse_confidence(std::string_view s);

}  // namespace mg
