#include "formats/chat_template.hpp"

#include <algorithm>
#include <cctype>

namespace mg::chat_template {

namespace {

// Object traversal and global access: the steps of every Jinja SSTI chain to os/subprocess.
constexpr std::string_view kInjection[] = {
    "__class__", "__mro__", "__subclasses__", "__base__", "__bases__", "__globals__", "__builtins__",
    "__import__", "__init__", "__dict__", "__getattribute__", "__reduce__", "__code__", "__func__",
    "__self__", "__module__", "_module.", "func_globals", "os.system", "os.popen", ".popen(",
    "subprocess", "catch_warnings", "__loader__", "__spec__", "sys.modules", "eval(", "exec(",
    "import_module",
};

// Ways to spell those without writing them (hex/unicode/octal escapes, attr filters, string
// assembly, format tricks).
constexpr std::string_view kObfuscation[] = {
    "\\x5f", "\\x5F", "\\u005f", "\\u005F", "\\U0000005f", "\\137", "|attr(", "| attr(", "attr(",
    "getattr", "chr(", "%c", "['_", "[\"_", "~'_'", "~\"_\"", "'_'*", "\"_\"*", "'_' *",
    "lipsum", "cycler", "joiner", "namespace.__", "request.", "config.", "self._",
    "fromhex", "b64decode", "decode(",
};

std::size_t line_of(std::string_view text, std::size_t off) {
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(off), '\n'));
}

}  // namespace

std::vector<TemplateHit> check(std::string_view text) {
  std::vector<TemplateHit> hits;
  for (auto pat : kInjection) {
    const auto at = text.find(pat);
    if (at != std::string_view::npos) hits.push_back({Risk::injection, std::string(pat), at, line_of(text, at)});
  }
  for (auto pat : kObfuscation) {
    const auto at = text.find(pat);
    if (at != std::string_view::npos) hits.push_back({Risk::obfuscated, std::string(pat), at, line_of(text, at)});
  }
  // Any other dunder name (`__xyz__`) reached inside a Jinja expression.
  for (std::size_t k = text.find("__"); k != std::string_view::npos && hits.size() < 64; k = text.find("__", k + 2)) {
    std::size_t e = k + 2;
    while (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '_')) ++e;
    const auto word = text.substr(k, e - k);
    if (word.size() > 4 && word.substr(word.size() - 2) == "__") {
      const bool known = std::any_of(hits.begin(), hits.end(), [&](const TemplateHit& h) { return h.pattern == word; });
      if (!known) hits.push_back({Risk::injection, std::string(word), k, line_of(text, k)});
    }
    k = e > k + 2 ? e - 2 : k;
  }
  std::stable_sort(hits.begin(), hits.end(), [](const TemplateHit& a, const TemplateHit& b) {
    return a.risk > b.risk || (a.risk == b.risk && a.offset < b.offset);
  });
  return hits;
}

}  // namespace mg::chat_template
