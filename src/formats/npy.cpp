#include "formats/npy.hpp"

#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

namespace mg::npy {

namespace {

// Quoted tokens of the header's Python-literal dict, e.g. 'descr', '<f8', 'shape'.
std::vector<std::string_view> quoted_tokens(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (s[k] != '\'' && s[k] != '"') continue;
    const auto end = s.find(s[k], k + 1);
    if (end == std::string_view::npos) break;
    out.push_back(s.substr(k + 1, end - k - 1));
    k = end;
  }
  return out;
}

bool is_object_code(std::string_view t) {
  if (!t.empty() && (t[0] == '|' || t[0] == '<' || t[0] == '>' || t[0] == '=')) t.remove_prefix(1);
  if (t.empty() || t[0] != 'O') return false;
  for (std::size_t k = 1; k < t.size(); ++k) {
    if (t[k] < '0' || t[k] > '9') return false;
  }
  return true;
}

}  // namespace

bool is_npy(std::span<const std::uint8_t> d) { return d.size() >= 10 && std::memcmp(d.data(), "\x93NUMPY", 6) == 0; }

Result<NpyHeader> read_header(std::span<const std::uint8_t> d) {
  if (!is_npy(d)) return make_error("not an .npy file");
  NpyHeader h;
  h.major = d[6];
  h.minor = d[7];
  std::uint64_t len = 0, start = 0;
  if (h.major == 1) {
    len = d[8] | (d[9] << 8);
    start = 10;
  } else if (h.major == 2 || h.major == 3) {
    if (d.size() < 12) return make_error("truncated .npy header");
    len = d[8] | (d[9] << 8) | (static_cast<std::uint64_t>(d[10]) << 16) | (static_cast<std::uint64_t>(d[11]) << 24);
    start = 12;
  } else {
    return make_error("unknown .npy version " + std::to_string(h.major));
  }
  if (len > d.size() - start || len > (64u << 20)) return make_error(".npy header length past the end");
  const std::string_view text(reinterpret_cast<const char*>(d.data() + start), len);
  h.data_offset = start + len;
  // descr is one type string or a list of (name, type[, shape]) tuples: take the value up to the
  // first ',' or '}' outside brackets and quotes.
  if (const auto at = text.find("descr"); at != std::string_view::npos) {
    const auto colon = text.find(':', at);
    if (colon != std::string_view::npos) {
      int depth = 0;
      char quote = 0;
      std::size_t k = colon + 1;
      for (; k < text.size(); ++k) {
        const char c = text[k];
        if (quote) {
          if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '[' || c == '(') {
          ++depth;
        } else if (c == ']' || c == ')') {
          --depth;
        } else if ((c == ',' || c == '}') && depth <= 0) {
          break;
        }
      }
      std::string_view v = text.substr(colon + 1, k - colon - 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      h.descr = std::string(v);
    }
  }
  for (auto t : quoted_tokens(h.descr)) {
    if (is_object_code(t)) h.object_dtype = true;
  }
  if (h.descr.empty()) return make_error(".npy header has no descr");
  // Simple dtypes: size = prod(shape) * itemsize, checked.
  const auto st = text.find("'shape'");
  const auto lp = st == std::string_view::npos ? st : text.find('(', st);
  const auto rp = lp == std::string_view::npos ? lp : text.find(')', lp);
  const auto descr_tokens = quoted_tokens(h.descr);
  if (rp != std::string_view::npos && descr_tokens.size() == 1 && !h.object_dtype) {
    std::string_view code = descr_tokens[0];
    if (!code.empty() && (code[0] == '|' || code[0] == '<' || code[0] == '>' || code[0] == '=')) code.remove_prefix(1);
    std::uint64_t item = 0;
    if (code.size() >= 2) {
      auto [p, ec] = std::from_chars(code.data() + 1, code.data() + code.size(), item);
      if (ec != std::errc() || p != code.data() + code.size()) item = 0;
      if (code[0] == 'U') item *= 4;
    }
    std::uint64_t count = 1;
    bool ok = item > 0;
    std::string_view dims = text.substr(lp + 1, rp - lp - 1);
    while (ok && !dims.empty()) {
      const auto comma = dims.find(',');
      std::string_view tok = dims.substr(0, comma);
      while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
      while (!tok.empty() && (tok.back() == ' ' || tok.back() == 'L')) tok.remove_suffix(1);
      if (!tok.empty()) {
        std::uint64_t v = 0;
        auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
        if (ec != std::errc() || p != tok.data() + tok.size() || __builtin_mul_overflow(count, v, &count)) ok = false;
      }
      if (comma == std::string_view::npos) break;
      dims.remove_prefix(comma + 1);
    }
    if (ok && !__builtin_mul_overflow(count, item, &h.data_bytes)) h.size_known = true;
  }
  return h;
}

}  // namespace mg::npy
