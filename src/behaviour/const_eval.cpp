#include "behaviour/const_eval.hpp"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/text.hpp"
#include "python/checker.hpp"

namespace mg::behaviour {

using py::field;
using py::is;

// `builtins.eval`, `__builtins__.eval`, `posix.system`: the name Python would call.
std::string normalize_ref(std::string s) {
  while (ends_with(s, ".__call__")) s.resize(s.size() - 9);  // f.__call__(x) is f(x)
  for (std::string_view p : {"builtins.", "__builtins__.", "__builtin__.", "__builtins__.__dict__.", "builtins.__dict__."}) {
    if (starts_with(s, p) && s.find('.', p.size()) == std::string::npos) return s.substr(p.size());
  }
  for (std::string_view p : {"posix.", "nt.", "_posixsubprocess."}) {
    if (starts_with(s, p)) return "os." + s.substr(p.size());
  }
  return s;
}

namespace {

using Kind = CVal::Kind;

bool is_builtins_dict(std::string_view s) {
  return s == "__builtins__" || s == "__builtins__.__dict__" || s == "builtins.__dict__" || s == "__builtin__.__dict__" ||
         s == "globals()" || s == "locals()" || s == "vars()" || s == "builtins" || s == "__builtin__";
}

// EBCDIC letters, digits and the punctuation names are made of (code pages 037/500/1026 agree
// on these): the obfuscation `b"\x85\xa5\x81\x93".decode("cp1026")` is "eval".
std::string ebcdic(std::string_view in) {
  std::string out;
  for (unsigned char c : in) {
    char o = '?';
    if (c >= 0x81 && c <= 0x89) o = static_cast<char>('a' + (c - 0x81));
    else if (c >= 0x91 && c <= 0x99) o = static_cast<char>('j' + (c - 0x91));
    else if (c >= 0xA2 && c <= 0xA9) o = static_cast<char>('s' + (c - 0xA2));
    else if (c >= 0xC1 && c <= 0xC9) o = static_cast<char>('A' + (c - 0xC1));
    else if (c >= 0xD1 && c <= 0xD9) o = static_cast<char>('J' + (c - 0xD1));
    else if (c >= 0xE2 && c <= 0xE9) o = static_cast<char>('S' + (c - 0xE2));
    else if (c >= 0xF0 && c <= 0xF9) o = static_cast<char>('0' + (c - 0xF0));
    else if (c == 0x40) o = ' ';
    else if (c == 0x4B) o = '.';
    else if (c == 0x4D) o = '(';
    else if (c == 0x5D) o = ')';
    else if (c == 0x6D) o = '_';
    else if (c == 0x7D) o = '\'';
    else if (c == 0x7F) o = '"';
    else if (c == 0x6B) o = ',';
    else if (c == 0x5E) o = ';';
    else if (c == 0x7E) o = '=';
    else if (c == 0x25 || c == 0x15) o = '\n';
    out += o;
  }
  return out;
}

// How many ASCII letters a literal spells as \x.. or octal escapes (text, not bytes, intent).
int escaped_letters(std::string_view lit) {
  int n = 0;
  for (std::size_t i = 0; i + 3 < lit.size(); ++i) {
    if (lit[i] != '\\') continue;
    int v = -1;
    if (lit[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(lit[i + 2])) && std::isxdigit(static_cast<unsigned char>(lit[i + 3]))) {
      v = std::stoi(std::string(lit.substr(i + 2, 2)), nullptr, 16);
    } else if (lit[i + 1] >= '0' && lit[i + 1] <= '3' && lit[i + 2] >= '0' && lit[i + 2] <= '7' && lit[i + 3] >= '0' && lit[i + 3] <= '7') {
      v = (lit[i + 1] - '0') * 64 + (lit[i + 2] - '0') * 8 + (lit[i + 3] - '0');
    }
    if ((v >= 'a' && v <= 'z') || (v >= 'A' && v <= 'Z')) ++n;
    if (lit[i + 1] == '\\') ++i;
  }
  return n;
}

bool is_home_variable(std::string_view k) { return k == "HOME" || k == "USERPROFILE" || k == "APPDATA" || k == "LOCALAPPDATA"; }

int b64_value(char c, bool urlsafe) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == (urlsafe ? '-' : '+')) return 62;
  if (c == (urlsafe ? '_' : '/')) return 63;
  return -1;
}

}  // namespace

std::string fold_identifier(std::string_view id) {
  bool ascii = true;
  for (unsigned char c : id) ascii = ascii && c < 0x80;
  if (ascii) return {};
  std::string out;
  for (std::size_t i = 0; i < id.size();) {
    const auto c = static_cast<unsigned char>(id[i]);
    std::uint32_t cp = 0;
    std::size_t len = 1;
    if (c < 0x80) cp = c;
    else if ((c >> 5) == 6 && i + 1 < id.size()) cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(id[i + 1]) & 0x3Fu), len = 2;
    else if ((c >> 4) == 14 && i + 2 < id.size()) cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(id[i + 1]) & 0x3Fu) << 6) | (static_cast<unsigned char>(id[i + 2]) & 0x3Fu), len = 3;
    else if ((c >> 3) == 30 && i + 3 < id.size()) {
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(id[i + 1]) & 0x3Fu) << 12) | ((static_cast<unsigned char>(id[i + 2]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(id[i + 3]) & 0x3Fu);
      len = 4;
    } else {
      return {};
    }
    i += len;
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp >= 0x1D400 && cp <= 0x1D6A3) {  // mathematical alphanumeric letters, 52 per style
      const std::uint32_t k = (cp - 0x1D400) % 52;
      out += static_cast<char>(k < 26 ? 'A' + k : 'a' + (k - 26));
    } else if (cp >= 0x1D7CE && cp <= 0x1D7FF) {
      out += static_cast<char>('0' + (cp - 0x1D7CE) % 10);
    } else if (cp >= 0xFF21 && cp <= 0xFF3A) {
      out += static_cast<char>('A' + (cp - 0xFF21));
    } else if (cp >= 0xFF41 && cp <= 0xFF5A) {
      out += static_cast<char>('a' + (cp - 0xFF41));
    } else if (cp == 0x017F) {  // long s
      out += 's';
    } else {
      return {};  // another script: a real identifier, not a spoof of an ASCII one
    }
  }
  return out;
}

