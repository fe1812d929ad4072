#include "formats/chat_template.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mg::chat_template {

namespace {

// Object traversal and global access: the steps of every Jinja SSTI chain to os/subprocess.
constexpr std::string_view kInjection[] = {
    "__class__", "__mro__", "__subclasses__", "__base__", "__bases__", "__globals__", "__builtins__",
    "__import__", "__init__", "__dict__", "__getattribute__", "__reduce__", "__code__", "__func__",
    "__self__", "__module__", "_module.", "func_globals", "os.system", "os.popen", ".popen(",
    "subprocess", "catch_warnings", "__loader__", "__spec__", "sys.modules", "eval(", "exec(",
    "import_module", "_TemplateReference__context", "request.application", ".application.__",
};

// Ways to spell those without writing them (hex/unicode/octal escapes, attr filters, string
// assembly, format tricks), and the Flask/Jinja globals SSTI chains start from.
constexpr std::string_view kObfuscation[] = {
    "\\x5f", "\\x5F", "\\u005f", "\\u005F", "\\U0000005f", "\\137", "|attr(", "| attr(", "attr(",
    "getattr", "chr(", "%c", "['_", "[\"_", "~'_'", "~\"_\"", "'_'*", "\"_\"*", "'_' *",
    "lipsum", "cycler", "joiner", "namespace.__", "request.", "config.", "self._",
    "fromhex", "b64decode", "decode(", "dict(__", "|format(95",
};

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `pat` in `text` from `from`, as a token: a pattern that starts with a letter does not continue a
// word ("myconfig." is not "config."), and one that ends with '.' must go on into a name
// ("request." at the end of an English sentence is prose).
std::size_t find_token(std::string_view text, std::string_view pat, std::size_t from = 0) {
  for (std::size_t at = text.find(pat, from); at != std::string_view::npos; at = text.find(pat, at + 1)) {
    if (std::isalpha(static_cast<unsigned char>(pat.front())) && at > 0 && word_char(text[at - 1])) continue;
    if (pat.back() == '.') {
      const std::size_t next = at + pat.size();
      if (next >= text.size() || !(std::isalpha(static_cast<unsigned char>(text[next])) || text[next] == '_')) continue;
    }
    return at;
  }
  return std::string_view::npos;
}

std::size_t line_of(std::string_view text, std::size_t off) {
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(off), '\n'));
}

void dunders(std::string_view text, Risk risk, std::vector<TemplateHit>& hits, const std::string& suffix,
             std::size_t offset_of_all) {
  // Any other dunder name (`__xyz__`) reached inside a Jinja expression.
  for (std::size_t k = text.find("__"); k != std::string_view::npos && hits.size() < 64; k = text.find("__", k + 2)) {
    std::size_t e = k + 2;
    while (e < text.size() && word_char(text[e])) ++e;
    const auto word = text.substr(k, e - k);
    if (word.size() > 4 && word.substr(word.size() - 2) == "__") {
      const std::string pattern = std::string(word) + suffix;
      const bool known = std::any_of(hits.begin(), hits.end(), [&](const TemplateHit& h) {
        return h.pattern == word || h.pattern == pattern;
      });
      if (!known) hits.push_back({risk, pattern, offset_of_all == std::string_view::npos ? k : offset_of_all, 0});
    }
    k = e > k + 2 ? e - 2 : k;
  }
}

}  // namespace

std::string normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto hex = [&](std::size_t at, std::size_t n, std::uint32_t& v) {
    if (at + n > text.size()) return false;
    auto [p, ec] = std::from_chars(text.data() + at, text.data() + at + n, v, 16);
    return ec == std::errc() && p == text.data() + at + n;
  };
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char c = text[k];
    if (c == '\\' && k + 1 < text.size()) {
      std::uint32_t v = 0;
      const char e = text[k + 1];
      if (e == 'x' && hex(k + 2, 2, v)) {
        k += 3;
      } else if (e == 'u' && hex(k + 2, 4, v)) {
        k += 5;
      } else if (e == 'U' && hex(k + 2, 8, v)) {
        k += 9;
      } else if (e >= '0' && e <= '7' && k + 3 < text.size() && text[k + 2] >= '0' && text[k + 2] <= '7' &&
                 text[k + 3] >= '0' && text[k + 3] <= '7') {
        v = static_cast<std::uint32_t>((e - '0') * 64 + (text[k + 2] - '0') * 8 + (text[k + 3] - '0'));
        k += 3;
      } else {
        out += c;
        continue;
      }
      // Only printable ASCII matters for names; anything else stays visibly escaped.
      out += (v >= 0x20 && v < 0x7f) ? static_cast<char>(v) : '?';
      continue;
    }
    // A quote, then operators that join strings ('~', '+', spaces), then a quote: one string.
    if (c == '\'' || c == '"') {
      std::size_t j = k + 1;
      while (j < text.size() && (text[j] == ' ' || text[j] == '~' || text[j] == '+' || text[j] == '\n' || text[j] == '\t')) ++j;
      if (j > k + 1 && j < text.size() && (text[j] == '\'' || text[j] == '"')) {
        k = j;
        continue;
      }
      if (j == k + 1 && j < text.size() && (text[j] == '\'' || text[j] == '"') && j + 1 < text.size() && word_char(text[j + 1])) {
        k = j;  // adjacent literals '__cla''ss__'
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::vector<TemplateHit> check(std::string_view text) {
  std::vector<TemplateHit> hits;
  for (auto pat : kInjection) {
    const auto at = find_token(text, pat);
    if (at != std::string_view::npos) hits.push_back({Risk::injection, std::string(pat), at, 0});
  }
  for (auto pat : kObfuscation) {
    const auto at = find_token(text, pat);
    if (at != std::string_view::npos) hits.push_back({Risk::obfuscated, std::string(pat), at, 0});
  }
  dunders(text, Risk::injection, hits, "", std::string_view::npos);
  // The same names spelled with escapes or assembled from pieces: decoded, they are the injection
  // itself. Offsets of the decoded text do not map back, so these point at the first obfuscation.
  const bool spelled = std::any_of(hits.begin(), hits.end(), [](const TemplateHit& h) { return h.risk == Risk::obfuscated; }) ||
                       text.find("'~") != std::string_view::npos || text.find("' ~") != std::string_view::npos ||
                       text.find("'+") != std::string_view::npos || text.find("' +") != std::string_view::npos ||
                       text.find("\"~") != std::string_view::npos || text.find("\" ~") != std::string_view::npos ||
                       text.find("\"+") != std::string_view::npos || text.find("\" +") != std::string_view::npos;
  if (spelled) {
    const std::string norm = normalize(text);
    std::size_t first = text.size();
    for (const auto& h : hits) first = std::min(first, h.offset);
    if (first == text.size()) first = 0;
    for (auto pat : kInjection) {
      if (find_token(norm, pat) == std::string_view::npos) continue;
      const bool known = std::any_of(hits.begin(), hits.end(), [&](const TemplateHit& h) { return h.pattern == pat; });
      if (!known) hits.push_back({Risk::injection, std::string(pat) + " (decoded)", first, 0});
    }
    dunders(norm, Risk::injection, hits, " (decoded)", first);
  }
  for (auto& h : hits) h.line = line_of(text, h.offset);
  std::stable_sort(hits.begin(), hits.end(), [](const TemplateHit& a, const TemplateHit& b) {
    return a.risk > b.risk || (a.risk == b.risk && a.offset < b.offset);
  });
  return hits;
}

}  // namespace mg::chat_template
