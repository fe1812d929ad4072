// Partial evaluation of constant Python expressions, bounded in steps and bytes, so that names a
// file computes resolve to what they are: `getattr(__import__("".join(map(chr, [111, 115]))),
// "sy" + "stem")` is os.system, `base64.b64decode("Y3VybA==")` is b"curl". Decoders (base64,
// hex, rot13, zlib/bz2/lzma/gzip, chr/join, reversal, xor comprehensions) are run on constants;
// their results are marked `decoded`. Nothing here executes code: it is an interpreter for a
// small, side-effect-free subset.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "python/module_index.hpp"
#include "python/tree.hpp"

namespace mg::behaviour {

// Refs to what operator.attrgetter(name) / operator.methodcaller(name, ...) return: the name,
// waiting for the object they are applied to.
inline constexpr std::string_view kGetterTag = "\x01attrgetter.";
inline constexpr std::string_view kCallerTag = "\x01methodcaller.";

// `builtins.eval`, `__builtins__.eval`, `posix.system`, `f.__call__`: the name Python would call.
std::string normalize_ref(std::string s);


struct CVal {
  enum class Kind : std::uint8_t { str, bytes, integer, boolean, none, list, ref };
  Kind kind = Kind::none;
  std::string s;  // str/bytes content; ref: a dotted importable name ("os", "os.system", "eval")
  long long i = 0;
  std::vector<CVal> items;  // list / tuple
  bool decoded = false;     // a decoder or an obfuscation step produced it

  bool is_text() const { return kind == Kind::str || kind == Kind::bytes; }
  static CVal text(std::string v, bool bytes = false) {
    CVal c;
    c.kind = bytes ? Kind::bytes : Kind::str;
    c.s = std::move(v);
    return c;
  }
  static CVal ref(std::string v) {
    CVal c;
    c.kind = Kind::ref;
    c.s = std::move(v);
    return c;
  }
  static CVal integer(long long v) {
    CVal c;
    c.kind = Kind::integer;
    c.i = v;
    return c;
  }
};

struct EvalBudget {
  std::uint32_t steps = 20000;          // nodes and items visited per top-level expression
  std::size_t max_bytes = 4u << 20;     // largest string or bytes value produced
  int max_depth = 48;                   // expression nesting followed
};

// Looks a local name up: the evaluator's caller keeps the scopes' constant environments.
using NameLookup = std::function<const CVal*(std::string_view)>;

class ConstEval {
 public:
  ConstEval(const py::Tree& tree, const py::NameTable& names, NameLookup lookup) : tree_(tree), names_(names), lookup_(std::move(lookup)) {}

  // The constant value of `n`, or nullopt. Each call gets a fresh budget.
  std::optional<CVal> eval(TSNode n) const;
  // What a callee expression names, through aliases and computed forms ("" when unknown):
  // `os.system`, `getattr(os, "sys"+"tem")`, `__import__("os").system`, `sys.modules["os"].system`,
  // `__builtins__.__dict__["exec"]`, `vars(builtins)["eval"]`.
  std::string callee(TSNode func) const;

 private:
  std::optional<CVal> ev(TSNode n, int depth) const;
  std::optional<CVal> ev_call(TSNode n, int depth) const;
  std::optional<CVal> ev_method(const CVal& self, std::string_view method, TSNode args, int depth) const;
  std::optional<CVal> ev_builtin(std::string_view fn, TSNode call, TSNode args, int depth) const;
  std::optional<CVal> ev_comprehension(TSNode n, int depth) const;
  std::optional<std::vector<CVal>> ev_iterable(TSNode n, int depth) const;
  bool spend(std::size_t n = 1) const;
  bool fits(const std::string& s) const { return s.size() <= budget_.max_bytes; }

  const py::Tree& tree_;
  const py::NameTable& names_;
  NameLookup lookup_;
  EvalBudget budget_;
  mutable std::uint32_t used_ = 0;
  mutable std::vector<std::pair<std::string, CVal>> bound_;  // comprehension variables
};

// An identifier written in look-alike Unicode (mathematical alphanumerics, fullwidth letters) as
// Python's NFKC normalisation reads it ("𝚎𝚡𝚎𝚌" is "exec"); "" for ASCII or other scripts.
std::string fold_identifier(std::string_view id);

// Decoders shared with the model builder: each returns nullopt when the input does not decode.
std::optional<std::string> decode_base64(std::string_view in, bool urlsafe = false);
std::optional<std::string> decode_base32(std::string_view in);
std::optional<std::string> decode_hex(std::string_view in);
std::optional<std::string> decode_base85(std::string_view in, bool ascii85);
std::string rot13(std::string_view in);
// zlib/gzip/raw deflate, bz2 or xz/lzma by `kind`, output bounded by `max_out`.
std::optional<std::string> decompress(std::string_view kind, std::string_view in, std::size_t max_out);

}  // namespace mg::behaviour
