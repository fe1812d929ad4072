#include "python/checker.hpp"

namespace mg::py {
namespace {
// Bidi controls in UTF-8: U+202A-U+202E (E2 80 AA-AE), U+2066-U+2069 (E2 81 A6-A9), U+200F (E2 80 8F).
bool bidi_at(std::string_view s, std::size_t i) {
  if (i + 2 >= s.size() || static_cast<unsigned char>(s[i]) != 0xE2) return false;
  const auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
  return (b1 == 0x80 && ((b2 >= 0xAA && b2 <= 0xAE) || b2 == 0x8F)) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9);
}

// A PEP 263 declaration of a non-UTF-8 encoding in the first two lines: the bytes mean other characters.
bool declares_other_encoding(std::string_view src) {
  std::size_t start = 0;
  for (int line = 0; line < 2 && start < src.size(); ++line) {
    const auto end = src.find('\n', start);
    std::string l(src.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    for (auto& ch : l) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    const auto hash = l.find('#');
    const auto cod = l.find("coding");
    if (hash != std::string::npos && cod != std::string::npos && cod > hash && cod + 6 < l.size() &&
        (l[cod + 6] == ':' || l[cod + 6] == '=')) {
      std::size_t k = cod + 7;
      while (k < l.size() && (l[k] == ' ' || l[k] == '\t')) ++k;
      const std::string enc = l.substr(k, 5);
      return enc != "utf-8" && enc.substr(0, 4) != "utf8";
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

void check(Checker& c, std::string_view src) {
  if (src.find('\xE2') == std::string_view::npos || declares_other_encoding(src)) return;
  std::uint32_t line = 1;
  std::uint32_t reported = 0;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (src[i] == '\n') {
      ++line;
      line_start = i + 1;
      continue;
    }
    if (line != reported && bidi_at(src, i)) {
      reported = line;
      Hit h;
      h.rule_id = "PY613";
      h.line = line;
      h.column = static_cast<std::uint32_t>(i - line_start + 1);
      h.last_line = line;
      h.message = "bidirectional control character: the code may not read the way it runs (Trojan Source)";
      c.hits().push_back(std::move(h));
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY613{.id = "PY613", .on_file = check};

}  // namespace mg::py