std::optional<std::string> decode_base64(std::string_view in, bool urlsafe) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t symbols = 0;
  for (char c : in) {
    if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    int v = b64_value(c, urlsafe);
    if (v < 0) v = b64_value(c, !urlsafe);  // Python's b64decode discards non-alphabet characters; be lenient
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    ++symbols;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (symbols == 0 || symbols % 4 == 1) return std::nullopt;
  return out;
}

std::optional<std::string> decode_base32(std::string_view in) {
  std::string out;
  std::uint64_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == ' ') continue;
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a';
    else if (c >= '2' && c <= '7') v = c - '2' + 26;
    if (v < 0) return std::nullopt;
    acc = (acc << 5) | static_cast<std::uint64_t>(v);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out.empty() ? std::nullopt : std::optional<std::string>(out);
}

std::optional<std::string> decode_hex(std::string_view in) {
  std::string out;
  int hi = -1;
  for (char c : in) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) return std::nullopt;
    if (hi < 0) hi = v;
    else {
      out += static_cast<char>(hi * 16 + v);
      hi = -1;
    }
  }
  if (hi >= 0) return std::nullopt;
  return out;
}

std::optional<std::string> decode_base85(std::string_view in, bool ascii85) {
  static constexpr std::string_view kB85 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
  if (ascii85) {
    if (starts_with(in, "<~")) in.remove_prefix(2);
    if (ends_with(in, "~>")) in.remove_suffix(2);
  }
  std::string out;
  std::uint64_t acc = 0;
  int n = 0;
  auto flush = [&](int count) {
    for (int k = count; k < 5; ++k) acc = acc * 85 + 84;
    for (int k = 0; k < count - 1; ++k) out += static_cast<char>((acc >> (24 - 8 * k)) & 0xff);
    acc = 0;
  };
  for (char c : in) {
    if (c == ' ' || c == '\n') continue;
    if (ascii85 && c == 'z' && n == 0) {
      out.append(4, '\0');
      continue;
    }
    int v = -1;
    if (ascii85) v = (c >= '!' && c <= 'u') ? c - '!' : -1;
    else if (auto p = kB85.find(c); p != std::string_view::npos) v = static_cast<int>(p);
    if (v < 0) return std::nullopt;
    acc = acc * 85 + static_cast<std::uint64_t>(v);
    if (++n == 5) {
      for (int k = 0; k < 4; ++k) out += static_cast<char>((acc >> (24 - 8 * k)) & 0xff);
      acc = 0;
      n = 0;
    }
  }
  if (n == 1) return std::nullopt;
  if (n > 0) flush(n);
  return out;
}

std::string rot13(std::string_view in) {
  std::string out(in);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 13) % 26);
    else if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 13) % 26);
  }
  return out;
}

