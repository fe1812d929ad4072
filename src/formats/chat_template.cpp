#include "formats/chat_template.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>

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

// Constant string expressions inside template tags, evaluated: literals, names bound by an earlier
// `{% set name = ... %}`, `~` / `+` joins, `* <int>` repeats, parentheses, `[..]|join` and the
// lower/upper/reverse/string filters. `{% set u = '_' %}{{ ()[u~u~'class'~u~u] }}` spells
// `__class__` without writing it; the values are what the checks then read. Bounded in tokens,
// bindings and string length.
class ConstStrings {
 public:
  explicit ConstStrings(std::string_view text) {
    std::size_t at = 0;
    while (out_.size() < kMaxOut && (at = next_tag(text, at)) != std::string_view::npos) {
      const bool stmt = text[at + 1] == '%';
      const std::size_t end = text.find(stmt ? "%}" : "}}", at + 2);
      const std::string_view body = text.substr(at + 2, (end == std::string_view::npos ? text.size() : end) - at - 2);
      tag(body);
      if (end == std::string_view::npos) break;
      at = end + 2;
    }
  }
  const std::string& values() const { return out_; }

 private:
  static constexpr std::size_t kMaxLen = 256, kMaxOut = 1 << 16, kMaxTokens = 4096, kMaxVars = 256;
  static constexpr int kMaxDepth = 32;
  enum class T : unsigned char { str, num, name, op };
  struct Tok {
    T type;
    std::string text;
  };

  static std::size_t next_tag(std::string_view t, std::size_t from) {
    for (std::size_t k = t.find('{', from); k != std::string_view::npos && k + 1 < t.size(); k = t.find('{', k + 1)) {
      if (t[k + 1] == '{' || t[k + 1] == '%') return k;
    }
    return std::string_view::npos;
  }

  void tag(std::string_view body) {
    toks_.clear();
    for (std::size_t k = 0; k < body.size() && toks_.size() < kMaxTokens;) {
      const char c = body[k];
      if (c == '\'' || c == '"') {
        std::string v;
        std::size_t j = k + 1;
        while (j < body.size() && body[j] != c) {
          if (body[j] == '\\' && j + 1 < body.size() && v.size() < kMaxLen) v += body[j++];  // escapes: normalize() decodes
          if (v.size() < kMaxLen) v += body[j];
          ++j;
        }
        toks_.push_back({T::str, normalize(v)});
        k = j + 1;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        std::size_t j = k;
        while (j < body.size() && std::isdigit(static_cast<unsigned char>(body[j]))) ++j;
        toks_.push_back({T::num, std::string(body.substr(k, std::min<std::size_t>(j - k, 4)))});
        k = j;
      } else if (word_char(c)) {
        std::size_t j = k;
        while (j < body.size() && word_char(body[j])) ++j;
        toks_.push_back({T::name, std::string(body.substr(k, j - k))});
        k = j;
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == '-') {
        ++k;  // whitespace and the {%- -%} trim marks
      } else {
        toks_.push_back({T::op, std::string(1, c)});
        ++k;
      }
    }
    // `set name = expr`: bind the value for later tags.
    if (toks_.size() >= 4 && toks_[0].type == T::name && toks_[0].text == "set" && toks_[1].type == T::name &&
        toks_[2].type == T::op && toks_[2].text == "=") {
      std::size_t p = 3;
      bool computed = false;
      std::string v;
      if (concat(p, v, computed) && p == toks_.size()) {
        if (vars_.size() < kMaxVars || vars_.count(toks_[1].text)) vars_[toks_[1].text] = v;
        if (computed) emit(v);
      }
      return;
    }
    // Anywhere else: every expression that joins or repeats strings.
    for (std::size_t p = 0; p < toks_.size();) {
      std::size_t q = p;
      bool computed = false;
      std::string v;
      if (concat(q, v, computed) && q > p) {
        if (computed) emit(v);
        p = q;
      } else {
        ++p;
      }
    }
  }

  void emit(const std::string& v) {
    if (out_.size() + v.size() + 1 <= kMaxOut) out_ += v + "\n";
  }
  bool is_op(std::size_t p, char c) const { return p < toks_.size() && toks_[p].type == T::op && toks_[p].text[0] == c; }

  // concat := term (('~' | '+') term)*; nesting (parentheses, lists) bounded.
  bool concat(std::size_t& p, std::string& v, bool& computed) {
    if (depth_ >= kMaxDepth) return false;
    struct Nest {
      int& d;
      explicit Nest(int& x) : d(++x) {}
      ~Nest() { --d; }
    } nest(depth_);
    if (!term(p, v, computed)) return false;
    while (is_op(p, '~') || is_op(p, '+')) {
      std::size_t q = p + 1;
      std::string w;
      if (!term(q, w, computed)) break;
      v = (v + w).substr(0, kMaxLen);
      computed = true;
      p = q;
    }
    return true;
  }
  // term := factor ('*' int)? ('|' filter)*
  bool term(std::size_t& p, std::string& v, bool& computed) {
    if (!factor(p, v, computed)) return false;
    if (is_op(p, '*') && p + 1 < toks_.size() && toks_[p + 1].type == T::num) {
      const int n = std::min(std::atoi(toks_[p + 1].text.c_str()), 64);
      std::string r;
      for (int k = 0; k < n && r.size() < kMaxLen; ++k) r += v;
      v = r.substr(0, kMaxLen);
      computed = true;
      p += 2;
    }
    while (is_op(p, '|') && p + 1 < toks_.size() && toks_[p + 1].type == T::name) {
      const std::string& f = toks_[p + 1].text;
      if (f == "lower") std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      else if (f == "upper") std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      else if (f == "reverse") std::reverse(v.begin(), v.end());
      else if (f != "string" && f != "trim") break;
      computed = true;
      p += 2;
    }
    return true;
  }
  // factor := string | bound name | '(' concat ')' | '[' concat (',' concat)* ']' '|' 'join'
  bool factor(std::size_t& p, std::string& v, bool& computed) {
    if (p >= toks_.size()) return false;
    const Tok& t = toks_[p];
    if (t.type == T::str) {
      v = t.text;
      ++p;
      return true;
    }
    if (t.type == T::name) {
      const auto it = vars_.find(t.text);
      if (it == vars_.end()) return false;
      v = it->second;
      computed = true;
      ++p;
      return true;
    }
    if (is_op(p, '(')) {
      std::size_t q = p + 1;
      if (!concat(q, v, computed) || !is_op(q, ')')) return false;
      p = q + 1;
      return true;
    }
    if (is_op(p, '[')) {
      std::size_t q = p + 1;
      std::string joined, part;
      while (concat(q, part, computed)) {
        joined = (joined + part).substr(0, kMaxLen);
        if (!is_op(q, ',')) break;
        ++q;
      }
      if (!is_op(q, ']') || !is_op(q + 1, '|') || q + 2 >= toks_.size() || toks_[q + 2].text != "join") return false;
      v = joined;
      computed = true;
      p = q + 3;
      return true;
    }
    return false;
  }

  std::vector<Tok> toks_;
  int depth_ = 0;
  std::map<std::string, std::string> vars_;
  std::string out_;
};

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
  // Strings the template computes (joins of literals and `set` names): checked as decoded text.
  const ConstStrings computed(text);
  if (spelled || !computed.values().empty()) {
    const std::string norm = normalize(text) + "\n" + computed.values();
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