std::optional<std::string> decompress(std::string_view kind, std::string_view in, std::size_t max_out) {
  std::string out;
  std::array<char, 16384> buf{};
  if (kind == "zlib" || kind == "gzip" || kind == "deflate") {
    z_stream z{};
    const int wbits = kind == "deflate" ? -15 : 15 + 32;  // 15+32: zlib or gzip header, detected
    if (inflateInit2(&z, wbits) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = buf.size();
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(buf.data(), buf.size() - z.avail_out);
      if (out.size() > max_out || (rc == Z_BUF_ERROR && z.avail_in == 0)) break;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END || out.size() > max_out) return std::nullopt;
    return out;
  }
  if (kind == "bz2") {
    bz_stream b{};
    if (BZ2_bzDecompressInit(&b, 0, 0) != BZ_OK) return std::nullopt;
    b.next_in = const_cast<char*>(in.data());
    b.avail_in = static_cast<unsigned>(in.size());
    int rc = BZ_OK;
    while (rc == BZ_OK) {
      b.next_out = buf.data();
      b.avail_out = buf.size();
      rc = BZ2_bzDecompress(&b);
      out.append(buf.data(), buf.size() - b.avail_out);
      if (out.size() > max_out || (rc == BZ_OK && b.avail_in == 0 && b.avail_out != 0)) break;
    }
    BZ2_bzDecompressEnd(&b);
    if (rc != BZ_STREAM_END || out.size() > max_out) return std::nullopt;
    return out;
  }
  if (kind == "lzma") {
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_auto_decoder(&s, 256u << 20, 0) != LZMA_OK) return std::nullopt;
    s.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    s.avail_in = in.size();
    lzma_ret rc = LZMA_OK;
    while (rc == LZMA_OK) {
      s.next_out = reinterpret_cast<std::uint8_t*>(buf.data());
      s.avail_out = buf.size();
      rc = lzma_code(&s, LZMA_FINISH);
      out.append(buf.data(), buf.size() - s.avail_out);
      if (out.size() > max_out) break;
    }
    lzma_end(&s);
    if (rc != LZMA_STREAM_END || out.size() > max_out) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

bool ConstEval::spend(std::size_t n) const {
  used_ += static_cast<std::uint32_t>(std::min<std::size_t>(n, 1u << 20));
  return used_ <= budget_.steps;
}

std::optional<CVal> ConstEval::eval(TSNode n) const {
  used_ = 0;
  bound_.clear();
  return ev(n, 0);
}

std::string ConstEval::callee(TSNode func) const {
  used_ = 0;
  bound_.clear();
  if (is(func, "identifier")) {
    const std::string folded = fold_identifier(tree_.text(func));
    if (!folded.empty()) return normalize_ref(folded);
  }
  if (is(func, "identifier") || is(func, "attribute")) {
    // Locals holding a module or function (`m = __import__("os")`, `s = os.system`) first.
    TSNode root = func;
    while (is(root, "attribute")) root = field(root, "object");
    if (is(root, "identifier")) {
      const CVal* local = lookup_ ? lookup_(tree_.text(root)) : nullptr;
      if (local == nullptr || local->kind != Kind::ref) return normalize_ref(names_.qualname(tree_, func));
    }
  }
  auto v = ev(func, 0);
  if (v && v->kind == Kind::ref) return normalize_ref(v->s);
  return normalize_ref(names_.qualname(tree_, func));
}

std::optional<CVal> ConstEval::ev(TSNode n, int depth) const {
  if (ts_node_is_null(n) || depth > budget_.max_depth || !spend()) return std::nullopt;
  switch (py::type_index(n)) {
    case py::type_id("string"):
    case py::type_id("concatenated_string"): {
      const std::string_view t = tree_.text(n);
      if (py::is_fstring(tree_, n)) {
        // f"{a}{b}": every interpolation must be constant.
        std::string out;
        bool decoded = false;
        TSNode piece = is(n, "concatenated_string") ? TSNode{} : n;
        if (ts_node_is_null(piece)) return std::nullopt;
        for (TSNode c : py::named_children(piece)) {
          if (is(c, "string_content")) out += tree_.text(c);
          else if (is(c, "interpolation")) {
            auto v = ev(field(c, "expression"), depth + 1);
            if (!v) return std::nullopt;
            if (v->kind == Kind::integer) out += std::to_string(v->i);
            else if (v->is_text()) out += v->s;
            else return std::nullopt;
            decoded = decoded || v->decoded;
          }
        }
        CVal r = CVal::text(std::move(out));
        r.decoded = decoded;
        return r;
      }
      auto s = py::string_value(tree_, n);
      if (!s) return std::nullopt;
      bool bytes = false;
      for (char ch : t) {
        if (ch == '\'' || ch == '"') break;
        if (ch == 'b' || ch == 'B') bytes = true;
      }
      CVal r = CVal::text(std::move(*s), bytes);
      // Letters spelled as escapes ("\145\166\141\154" is "eval") hide a name from a reader.
      r.decoded = escaped_letters(t) >= 3;
      return r;
    }
    case py::type_id("integer"): {
      auto v = py::literal_int(tree_, n);
      if (!v) return std::nullopt;
      return CVal::integer(*v);
    }
    case py::type_id("true"):
    case py::type_id("false"): {
      CVal c;
      c.kind = Kind::boolean;
      c.i = is(n, "true") ? 1 : 0;
      return c;
    }
    case py::type_id("none"): return CVal{};
    case py::type_id("parenthesized_expression"):
      if (ts_node_named_child_count(n) == 1) return ev(ts_node_named_child(n, 0), depth + 1);
      return std::nullopt;
    case py::type_id("list"):
    case py::type_id("tuple"):
    case py::type_id("expression_list"): {
      CVal c;
      c.kind = Kind::list;
      for (TSNode e : py::named_children(n)) {
        if (is(e, "comment")) continue;
        auto v = ev(e, depth + 1);
        if (!v || !spend()) return std::nullopt;
        c.decoded = c.decoded || v->decoded;
        c.items.push_back(std::move(*v));
      }
      return c;
    }
    case py::type_id("identifier"): {
      const std::string folded = fold_identifier(tree_.text(n));
      if (!folded.empty()) return CVal::ref(normalize_ref(folded));  // 𝚎𝚡𝚎𝚌 is exec to Python
      const std::string_view name = tree_.text(n);
      for (auto it = bound_.rbegin(); it != bound_.rend(); ++it) {
        if (it->first == name) return it->second;
      }
      if (lookup_) {
        if (const CVal* v = lookup_(name)) return *v;
      }
      if (auto lit = names_.literal_string(tree_, n)) return CVal::text(*lit);
      return CVal::ref(normalize_ref(names_.qualname(tree_, n)));
    }
    case py::type_id("attribute"): {
      const std::string attr(tree_.text(field(n, "attribute")));
      auto obj = ev(field(n, "object"), depth + 1);
      if (obj && obj->kind == Kind::ref) return CVal::ref(normalize_ref(obj->s + "." + attr));
      const std::string q = names_.qualname(tree_, n);
      if (!q.empty() && q.front() != '.') return CVal::ref(normalize_ref(q));
      return std::nullopt;
    }
    case py::type_id("subscript"): {
      auto obj = ev(field(n, "value"), depth + 1);
      TSNode sub = field(n, "subscript");
      if (!obj) return std::nullopt;
      if (is(sub, "slice")) {
        if (!obj->is_text() && obj->kind != Kind::list) return std::nullopt;
        // Only [a:b:c] with constant or absent parts.
        long long parts[3] = {0, 0, 1};
        bool given[3] = {false, false, false};
        int idx = 0;
        for (std::uint32_t k = 0; k < ts_node_child_count(sub) && idx < 3; ++k) {
          TSNode c = ts_node_child(sub, k);
          if (!ts_node_is_named(c)) {
            if (tree_.text(c) == ":") ++idx;
            continue;
          }
          auto v = ev(c, depth + 1);
          if (!v || v->kind != Kind::integer) return std::nullopt;
          parts[idx] = v->i;
          given[idx] = true;
        }
        const long long len = obj->is_text() ? static_cast<long long>(obj->s.size()) : static_cast<long long>(obj->items.size());
        const long long step = given[2] ? parts[2] : 1;
        if (step == 0) return std::nullopt;
        auto clamp = [&](long long v, bool g, long long dflt) {
          if (!g) return dflt;
          if (v < 0) v += len;
          return std::clamp(v, step > 0 ? 0LL : -1LL, step > 0 ? len : len - 1);
        };
        long long start = clamp(parts[0], given[0], step > 0 ? 0 : len - 1);
        long long stop = clamp(parts[1], given[1], step > 0 ? len : -1);
        CVal r;
        r.kind = obj->kind;
        r.decoded = obj->decoded || step < 0;  // reversal is an obfuscation step
        for (long long i = start; step > 0 ? i < stop : i > stop; i += step) {
          if (!spend()) return std::nullopt;
          if (obj->is_text()) r.s += obj->s[static_cast<std::size_t>(i)];
          else r.items.push_back(obj->items[static_cast<std::size_t>(i)]);
        }
        return r;
      }
      auto key = ev(sub, depth + 1);
      if (!key) return std::nullopt;
      if (obj->kind == Kind::ref) {
        if (!key->is_text()) return std::nullopt;
        if (obj->s == "sys.modules") return CVal::ref(key->s);
        if (obj->s == "os.environ" && is_home_variable(key->s)) return CVal::text("~");
        if (is_builtins_dict(obj->s) || ends_with(obj->s, ".__dict__")) {
          const std::string base = ends_with(obj->s, ".__dict__") ? obj->s.substr(0, obj->s.size() - 9) : std::string();
          return CVal::ref(normalize_ref(base.empty() || is_builtins_dict(base) ? key->s : base + "." + key->s));
        }
        return std::nullopt;
      }
      if (key->kind == Kind::integer) {
        long long i = key->i;
        const long long len = obj->is_text() ? static_cast<long long>(obj->s.size()) : static_cast<long long>(obj->items.size());
        if (i < 0) i += len;
        if (i < 0 || i >= len) return std::nullopt;
        if (obj->kind == Kind::list) return obj->items[static_cast<std::size_t>(i)];
        if (obj->kind == Kind::bytes) return CVal::integer(static_cast<unsigned char>(obj->s[static_cast<std::size_t>(i)]));
        if (obj->kind == Kind::str) return CVal::text(std::string(1, obj->s[static_cast<std::size_t>(i)]));
      }
      return std::nullopt;
    }
    case py::type_id("binary_operator"): {
      auto a = ev(field(n, "left"), depth + 1);
      if (!a) return std::nullopt;
      auto b = ev(field(n, "right"), depth + 1);
      if (!b) return std::nullopt;
      const std::string_view op = tree_.text(field(n, "operator"));
      const bool dec = a->decoded || b->decoded;
      if (a->kind == Kind::integer && b->kind == Kind::integer) {
        long long r = 0;
        if (op == "+") r = a->i + b->i;
        else if (op == "-") r = a->i - b->i;
        else if (op == "*") r = a->i * b->i;
        else if (op == "^") r = a->i ^ b->i;
        else if (op == "&") r = a->i & b->i;
        else if (op == "|") r = a->i | b->i;
        else if (op == "%" && b->i != 0) r = ((a->i % b->i) + b->i) % b->i;
        else if (op == "//" && b->i != 0) r = a->i / b->i;
        else if (op == "<<" && b->i >= 0 && b->i < 62) r = a->i << b->i;
        else if (op == ">>" && b->i >= 0 && b->i < 62) r = a->i >> b->i;
        else return std::nullopt;
        CVal c = CVal::integer(r);
        c.decoded = dec || op == "^";
        return c;
      }
      if (op == "+" && a->is_text() && b->is_text()) {
        if (a->s.size() + b->s.size() > budget_.max_bytes || !spend(a->s.size() / 64)) return std::nullopt;
        CVal c = CVal::text(a->s + b->s, a->kind == Kind::bytes);
        c.decoded = dec;
        return c;
      }
      if (op == "+" && a->kind == Kind::list && b->kind == Kind::list) {
        CVal c = *a;
        if (!spend(b->items.size())) return std::nullopt;
        c.items.insert(c.items.end(), b->items.begin(), b->items.end());
        c.decoded = dec;
        return c;
      }
      if (op == "*" && a->is_text() && b->kind == Kind::integer && b->i >= 0) {
        if (a->s.size() * static_cast<std::size_t>(b->i) > budget_.max_bytes) return std::nullopt;
        CVal c = CVal::text("", a->kind == Kind::bytes);
        for (long long k = 0; k < b->i; ++k) c.s += a->s;
        return c;
      }
      if (op == "/" && a->is_text() && b->is_text()) {  // pathlib: Path.home() / ".ssh"
        CVal c = CVal::text(a->s.empty() || a->s.back() == '/' ? a->s + b->s : a->s + "/" + b->s);
        c.decoded = dec;
        return c;
      }
      if (op == "%" && a->kind == Kind::str) {
        // "%s%s" % (x, y) with constant parts.
        std::vector<CVal> args;
        if (b->kind == Kind::list) args = b->items;
        else args.push_back(*b);
        std::string out;
        std::size_t k = 0;
        for (std::size_t i = 0; i < a->s.size(); ++i) {
          if (a->s[i] != '%' || i + 1 == a->s.size()) {
            out += a->s[i];
            continue;
          }
          const char f = a->s[++i];
          if (f == '%') out += '%';
          else if ((f == 's' || f == 'd' || f == 'c') && k < args.size()) {
            const CVal& v = args[k++];
            if (f == 'c' && v.kind == Kind::integer) out += static_cast<char>(v.i);
            else if (v.kind == Kind::integer) out += std::to_string(v.i);
            else if (v.is_text()) out += v.s;
            else return std::nullopt;
          } else {
            return std::nullopt;
          }
        }
        if (!fits(out)) return std::nullopt;
        CVal c = CVal::text(std::move(out));
        c.decoded = dec;
        return c;
      }
      return std::nullopt;
    }
    case py::type_id("unary_operator"): {
      auto v = ev(field(n, "argument"), depth + 1);
      if (!v || v->kind != Kind::integer) return std::nullopt;
      const std::string_view op = tree_.text(field(n, "operator"));
      if (op == "-") v->i = -v->i;
      else if (op == "~") v->i = ~v->i;
      else if (op != "+") return std::nullopt;
      return v;
    }
    case py::type_id("call"): return ev_call(n, depth);
    case py::type_id("generator_expression"):
    case py::type_id("list_comprehension"): return ev_comprehension(n, depth);
    default: return std::nullopt;
  }
}

std::optional<std::vector<CVal>> ConstEval::ev_iterable(TSNode n, int depth) const {
  auto v = ev(n, depth + 1);
  if (!v) return std::nullopt;
  if (v->kind == Kind::list) return v->items;
  if (v->kind == Kind::str) {
    std::vector<CVal> out;
    for (char ch : v->s) out.push_back(CVal::text(std::string(1, ch)));
    if (!spend(out.size())) return std::nullopt;
    return out;
  }
  if (v->kind == Kind::bytes) {
    std::vector<CVal> out;
    for (char ch : v->s) out.push_back(CVal::integer(static_cast<unsigned char>(ch)));
    if (!spend(out.size())) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

// [f(x) for x in <constant>] with one for-clause and no condition: chr/xor decoding loops.
std::optional<CVal> ConstEval::ev_comprehension(TSNode n, int depth) const {
  TSNode body = field(n, "body");
  TSNode clause{};
  for (TSNode c : py::named_children(n)) {
    if (is(c, "for_in_clause")) {
      if (!ts_node_is_null(clause)) return std::nullopt;
      clause = c;
    } else if (is(c, "if_clause")) {
      return std::nullopt;
    }
  }
  if (ts_node_is_null(clause) || ts_node_is_null(body)) return std::nullopt;
  TSNode var = field(clause, "left");
  if (!is(var, "identifier")) return std::nullopt;
  auto items = ev_iterable(field(clause, "right"), depth);
  if (!items) return std::nullopt;
  CVal out;
  out.kind = Kind::list;
  const std::string name(tree_.text(var));
  for (auto& item : *items) {
    if (!spend()) return std::nullopt;
    bound_.emplace_back(name, std::move(item));
    auto v = ev(body, depth + 1);
    bound_.pop_back();
    if (!v) return std::nullopt;
    out.decoded = out.decoded || v->decoded;
    out.items.push_back(std::move(*v));
  }
  return out;
}

std::optional<CVal> ConstEval::ev_call(TSNode n, int depth) const {
  TSNode func = field(n, "function");
  TSNode args = field(n, "arguments");
  if (is(func, "attribute")) {
    // Methods of constants: "".join(...), s.decode(), b"...".hex(), "x".replace(a, b).
    TSNode obj = field(func, "object");
    auto self = ev(obj, depth + 1);
    if (self && self->kind != Kind::ref) return ev_method(*self, tree_.text(field(func, "attribute")), args, depth);
    if (self && self->kind == Kind::ref) return ev_builtin(self->s + "." + std::string(tree_.text(field(func, "attribute"))), n, args, depth);
    return std::nullopt;
  }
  auto f = ev(func, depth + 1);
  if (!f || f->kind != Kind::ref) return std::nullopt;
  return ev_builtin(normalize_ref(f->s), n, args, depth);
}

std::optional<CVal> ConstEval::ev_method(const CVal& self, std::string_view m, TSNode args, int depth) const {
  std::vector<TSNode> pos;
  for (TSNode a : py::named_children(args)) {
    if (is(a, "keyword_argument") || is(a, "comment")) continue;
    pos.push_back(a);
  }
  auto arg = [&](std::size_t i) { return i < pos.size() ? ev(pos[i], depth + 1) : std::nullopt; };
  if (self.is_text()) {
    if (m == "join" && pos.size() == 1) {
      auto items = ev_iterable(pos[0], depth);
      if (!items) return std::nullopt;
      std::string out;
      bool dec = self.decoded;
      for (const auto& it : *items) {
        if (!it.is_text()) return std::nullopt;
        if (!out.empty() && !self.s.empty()) out += self.s;
        out += it.s;
        dec = dec || it.decoded;
        if (!fits(out)) return std::nullopt;
      }
      CVal r = CVal::text(std::move(out), self.kind == Kind::bytes);
      r.decoded = dec;
      return r;
    }
    if (m == "decode" || m == "encode") {
      // Text codecs are identity here; "rot13"/"hex"/"base64" codecs decode.
      auto codec = arg(0);
      CVal r = self;
      r.kind = m == "decode" ? Kind::str : Kind::bytes;
      if (codec && codec->is_text()) {
        const std::string c = to_lower(codec->s);
        if (c == "rot13" || c == "rot_13") r.s = rot13(self.s), r.decoded = true;
        else if (m == "decode" && (c == "cp1026" || c == "cp500" || c == "cp037" || c == "cp1140" || c == "cp273")) {
          r.s = ebcdic(self.s), r.decoded = true;
        } else if (c == "hex" && m == "decode") {
          auto d = decode_hex(self.s);
          if (!d) return std::nullopt;
          r.s = *d, r.decoded = true;
        } else if (c == "base64" && m == "decode") {
          auto d = decode_base64(self.s);
          if (!d) return std::nullopt;
          r.s = *d, r.decoded = true;
        }
      }
      return r;
    }
    if (m == "replace" && pos.size() >= 2) {
      auto a = arg(0), b = arg(1);
      if (!a || !b || !a->is_text() || !b->is_text() || a->s.empty()) return std::nullopt;
      std::string out;
      for (std::size_t i = 0; i < self.s.size();) {
        if (self.s.compare(i, a->s.size(), a->s) == 0) {
          out += b->s;
          i += a->s.size();
        } else {
          out += self.s[i++];
        }
        if (!fits(out)) return std::nullopt;
      }
      CVal r = CVal::text(std::move(out), self.kind == Kind::bytes);
      r.decoded = self.decoded || a->decoded || b->decoded;
      return r;
    }
    if (m == "upper" || m == "lower" || m == "strip" || m == "lstrip" || m == "rstrip" || m == "title") {
      CVal r = self;
      if (m == "upper") for (auto& c : r.s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      else if (m == "lower") r.s = to_lower(r.s);
      else if (m != "title") r.s = std::string(m == "lstrip" ? std::string_view(r.s).substr(r.s.find_first_not_of(" \t\n\r") == std::string::npos ? r.s.size() : r.s.find_first_not_of(" \t\n\r")) : trim(r.s));
      return r;
    }
    if (m == "split") {
      auto sep = arg(0);
      CVal r;
      r.kind = Kind::list;
      r.decoded = self.decoded;
      if (sep && sep->is_text() && !sep->s.empty()) {
        for (auto piece : split(self.s, sep->s.size() == 1 ? sep->s[0] : '\0')) r.items.push_back(CVal::text(std::string(piece)));
      } else {
        std::string cur;
        for (char c : self.s) {
          if (c == ' ' || c == '\n' || c == '\t') {
            if (!cur.empty()) r.items.push_back(CVal::text(cur)), cur.clear();
          } else {
            cur += c;
          }
        }
        if (!cur.empty()) r.items.push_back(CVal::text(cur));
      }
      if (!spend(r.items.size())) return std::nullopt;
      return r;
    }
    if (m == "format") {
      std::string out;
      std::size_t k = 0;
      for (std::size_t i = 0; i < self.s.size(); ++i) {
        if (self.s[i] == '{' && i + 1 < self.s.size() && self.s[i + 1] == '}') {
          auto v = arg(k++);
          if (!v) return std::nullopt;
          if (v->kind == Kind::integer) out += std::to_string(v->i);
          else if (v->is_text()) out += v->s;
          else return std::nullopt;
          ++i;
        } else {
          out += self.s[i];
        }
      }
      if (!fits(out)) return std::nullopt;
      return CVal::text(std::move(out));
    }
    if (m == "expanduser" || m == "resolve" || m == "absolute" || m == "as_posix" || m == "expandvars") return self;
    if (m == "joinpath") {
      CVal r = self;
      for (std::size_t i = 0; i < pos.size(); ++i) {
        auto v = arg(i);
        if (!v || !v->is_text()) return std::nullopt;
        r.s += (r.s.empty() || r.s.back() == '/' ? "" : "/") + v->s;
      }
      return r;
    }
    if (m == "hex" && self.kind == Kind::bytes) {
      static const char* h = "0123456789abcdef";
      std::string out;
      for (unsigned char c : self.s) out += h[c >> 4], out += h[c & 15];
      return CVal::text(std::move(out));
    }
  }
  return std::nullopt;
}

std::optional<CVal> ConstEval::ev_builtin(std::string_view fn, TSNode call, TSNode args, int depth) const {
  (void)call;
  std::vector<TSNode> pos;
  for (TSNode a : py::named_children(args)) {
    if (is(a, "keyword_argument") || is(a, "comment")) continue;
    pos.push_back(a);
  }
  auto arg = [&](std::size_t i) { return i < pos.size() ? ev(pos[i], depth + 1) : std::nullopt; };
  auto text_arg = [&](std::size_t i) -> std::optional<CVal> {
    auto v = arg(i);
    if (!v || !v->is_text()) return std::nullopt;
    return v;
  };
  auto decoded = [](std::string s, bool bytes = true) {
    CVal r = CVal::text(std::move(s), bytes);
    r.decoded = true;
    return r;
  };
  // Imports and attribute lookups by name.
  if (fn == "__import__" || fn == "importlib.import_module" || fn == "importlib.__import__") {
    auto name = text_arg(0);
    if (!name) return std::nullopt;
    return CVal::ref(name->s);
  }
  if (ends_with(fn, ".__getattribute__") && !pos.empty()) {
    auto name = text_arg(0);
    if (!name) return std::nullopt;
    const std::string base(fn.substr(0, fn.size() - 17));
    return CVal::ref(normalize_ref(is_builtins_dict(base) ? name->s : base + "." + name->s));
  }
  if (fn == "getattr" && pos.size() >= 2) {
    auto obj = arg(0);
    auto name = text_arg(1);
    if (!obj || !name || obj->kind != Kind::ref) return std::nullopt;
    return CVal::ref(normalize_ref(is_builtins_dict(obj->s) ? name->s : obj->s + "." + name->s));
  }
  // operator.attrgetter("system")(os) is os.system; methodcaller("system", cmd)(os) calls it (the
  // builder resolves the object from the outer call).
  if ((fn == "operator.attrgetter" || fn == "operator.methodcaller") && !pos.empty()) {
    auto name = text_arg(0);
    if (!name) return std::nullopt;
    return CVal::ref(std::string(fn == "operator.attrgetter" ? kGetterTag : kCallerTag) + name->s);
  }
  if (starts_with(fn, kGetterTag) && !pos.empty()) {
    auto obj = arg(0);
    if (!obj || obj->kind != Kind::ref) return std::nullopt;
    const std::string name(fn.substr(kGetterTag.size()));
    return CVal::ref(normalize_ref(is_builtins_dict(obj->s) ? name : obj->s + "." + name));
  }
  if (fn == "globals" || fn == "locals") return CVal::ref(std::string(fn) + "()");
  if (fn == "vars") {
    if (pos.empty()) return CVal::ref("vars()");
    auto obj = arg(0);
    if (obj && obj->kind == Kind::ref) return CVal::ref(obj->s + ".__dict__");
    return std::nullopt;
  }
  if ((ends_with(fn, ".__dict__.get") || fn == "globals().get" || fn == "locals().get" || fn == "vars().get" || fn == "__builtins__.get") &&
      !pos.empty()) {
    auto name = text_arg(0);
    if (!name) return std::nullopt;
    std::string base(fn.substr(0, fn.size() - 4));
    if (ends_with(base, ".__dict__")) base.resize(base.size() - 9);
    return CVal::ref(normalize_ref(is_builtins_dict(base) ? name->s : base + "." + name->s));
  }
  const std::string normalized = normalize_ref(std::string(fn));
  if (normalized != fn) return ev_builtin(normalized, call, args, depth);
  // Characters and bytes.
  if (fn == "chr") {
    auto v = arg(0);
    if (!v || v->kind != Kind::integer || v->i < 0 || v->i > 0x10FFFF) return std::nullopt;
    std::string s;
    if (v->i < 0x80) s += static_cast<char>(v->i);
    else if (v->i < 0x800) s += static_cast<char>(0xC0 | (v->i >> 6)), s += static_cast<char>(0x80 | (v->i & 0x3F));
    else s += '?';
    CVal r = CVal::text(std::move(s));
    r.decoded = true;
    return r;
  }
  if (fn == "ord") {
    auto v = text_arg(0);
    if (!v || v->s.empty()) return std::nullopt;
    CVal r = CVal::integer(static_cast<unsigned char>(v->s[0]));
    r.decoded = v->decoded;
    return r;
  }
  if (fn == "str" || fn == "bytes" || fn == "bytearray") {
    auto v = arg(0);
    if (!v) return pos.empty() ? std::optional<CVal>(CVal::text("", fn != "str")) : std::nullopt;
    if (v->is_text()) {
      CVal r = *v;
      r.kind = fn == "str" ? Kind::str : Kind::bytes;
      return r;
    }
    if (v->kind == Kind::integer && fn == "str") return CVal::text(std::to_string(v->i));
    if (v->kind == Kind::list && fn != "str") {
      std::string s;
      for (const auto& it : v->items) {
        if (it.kind != Kind::integer) return std::nullopt;
        s += static_cast<char>(it.i & 0xff);
      }
      CVal r = CVal::text(std::move(s), true);
      r.decoded = true;
      return r;
    }
    return std::nullopt;
  }
  if (fn == "list" || fn == "tuple" || fn == "reversed" || fn == "sorted") {
    auto items = pos.empty() ? std::optional<std::vector<CVal>>(std::vector<CVal>{}) : ev_iterable(pos[0], depth);
    if (!items) return std::nullopt;
    CVal r;
    r.kind = Kind::list;
    r.items = std::move(*items);
    if (fn == "reversed") std::reverse(r.items.begin(), r.items.end()), r.decoded = true;
    return r;
  }
  if (fn == "map" && pos.size() == 2) {
    auto items = ev_iterable(pos[1], depth);
    if (!items) return std::nullopt;
    CVal r;
    r.kind = Kind::list;
    r.decoded = true;
    TSNode f = pos[0];
    for (auto& it : *items) {
      if (!spend()) return std::nullopt;
      std::optional<CVal> v;
      if (is(f, "lambda")) {
        TSNode params = field(f, "parameters");
        if (ts_node_is_null(params) || ts_node_named_child_count(params) != 1) return std::nullopt;
        bound_.emplace_back(std::string(tree_.text(ts_node_named_child(params, 0))), it);
        v = ev(field(f, "body"), depth + 1);
        bound_.pop_back();
      } else {
        const std::string name = normalize_ref(names_.qualname(tree_, f));
        if (name == "chr" && it.kind == Kind::integer && it.i >= 0 && it.i < 0x80) v = CVal::text(std::string(1, static_cast<char>(it.i)));
        else if (name == "str" && it.kind == Kind::integer) v = CVal::text(std::to_string(it.i));
        else if (name == "ord" && it.is_text() && !it.s.empty()) v = CVal::integer(static_cast<unsigned char>(it.s[0]));
      }
      if (!v) return std::nullopt;
      r.items.push_back(std::move(*v));
    }
    return r;
  }
  // Decoders.
  if (fn == "bytes.fromhex" || fn == "bytearray.fromhex" || fn == "binascii.unhexlify" || fn == "binascii.a2b_hex" ||
      fn == "base64.b16decode" || fn == "unhexlify") {
    auto v = text_arg(0);
    if (!v) return std::nullopt;
    auto d = decode_hex(v->s);
    if (!d) return std::nullopt;
    return decoded(std::move(*d));
  }
  if (fn == "base64.b64decode" || fn == "base64.decodebytes" || fn == "base64.decodestring" || fn == "base64.standard_b64decode" ||
      fn == "binascii.a2b_base64" || fn == "b64decode" || fn == "base64.urlsafe_b64decode" || fn == "urlsafe_b64decode") {
    auto v = text_arg(0);
    if (!v) return std::nullopt;
    auto d = decode_base64(v->s, fn.find("urlsafe") != std::string_view::npos);
    if (!d) return std::nullopt;
    return decoded(std::move(*d));
  }
  if (fn == "base64.b32decode" || fn == "b32decode") {
    auto v = text_arg(0);
    if (!v) return std::nullopt;
    auto d = decode_base32(v->s);
    if (!d) return std::nullopt;
    return decoded(std::move(*d));
  }
  if (fn == "base64.b85decode" || fn == "base64.a85decode") {
    auto v = text_arg(0);
    if (!v) return std::nullopt;
    auto d = decode_base85(v->s, fn == "base64.a85decode");
    if (!d) return std::nullopt;
    return decoded(std::move(*d));
  }
  if (fn == "codecs.decode" || fn == "codecs.encode") {
    auto v = text_arg(0);
    auto codec = text_arg(1);
    if (!v) return std::nullopt;
    const std::string c = codec ? to_lower(codec->s) : "utf-8";
    if (c == "rot13" || c == "rot_13") return decoded(rot13(v->s), false);
    if (fn == "codecs.decode" && (c == "hex" || c == "hex_codec")) {
      auto d = decode_hex(v->s);
      if (!d) return std::nullopt;
      return decoded(std::move(*d));
    }
    if (fn == "codecs.decode" && (c == "base64" || c == "base64_codec")) {
      auto d = decode_base64(v->s);
      if (!d) return std::nullopt;
      return decoded(std::move(*d));
    }
    if (fn == "codecs.decode" && (c == "zlib" || c == "zlib_codec" || c == "bz2" || c == "bz2_codec")) {
      auto d = decompress(c.substr(0, c.find('_')) == "zlib" ? "zlib" : "bz2", v->s, budget_.max_bytes);
      if (!d) return std::nullopt;
      return decoded(std::move(*d));
    }
    CVal r = *v;
    r.kind = fn == "codecs.decode" ? Kind::str : Kind::bytes;
    return r;
  }
  if (fn == "zlib.decompress" || fn == "gzip.decompress" || fn == "bz2.decompress" || fn == "lzma.decompress") {
    auto v = text_arg(0);
    if (!v) return std::nullopt;
    const std::string_view kind = fn == "bz2.decompress" ? "bz2" : fn == "lzma.decompress" ? "lzma" : "zlib";
    auto d = decompress(kind, v->s, budget_.max_bytes);
    if (!d && kind == "zlib") d = decompress("deflate", v->s, budget_.max_bytes);
    if (!d) return std::nullopt;
    return decoded(std::move(*d));
  }
  // Paths (so the class of a file a write or read touches is known).
  if (fn == "os.path.expanduser" || fn == "os.path.expandvars" || fn == "os.path.abspath" || fn == "os.path.realpath" ||
      fn == "os.path.normpath" || fn == "pathlib.Path" || fn == "Path" || fn == "pathlib.PosixPath" || fn == "os.fspath") {
    if (pos.empty()) return CVal::text(".");
    auto v = text_arg(0);
    if (!v) return std::nullopt;
    CVal r = *v;
    r.kind = Kind::str;
    for (std::size_t i = 1; i < pos.size(); ++i) {
      auto more = text_arg(i);
      if (!more) return std::nullopt;
      r.s += "/" + more->s;
    }
    return r;
  }
  if (fn == "os.path.join" || fn == "posixpath.join") {
    std::string out;
    bool dec = false;
    for (std::size_t i = 0; i < pos.size(); ++i) {
      auto v = text_arg(i);
      if (!v) return std::nullopt;
      dec = dec || v->decoded;
      if (!v->s.empty() && v->s.front() == '/') out = v->s;
      else out += (out.empty() || out.back() == '/' ? "" : "/") + v->s;
    }
    CVal r = CVal::text(std::move(out));
    r.decoded = dec;
    return r;
  }
  if ((fn == "os.environ.get" || fn == "os.getenv") && !pos.empty()) {
    auto key = text_arg(0);
    if (key && is_home_variable(key->s)) return CVal::text("~");
    return std::nullopt;
  }
  if (fn == "site.getsitepackages") {
    CVal r;
    r.kind = Kind::list;
    r.items.push_back(CVal::text("<site-packages>"));
    return r;
  }
  if (fn == "site.getusersitepackages" || fn == "sysconfig.get_path" || fn == "distutils.sysconfig.get_python_lib") return CVal::text("<site-packages>");
  if (fn == "tempfile.gettempdir" || fn == "tempfile.gettempprefix") return CVal::text("/tmp");
  if (fn == "pathlib.Path.home" || fn == "Path.home" || fn == "os.path.expanduser.home") return CVal::text("~");
  if (fn == "os.getcwd") return CVal::text(".");
  return std::nullopt;
}

}  // namespace mg::behaviour
