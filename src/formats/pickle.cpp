#include "formats/pickle.hpp"

#include <chrono>
#include <charconv>
#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>

#include "formats/pickle_policy.hpp"

namespace mg::pickle {

namespace {

enum class K : std::uint8_t {
  none, boolean, integer, bigint, floating, str, bytes, tuple, list, dict, set, frozenset,
  global, call, persid, ext, unknown, buffer,
};

constexpr std::uint32_t kNoNode = 0xFFFFFFFFu;

struct Node {
  K kind = K::unknown;
  std::uint32_t a = kNoNode;      // global: index in globals; call: callee; containers: kids index
  std::uint32_t b = kNoNode;      // call: args
  std::uint32_t state = kNoNode;  // call: BUILD state applied to the result
  std::int64_t i = 0;             // integer value; call: kwargs node (NEWOBJ_EX) or op
  std::string_view s;             // str / bytes / bigint text / unknown description
  std::uint64_t offset = 0;
};

std::uint64_t rd_le(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int k = n - 1; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}

bool is_ident_char(std::uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// Opcode argument layout, for the decoder and the cheap probe.
enum class Arg : std::uint8_t { none, u1, u2, u4, u8, line, two_lines, len1, len4, len8, len4_signed, invalid };

Arg arg_of(std::uint8_t op) {
  switch (op) {
    case '(': case '.': case '0': case '1': case '2': case 'N': case 'Q': case 'R': case 'a': case 'b':
    case 'd': case '}': case 'e': case 'l': case ']': case 'o': case 's': case 't': case ')': case 'u':
    case 0x81: case 0x85: case 0x86: case 0x87: case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91:
    case 0x92: case 0x93: case 0x94: case 0x97: case 0x98:
      return Arg::none;
    case 'F': case 'I': case 'L': case 'P': case 'S': case 'V': case 'g': case 'p':
      return Arg::line;
    case 'c': case 'i':
      return Arg::two_lines;
    case 'J': case 'j': case 'r': case 0x84: return Arg::u4;
    case 'K': case 'h': case 'q': case 0x80: case 0x82: return Arg::u1;
    case 'M': case 0x83: return Arg::u2;
    case 'G': case 0x95: return Arg::u8;
    case 'T': return Arg::len4_signed;
    case 'U': case 'C': case 0x8a: case 0x8c: return Arg::len1;
    case 'X': case 'B': case 0x8b: return Arg::len4;
    case 0x8d: case 0x8e: case 0x96: return Arg::len8;
    default: return Arg::invalid;
  }
}

bool is_proto_magic(std::span<const std::uint8_t> d) { return d.size() >= 2 && d[0] == 0x80 && d[1] <= 5; }

// Working memory of one VM depth, kept per thread so that scanning many pickles does not pay for
// fresh allocations (and their page faults) every time.
struct Scratch {
  std::vector<Node> nodes;
  std::vector<std::vector<std::uint32_t>> kids;
  std::vector<std::uint32_t> tuple_items;
  std::vector<std::uint32_t> dense_memo;
  std::vector<std::uint32_t> stack;
  std::vector<std::size_t> marks;

  void release_if_large() {
    if (nodes.capacity() > (1u << 20)) std::vector<Node>().swap(nodes);
    if (tuple_items.capacity() > (4u << 20)) std::vector<std::uint32_t>().swap(tuple_items);
    if (dense_memo.capacity() > (1u << 20)) std::vector<std::uint32_t>().swap(dense_memo);
    if (stack.capacity() > (1u << 20)) std::vector<std::uint32_t>().swap(stack);
    if (marks.capacity() > (1u << 20)) std::vector<std::size_t>().swap(marks);
    kids.clear();
  }
};

Scratch& scratch_for(std::uint32_t depth) {
  thread_local std::vector<std::unique_ptr<Scratch>> per_depth;
  while (per_depth.size() <= depth) per_depth.push_back(std::make_unique<Scratch>());
  return *per_depth[depth];
}

class Vm {
 public:
  Vm(std::span<const std::uint8_t> data, const PickleLimits& limits, PickleReport& report, std::uint64_t base,
     std::uint32_t depth, std::uint64_t& opcode_budget,
     std::chrono::steady_clock::time_point deadline)
      : d_(data), lim_(limits), rep_(report), base_(base), depth_(depth), budget_(opcode_budget),
        deadline_(deadline), sc_(scratch_for(depth)) {}
  ~Vm() { sc_.release_if_large(); }
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Runs streams from `start`; returns the offset just past the last STOP.
  void run_all() {
    std::size_t pos = 0;
    while (pos < d_.size()) {
      if (rep_.streams >= lim_.max_streams) {
        fail(pos, "too many concatenated pickle streams");
        return;
      }
      if (lim_.max_stacked && stacked_ >= lim_.max_stacked) break;
      // A later stretch that does not even start like a pickle is trailing data, not a stream.
      if (stacked_ > 0 && !is_proto_magic(d_.subspan(pos)) && !looks_like_pickle(d_.subspan(pos), 4096)) break;
      const std::size_t end = run_stream(pos);
      if (end == 0) return;  // error already recorded
      pos = end;
      ++stacked_;
      rep_.end_offset = base_ + pos;
    }
    if (pos < d_.size() && (lim_.max_stacked == 0 || stacked_ < lim_.max_stacked)) {
      rep_.trailing_bytes = d_.size() - pos;
    }
  }

  std::size_t stream_end() const { return stream_end_; }

  // Runs one stream from `pos`; returns the offset past STOP, or 0 on a decode error.
  std::size_t run_stream(std::size_t pos);

 private:
  // ---- errors and anomalies ----
  void fail(std::size_t pos, std::string reason) {
    if (rep_.complete) {
      rep_.complete = false;
      rep_.incomplete_reason = std::move(reason);
      rep_.error_offset = base_ + pos;
    }
  }
  void anomaly(AnomalyKind k, std::size_t pos, std::string detail) {
    if (rep_.anomalies.size() >= 1000) return;
    rep_.anomalies.push_back({k, base_ + pos, std::move(detail)});
  }

  // ---- nodes ----
  std::uint32_t add(Node n) {
    if (nodes_.size() >= lim_.max_nodes) {
      over_ = true;
      return unknown_node();
    }
    nodes_.push_back(n);
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }
  std::uint32_t unknown_node() {
    // Node 0 is a shared "unknown" placeholder, created at stream start.
    return 0;
  }
  // Tuples never change after creation: their items live in one flat arena (no allocation each).
  std::uint32_t add_container(K kind, const std::uint32_t* first, std::size_t count, std::size_t pos) {
    Node n;
    n.kind = kind;
    n.offset = pos;
    if (kind == K::tuple) {
      n.a = static_cast<std::uint32_t>(tuple_items_.size());
      n.b = static_cast<std::uint32_t>(count);
      tuple_items_.insert(tuple_items_.end(), first, first + count);
    } else {
      kids_.emplace_back(first, first + count);
      n.a = static_cast<std::uint32_t>(kids_.size() - 1);
    }
    return add(n);
  }
  std::uint32_t add_container(K kind, const std::vector<std::uint32_t>& items, std::size_t pos) {
    return add_container(kind, items.data(), items.size(), pos);
  }
  // Pops everything above the last MARK (and the mark) into a new container.
  std::uint32_t container_from_mark(K kind, std::size_t pos) {
    std::size_t from = 0;
    if (marks_.empty()) underflow(pos);
    else {
      from = marks_.back();
      marks_.pop_back();
    }
    const std::uint32_t id = add_container(kind, stack_.data() + from, stack_.size() - from, pos);
    stack_.resize(from);
    return id;
  }
  std::optional<std::span<const std::uint32_t>> kids_of(std::uint32_t id) const {
    if (id >= nodes_.size()) return std::nullopt;
    const Node& n = nodes_[id];
    if (n.kind == K::tuple) return std::span<const std::uint32_t>(tuple_items_.data() + n.a, n.b);
    if ((n.kind == K::list || n.kind == K::dict || n.kind == K::set || n.kind == K::frozenset) && n.a < kids_.size()) {
      return std::span<const std::uint32_t>(kids_[n.a]);
    }
    return std::nullopt;
  }
  std::vector<std::uint32_t>* mutable_kids(std::uint32_t id, K kind) {
    if (id >= nodes_.size() || nodes_[id].kind != kind || nodes_[id].a >= kids_.size()) return nullptr;
    auto* v = &kids_[nodes_[id].a];
    return v->size() < lim_.max_nodes ? v : nullptr;
  }
  std::string_view keep(std::string s) {
    pool_bytes_ += s.size();
    pool_.push_back(std::move(s));
    return pool_.back();
  }

  // ---- stack ----
  std::size_t base() const { return marks_.empty() ? 0 : marks_.back(); }
  std::uint32_t pop(std::size_t pos) {
    if (stack_.size() <= base()) {
      underflow(pos);
      return unknown_node();
    }
    const auto v = stack_.back();
    stack_.pop_back();
    return v;
  }
  std::uint32_t top(std::size_t pos) {
    if (stack_.size() <= base()) {
      underflow(pos);
      push(unknown_node());
    }
    return stack_.back();
  }
  void push(std::uint32_t v) {
    if (stack_.size() + marks_.size() >= lim_.max_stack) {
      over_ = true;
      return;
    }
    stack_.push_back(v);
  }
  std::vector<std::uint32_t> pop_mark(std::size_t pos) {
    if (marks_.empty()) {
      underflow(pos);
      std::vector<std::uint32_t> all(stack_.begin(), stack_.end());
      stack_.clear();
      return all;
    }
    const std::size_t m = marks_.back();
    marks_.pop_back();
    std::vector<std::uint32_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
    stack_.resize(m);
    return items;
  }
  void underflow(std::size_t pos) {
    if (!underflow_seen_) {
      underflow_seen_ = true;
      anomaly(AnomalyKind::stack_underflow, pos,
              "an opcode pops more values than the stream pushed: CPython refuses the stream here, after "
              "running what came before it; scanners that read on see opcodes no loader runs");
    }
  }

  // ---- memo: dense for the small keys picklers write, a map for the rest ----
  static constexpr std::uint64_t kDenseMemo = 1u << 22;
  bool memo_put(std::uint64_t idx, std::uint32_t v) {
    if (idx < kDenseMemo) {
      if (idx >= dense_memo_.size()) dense_memo_.resize(static_cast<std::size_t>(idx) + 1 + dense_memo_.size() / 2, kNoNode);
      if (dense_memo_[idx] == kNoNode) {
        if (memo_size_ >= lim_.max_memo) return false;
        ++memo_size_;
      }
      dense_memo_[idx] = v;
      return true;
    }
    auto [it, inserted] = memo_.try_emplace(idx, v);
    if (inserted) {
      if (memo_size_ >= lim_.max_memo) {
        memo_.erase(it);
        return false;
      }
      ++memo_size_;
    } else {
      it->second = v;
    }
    return true;
  }
  std::uint32_t memo_get(std::uint64_t idx) const {
    if (idx < kDenseMemo) return idx < dense_memo_.size() ? dense_memo_[idx] : kNoNode;
    auto it = memo_.find(idx);
    return it == memo_.end() ? kNoNode : it->second;
  }

  void record_storage(std::uint32_t pid, std::size_t pos) {
    const auto items = kids_of(pid);
    if (!items || nodes_[pid].kind != K::tuple || items->size() != 5 || rep_.storages.size() >= 1'000'000) return;
    const Node& tag = nodes_[(*items)[0]];
    const Node& type = nodes_[(*items)[1]];
    const Node& key = nodes_[(*items)[2]];
    const Node& numel = nodes_[(*items)[4]];
    if (tag.kind != K::str || tag.s != "storage" || type.kind != K::global || key.kind != K::str || numel.kind != K::integer) return;
    const GlobalRef& g = rep_.globals[type.a];
    rep_.storages.push_back({g.module + "." + g.name, std::string(key.s), numel.i, base_ + pos});
  }

  // ---- globals and calls ----
  std::uint32_t make_global(std::string_view module, std::string_view name, std::size_t pos, const char* opcode) {
    std::string& key = key_scratch_;
    key.assign(module).push_back('\n');
    key.append(name);
    auto it = global_index_.find(key);
    std::uint32_t gi;
    if (it == global_index_.end()) {
      GlobalRef g;
      g.module = std::string(module);
      g.name = std::string(name);
      g.offset = base_ + pos;
      g.stream = rep_.streams;
      g.opcode = opcode;
      rep_.globals.push_back(std::move(g));
      gi = static_cast<std::uint32_t>(rep_.globals.size() - 1);
      global_index_.emplace(key, gi);
    } else {
      gi = it->second;
    }
    Node n;
    n.kind = K::global;
    n.a = gi;
    n.offset = pos;
    return add(n);
  }

  bool allowed(std::uint32_t gi) {
    if (gi >= allowed_.size()) allowed_.resize(gi + 1, -1);
    if (allowed_[gi] < 0) {
      const GlobalRef& g = rep_.globals[gi];
      allowed_[gi] = classify_global(g.module, g.name).verdict == Verdict::allowed ? 1 : 0;
    }
    return allowed_[gi] == 1;
  }

  std::uint32_t make_call(std::uint32_t callee, std::uint32_t args, std::size_t pos, CallOp op,
                          std::uint32_t kwargs = kNoNode) {
    Node n;
    n.kind = K::call;
    n.a = callee;
    n.b = args;
    n.i = kwargs == kNoNode ? -1 : static_cast<std::int64_t>(kwargs);
    n.offset = pos;
    const std::uint32_t id = add(n);
    const Node& c = nodes_[callee];
    const bool is_global = c.kind == K::global;
    if (is_global) {
      GlobalRef& g = rep_.globals[c.a];
      const bool instantiation = op == CallOp::newobj || op == CallOp::newobj_ex;
      if (instantiation) ++g.new_count;
      else ++g.call_count;
      if (!instantiation && g.first_call.empty()) {
        g.first_call = render_call(id);
        g.first_call_offset = base_ + pos;
      }
      if (op == CallOp::reduce && is_bytes_loader(g.module, g.name)) {
        const auto items = kids_of(args);
        if (items && nodes_[args].kind == K::tuple && items->size() == 1 && nodes_[(*items)[0]].kind == K::bytes &&
            nodes_[(*items)[0]].i == kBenign) {
          ++g.vetted_calls;
        }
      }
      // copyreg._reconstructor(cls, base, state) instantiates cls without calling it.
      if (g.name == "_reconstructor" && canonical_module(g.module) == "copyreg") {
        if (auto items = kids_of(args); items && !items->empty() && nodes_[(*items)[0]].kind == K::global) {
          ++rep_.globals[nodes_[(*items)[0]].a].new_count;
        }
      }
    } else {
      const char* what = c.kind == K::call ? "the result of another call" :
                         c.kind == K::ext ? "an extension-registry callable" :
                         c.kind == K::unknown ? "a value the stream computed" : "a non-callable constant";
      anomaly(AnomalyKind::indirect_call, pos, std::string("calls ") + what + ": " + render_call(id));
    }
    if (is_global && op == CallOp::reduce && rep_.globals[c.a].name == "encode" &&
        canonical_module(rep_.globals[c.a].module) == "_codecs") {
      const std::uint32_t bytes = latin1_bytes(id, args, pos);
      if (bytes != id) return bytes;
    }
    // Calls of allowlisted rebuild functions are counted on their GlobalRef, not listed one by one.
    if (is_global && !lim_.list_all_calls && allowed(c.a)) return id;
    if (rep_.calls.size() < lim_.max_calls_listed) {
      Call call;
      call.callee = render(callee, 2);
      call.args = render(args, 3);
      call.offset = base_ + pos;
      call.op = op;
      call.stream = rep_.streams;
      call.callee_is_global = is_global;
      rep_.calls.push_back(std::move(call));
    } else {
      rep_.calls_truncated = true;
    }
    return id;
  }

  // ---- rendering (bounded: depth, length, cycles through memo) ----
  std::string render(std::uint32_t id, int depth) {
    std::string out;
    render_into(out, id, depth);
    if (out.size() > lim_.max_summary_chars) {
      out.resize(lim_.max_summary_chars);
      out += "...";
    }
    return out;
  }
  std::string render_call(std::uint32_t id) { return render(id, 4); }

  void render_str(std::string& out, std::string_view s, bool bytes) {
    if (bytes) out += 'b';
    out += '\'';
    const std::size_t cap = std::min<std::size_t>(s.size(), lim_.max_summary_chars);
    for (std::size_t k = 0; k < cap; ++k) {
      const auto c = static_cast<unsigned char>(s[k]);
      if (c == '\'' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c == '\n') {
        out += "\\n";
      } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
        static const char* hex = "0123456789abcdef";
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
    }
    if (cap < s.size()) out += "...";
    out += '\'';
  }

  void render_into(std::string& out, std::uint32_t id, int depth) {
    if (out.size() > lim_.max_summary_chars) return;
    if (id >= nodes_.size()) {
      out += "?";
      return;
    }
    const Node& n = nodes_[id];
    switch (n.kind) {
      case K::none: out += "None"; return;
      case K::boolean: out += n.i ? "True" : "False"; return;
      case K::integer: out += std::to_string(n.i); return;
      case K::bigint: case K::floating: out += n.s; return;
      case K::str: render_str(out, n.s, false); return;
      case K::bytes: render_str(out, n.s, true); return;
      case K::global: {
        const GlobalRef& g = rep_.globals[n.a];
        out += g.module;
        out += '.';
        out += g.name;
        return;
      }
      case K::persid: out += "persistent_load("; break;
      case K::ext: out += "<ext "; out += std::to_string(n.i); out += ">"; return;
      case K::unknown: out += n.s.empty() ? "?" : n.s; return;
      case K::buffer: out += "<buffer>"; return;
      case K::call: break;
      default: break;
    }
    if (depth <= 0) {
      out += "...";
      if (n.kind == K::persid) out += ')';
      return;
    }
    if (n.kind == K::persid) {
      render_into(out, n.a, depth - 1);
      out += ')';
      return;
    }
    if (n.kind == K::call) {
      render_into(out, n.a, depth - 1);
      const auto items = kids_of(n.b);
      if (items && nodes_[n.b].kind == K::tuple) {
        out += '(';
        for (std::size_t k = 0; k < items->size() && out.size() <= lim_.max_summary_chars; ++k) {
          if (k) out += ", ";
          render_into(out, (*items)[k], depth - 1);
        }
        out += ')';
      } else {
        out += "(*";
        render_into(out, n.b, depth - 1);
        out += ')';
      }
      return;
    }
    const auto items = kids_of(id);
    if (!items) {
      out += "?";
      return;
    }
    const char* open = n.kind == K::list ? "[" : n.kind == K::tuple ? "(" : n.kind == K::frozenset ? "frozenset({" : "{";
    const char* close = n.kind == K::list ? "]" : n.kind == K::tuple ? ")" : n.kind == K::frozenset ? "})" : "}";
    out += open;
    for (std::size_t k = 0; k < items->size(); ++k) {
      if (out.size() > lim_.max_summary_chars) break;
      if (k) out += (n.kind == K::dict && k % 2 == 1) ? ": " : ", ";
      render_into(out, (*items)[k], depth - 1);
    }
    if (n.kind == K::tuple && items->size() == 1) out += ',';
    out += close;
  }

  // ---- decoding helpers ----
  bool line(std::size_t& p, std::string_view& out) {
    const void* nl = std::memchr(d_.data() + p, '\n', d_.size() - p);
    if (!nl) return false;
    const auto end = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - d_.data());
    out = std::string_view(reinterpret_cast<const char*>(d_.data() + p), end - p);
    p = end + 1;
    return true;
  }
  std::string_view view(std::size_t p, std::size_t n) const {
    return {reinterpret_cast<const char*>(d_.data() + p), n};
  }

  std::string_view decode_string_literal(std::string_view raw, bool& ok);
  std::string_view decode_raw_unicode_escape(std::string_view raw);
  std::uint32_t int_from_text(std::string_view t, std::size_t pos);
  // Nested-stream verdict of a bytes value, kept in its node's `i`.
  enum Nested : std::int64_t { kNotPickle = 0, kBenign = 1, kNotBenign = 2 };
  Nested check_blob(std::string_view blob, std::size_t pos);
  void check_text(std::string_view text, std::size_t pos);
  Nested analyze_nested(std::span<const std::uint8_t> bytes, std::size_t pos, const char* what, bool certain);
  std::uint32_t latin1_bytes(std::uint32_t call, std::uint32_t args, std::size_t pos);
  bool joblib_skip(std::uint32_t wrapper, std::uint32_t state, std::size_t& p);
  std::uint32_t dict_get(std::uint32_t dict, std::string_view key);

  std::span<const std::uint8_t> d_;
  const PickleLimits& lim_;
  PickleReport& rep_;
  std::uint64_t base_;
  std::uint32_t depth_;
  std::uint64_t& budget_;
  std::chrono::steady_clock::time_point deadline_;
  std::uint32_t stacked_ = 0;
  std::size_t stream_end_ = 0;

  Scratch& sc_;
  std::vector<Node>& nodes_ = sc_.nodes;
  std::vector<std::vector<std::uint32_t>>& kids_ = sc_.kids;
  std::vector<std::uint32_t>& tuple_items_ = sc_.tuple_items;
  std::vector<std::uint32_t>& dense_memo_ = sc_.dense_memo;  // memo keys below kDenseMemo; the rest in memo_
  std::vector<signed char> allowed_;        // per global: -1 unknown yet, 0 no, 1 allowlisted
  std::string key_scratch_;
  std::deque<std::string> pool_;
  std::uint64_t pool_bytes_ = 0;
  std::vector<std::uint32_t>& stack_ = sc_.stack;
  std::vector<std::size_t>& marks_ = sc_.marks;
  std::unordered_map<std::uint64_t, std::uint32_t> memo_;
  std::unordered_map<std::string, std::uint32_t> global_index_;
  bool over_ = false;
  bool underflow_seen_ = false;
  std::uint64_t memo_size_ = 0;  // distinct keys, for MEMOIZE
  std::uint64_t blob_bytes_scanned_ = 0;
};

std::string_view Vm::decode_string_literal(std::string_view raw, bool& ok) {
  // Protocol-0 STRING: a quoted Python literal with backslash escapes.
  ok = raw.size() >= 2 && (raw.front() == '\'' || raw.front() == '"') && raw.back() == raw.front();
  if (!ok) return {};
  raw = raw.substr(1, raw.size() - 2);
  if (raw.find('\\') == std::string_view::npos) return raw;
  std::string out;
  out.reserve(raw.size());
  for (std::size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (c != '\\' || k + 1 >= raw.size()) {
      out += c;
      continue;
    }
    c = raw[++k];
    switch (c) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        int v = 0, n = 0;
        while (n < 3 && k < raw.size() && raw[k] >= '0' && raw[k] <= '7') {
          v = v * 8 + (raw[k] - '0');
          ++k;
          ++n;
        }
        --k;
        out += static_cast<char>(v & 0xFF);
        break;
      }
      case 'x':
        if (k + 2 < raw.size()) {
          unsigned v = 0;
          auto [q, ec] = std::from_chars(raw.data() + k + 1, raw.data() + k + 3, v, 16);
          if (ec == std::errc() && q == raw.data() + k + 3) {
            out += static_cast<char>(v);
            k += 2;
            break;
          }
        }
        out += "\\x";
        break;
      default: out += c; break;
    }
  }
  return keep(std::move(out));
}

std::string_view Vm::decode_raw_unicode_escape(std::string_view raw) {
  // Protocol-0 UNICODE: only \uXXXX and \UXXXXXXXX are escapes.
  if (raw.find("\\u") == std::string_view::npos && raw.find("\\U") == std::string_view::npos) return raw;
  std::string out;
  for (std::size_t k = 0; k < raw.size(); ++k) {
    if (raw[k] == '\\' && k + 1 < raw.size() && (raw[k + 1] == 'u' || raw[k + 1] == 'U')) {
      const std::size_t n = raw[k + 1] == 'u' ? 4 : 8;
      if (k + 2 + n <= raw.size()) {
        std::uint32_t cp = 0;
        auto [p, ec] = std::from_chars(raw.data() + k + 2, raw.data() + k + 2 + n, cp, 16);
        if (ec == std::errc() && p == raw.data() + k + 2 + n && cp <= 0x10FFFF) {
          if (cp < 0x80) out += static_cast<char>(cp);
          else if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
          else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          k += 1 + n;
          continue;
        }
      }
    }
    out += raw[k];
  }
  return keep(std::move(out));
}

std::uint32_t Vm::int_from_text(std::string_view t, std::size_t pos) {
  while (!t.empty() && (t.back() == 'L' || t.back() == '\r' || t.back() == ' ')) t.remove_suffix(1);
  Node n;
  n.offset = pos;
  if (t == "00" || t == "01") {
    n.kind = K::boolean;
    n.i = t == "01";
    return add(n);
  }
  std::int64_t v = 0;
  std::string_view digits = t;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec == std::errc() && p == digits.data() + digits.size()) {
    n.kind = K::integer;
    n.i = v;
  } else {
    n.kind = K::bigint;
    n.s = t;
  }
  return add(n);
}

std::uint32_t Vm::dict_get(std::uint32_t dict, std::string_view key) {
  if (dict >= nodes_.size() || nodes_[dict].kind != K::dict) return kNoNode;
  const auto items = kids_of(dict);
  if (!items) return kNoNode;
  for (std::size_t k = 0; k + 1 < items->size(); k += 2) {
    const Node& kn = nodes_[(*items)[k]];
    if (kn.kind == K::str && kn.s == key) return (*items)[k + 1];
  }
  return kNoNode;
}

// joblib's NumpyArrayWrapper: after its BUILD the raw array bytes (or, for object arrays, a whole
// second pickle) follow inline. Skip exactly what joblib's reader consumes; anything we cannot size
// stops the stream (fail closed).
bool Vm::joblib_skip(std::uint32_t wrapper, std::uint32_t state, std::size_t& p) {
  const std::uint32_t dtype_id = dict_get(state, "dtype");
  const std::uint32_t shape_id = dict_get(state, "shape");
  if (dtype_id == kNoNode || shape_id == kNoNode || nodes_[dtype_id].kind != K::call ||
      nodes_[shape_id].kind != K::tuple) {
    fail(p, "joblib array wrapper without a readable dtype and shape");
    return false;
  }
  (void)wrapper;
  const Node* dtype = &nodes_[dtype_id];
  // dtype is numpy.dtype('<code>', False, True) with BUILD state (ver, endian, sub, names, fields, elsize, ...).
  std::string_view code;
  if (const auto args = kids_of(dtype->b); args && !args->empty() && nodes_[(*args)[0]].kind == K::str) {
    code = nodes_[(*args)[0]].s;
  }
  std::int64_t elsize = -1;
  if (dtype->state != kNoNode) {
    if (const auto st = kids_of(dtype->state); st && st->size() >= 6 && nodes_[(*st)[5]].kind == K::integer) {
      elsize = nodes_[(*st)[5]].i;
    }
  }
  while (!code.empty() && (code.front() == '<' || code.front() == '>' || code.front() == '|' || code.front() == '=')) {
    code.remove_prefix(1);
  }
  if (code.empty()) {
    fail(p, "joblib array wrapper with an unreadable dtype");
    return false;
  }
  if (code[0] == 'O') {
    // Object arrays: joblib calls pickle.load on the same file here (a nested stream).
    if (depth_ + 1 > lim_.max_nesting) {
      fail(p, "joblib object arrays nested too deep");
      return false;
    }
    anomaly(AnomalyKind::nested_pickle, p, "joblib object array: a second pickle stream follows inline");
    PickleLimits inner = lim_;
    inner.max_stacked = 1;
    Vm vm(d_.subspan(p), inner, rep_, base_ + p, depth_ + 1, budget_, deadline_);
    const std::size_t end = vm.run_stream(0);
    if (end == 0) return false;
    p += end;
    return true;
  }
  std::uint64_t item = elsize > 0 ? static_cast<std::uint64_t>(elsize) : 0;
  if (item == 0) {
    std::uint64_t v = 0;
    auto [q, ec] = std::from_chars(code.data() + 1, code.data() + code.size(), v);
    if (ec == std::errc() && q == code.data() + code.size()) item = (code[0] == 'U') ? v * 4 : v;
    else if (code == "?" || code == "b" || code == "B") item = 1;
  }
  if (item == 0) {
    fail(p, "joblib array wrapper with an unsized dtype " + std::string(code));
    return false;
  }
  std::uint64_t count = 1;
  for (auto dim : kids_of(shape_id).value_or(std::span<const std::uint32_t>())) {
    const Node& dn = nodes_[dim];
    if (dn.kind != K::integer || dn.i < 0 || __builtin_mul_overflow(count, static_cast<std::uint64_t>(dn.i), &count)) {
      fail(p, "joblib array shape is not a tuple of small non-negative integers");
      return false;
    }
  }
  std::uint64_t nbytes = 0;
  if (__builtin_mul_overflow(count, item, &nbytes)) {
    fail(p, "joblib array size overflows");
    return false;
  }
  if (const auto align = dict_get(state, "numpy_array_alignment_bytes");
      align != kNoNode && nodes_[align].kind == K::integer) {
    if (p >= d_.size()) {
      fail(p, "joblib array padding past the end");
      return false;
    }
    const std::uint64_t pad = d_[p];
    p += 1;
    if (pad > d_.size() - p) {
      fail(p, "joblib array padding past the end");
      return false;
    }
    p += pad;
  }
  if (nbytes > d_.size() - p) {
    fail(p, "joblib array data past the end of the file");
    return false;
  }
  p += nbytes;
  return true;
}

// A bytes value may itself be a pickle handed to pickle.loads, or hide opcodes an unpickler that
// reads frames differently would run (model-formats.md B9). Nested pickles are analysed; raw
// GLOBAL patterns are reported when they name something dangerous.
// `certain`: the value starts with PROTO. Without it, raw array bytes can decode as a stream by
// chance, so only what is known-dangerous is kept from them.
Vm::Nested Vm::analyze_nested(std::span<const std::uint8_t> bytes, std::size_t pos, const char* what, bool certain) {
  PickleLimits inner = lim_;
  inner.max_stacked = 0;
  PickleReport sub;
  Vm vm(bytes, inner, sub, 0, depth_ + 1, budget_, deadline_);
  vm.run_all();
  const Nested verdict = sub.streams > 0 && is_benign(sub) ? kBenign : kNotBenign;
  if (!certain) {
    bool dangerous = false;
    for (const auto& g : sub.globals) dangerous |= classify_global(g.module, g.name).verdict == Verdict::dangerous;
    if (!dangerous) return verdict;
  }
  anomaly(AnomalyKind::nested_pickle, pos, std::string(what) + " (" + std::to_string(bytes.size()) + " bytes)");
  for (auto& g : sub.globals) {
    if (!certain && classify_global(g.module, g.name).verdict != Verdict::dangerous) continue;
    g.offset = base_ + pos;
    g.opcode = "NESTED " + g.opcode;
    rep_.globals.push_back(std::move(g));
  }
  for (auto& a : sub.anomalies) {
    if (!certain) break;
    if (rep_.anomalies.size() >= 1000) break;
    a.offset = base_ + pos;
    a.detail = "inside a nested pickle: " + a.detail;
    rep_.anomalies.push_back(std::move(a));
  }
  return verdict;
}

// Protocols 0-2 pickle bytes as _codecs.encode(<latin-1 text>, 'latin1'): the call's value is
// those bytes, so it becomes a bytes node (and is checked like one). Other calls stay calls.
std::uint32_t Vm::latin1_bytes(std::uint32_t call, std::uint32_t args, std::size_t pos) {
  const auto items = kids_of(args);
  if (!items || nodes_[args].kind != K::tuple || items->size() != 2) return call;
  const Node& text = nodes_[(*items)[0]];
  const Node& enc = nodes_[(*items)[1]];
  if (text.kind != K::str || enc.kind != K::str || (enc.s != "latin1" && enc.s != "latin-1" && enc.s != "iso-8859-1")) return call;
  // Only text that starts with PROTO is copied (a pickle to look into); array data stays a view.
  if (text.s.size() < 3 || text.s.size() > (64u << 20) || text.s.substr(0, 2) != "\xc2\x80" ||
      static_cast<unsigned char>(text.s[2]) > 5) {
    return call;
  }
  std::string out;
  out.reserve(text.s.size());
  const auto* u = reinterpret_cast<const unsigned char*>(text.s.data());
  for (std::size_t k = 0; k < text.s.size(); ++k) {
    if (u[k] < 0x80) {
      out += static_cast<char>(u[k]);
    } else if ((u[k] == 0xC2 || u[k] == 0xC3) && k + 1 < text.s.size() && (u[k + 1] & 0xC0) == 0x80) {
      out += static_cast<char>(((u[k] & 0x03) << 6) | (u[k + 1] & 0x3F));
      ++k;
    } else {
      return call;  // not latin-1: encode would raise, keep the call as it is
    }
  }
  const std::string_view blob = keep(std::move(out));
  Node n{K::bytes, kNoNode, kNoNode, kNoNode, 0, blob, pos};
  n.i = check_blob(blob, pos);
  return add(n);
}

// Strings may carry a pickle too: base64 ("gA...") or hex ("8004...") for a later pickle.loads
// (model-formats.md A23), or raw opcodes.
void Vm::check_text(std::string_view text, std::size_t pos) {
  if (text.size() < 12 || depth_ + 1 > lim_.max_nesting || blob_bytes_scanned_ > (256ull << 20)) return;
  std::vector<std::uint8_t> decoded;
  if (text.substr(0, 2) == "gA") {
    static constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
      if (c == '=' || c == '\n' || c == '\r') continue;
      const auto v = kB64.find(c);
      if (v == std::string_view::npos) return;
      acc = (acc << 6) | static_cast<std::uint32_t>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        decoded.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
      }
    }
  } else if (text.substr(0, 3) == "800" && text.size() % 2 == 0) {
    for (std::size_t k = 0; k + 1 < text.size(); k += 2) {
      unsigned v = 0;
      auto [q, ec] = std::from_chars(text.data() + k, text.data() + k + 2, v, 16);
      if (ec != std::errc() || q != text.data() + k + 2) return;
      decoded.push_back(static_cast<std::uint8_t>(v));
    }
  } else {
    check_blob(text, pos);
    return;
  }
  blob_bytes_scanned_ += text.size();
  if (is_proto_magic(decoded) && looks_like_pickle(decoded, 1u << 16)) {
    (void)analyze_nested(decoded, pos, "a string holds an encoded pickle", true);
  }
}

Vm::Nested Vm::check_blob(std::string_view blob, std::size_t pos) {
  if (blob.size() < 8 || blob_bytes_scanned_ > (256ull << 20)) return kNotPickle;
  blob_bytes_scanned_ += blob.size();
  const auto bytes = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(blob.data()), blob.size());
  Nested verdict = kNotPickle;
  if (depth_ + 1 <= lim_.max_nesting && looks_like_pickle(bytes, 1u << 16)) {
    const bool certain = is_proto_magic(bytes);
    verdict = analyze_nested(bytes, pos, "a bytes value holds a pickle", certain);
    if (certain) return verdict;
  }
  // GLOBAL 'c<mod>\n<name>\n' and SHORT_BINUNICODE mod, SHORT_BINUNICODE name, [MEMOIZE] STACK_GLOBAL.
  const auto* b = bytes.data();
  const std::size_t n = bytes.size();
  for (std::size_t k = 0; k + 4 < n; ++k) {
    std::string_view module, name;
    if (b[k] == 'c' || b[k] == 'i') {
      std::size_t e1 = k + 1;
      while (e1 < n && e1 - k < 128 && is_ident_char(b[e1])) ++e1;
      if (e1 == k + 1 || e1 >= n || b[e1] != '\n') continue;
      std::size_t e2 = e1 + 1;
      while (e2 < n && e2 - e1 < 128 && is_ident_char(b[e2])) ++e2;
      if (e2 == e1 + 1 || e2 >= n || b[e2] != '\n') continue;
      module = std::string_view(blob.data() + k + 1, e1 - k - 1);
      name = std::string_view(blob.data() + e1 + 1, e2 - e1 - 1);
    } else if (b[k] == 0x8c) {
      const std::size_t l1 = b[k + 1];
      if (l1 == 0 || k + 2 + l1 + 2 > n || b[k + 2 + l1] != 0x8c) continue;
      const std::size_t l2 = b[k + 3 + l1];
      std::size_t e = k + 4 + l1 + l2;
      if (l2 == 0 || e >= n) continue;
      if (b[e] == 0x94 && e + 1 < n) ++e;
      if (b[e] != 0x93) continue;
      module = std::string_view(blob.data() + k + 2, l1);
      name = std::string_view(blob.data() + k + 4 + l1, l2);
    } else {
      continue;
    }
    if (classify_global(module, name).verdict != Verdict::dangerous) continue;
    anomaly(AnomalyKind::hidden_global, pos,
            "opcodes importing " + std::string(module) + "." + std::string(name) + " hidden inside a bytes value");
    GlobalRef g;
    g.module = std::string(module);
    g.name = std::string(name);
    g.offset = base_ + pos;
    g.stream = rep_.streams;
    g.opcode = "HIDDEN";
    rep_.globals.push_back(std::move(g));
    verdict = kNotBenign;
  }
  return verdict;
}

std::size_t Vm::run_stream(std::size_t pos) {
  nodes_.clear();
  kids_.clear();
  tuple_items_.clear();
  dense_memo_.clear();
  memo_size_ = 0;
  pool_.clear();
  pool_bytes_ = 0;
  stack_.clear();
  marks_.clear();
  memo_.clear();
  over_ = false;
  underflow_seen_ = false;
  nodes_.push_back(Node{K::unknown, kNoNode, kNoNode, kNoNode, 0, "?", 0});

  std::size_t p = pos;
  std::uint64_t frame_end = 0;
  bool in_frame = false;
  bool frame_violation_seen = false;
  bool seen_proto = false;

  while (true) {
    if (p >= d_.size()) {
      fail(p, "pickle stream ends without STOP (truncated)");
      return 0;
    }
    if (budget_ == 0) {
      fail(p, "opcode limit reached");
      return 0;
    }
    --budget_;
    ++rep_.opcodes;
    if ((rep_.opcodes & 0xFFFF) == 0 && std::chrono::steady_clock::now() > deadline_) {
      fail(p, "time limit reached");
      return 0;
    }
    if (over_) {
      fail(p, "pickle needs more memory than the limits allow");
      return 0;
    }
    if (pool_bytes_ > lim_.max_decoded_string_bytes) {
      fail(p, "decoded strings exceed the limit");
      return 0;
    }
    const std::size_t op_pos = p;
    if (in_frame && p >= frame_end) in_frame = false;
    const std::uint8_t op = d_[p++];
    const Arg arg = arg_of(op);
    if (arg == Arg::invalid) {
      fail(op_pos, "invalid opcode 0x" + [&] {
        char buf[3];
        static const char* hex = "0123456789abcdef";
        buf[0] = hex[op >> 4];
        buf[1] = hex[op & 15];
        buf[2] = 0;
        return std::string(buf);
      }());
      return 0;
    }
    // Fixed-size and length-prefixed arguments.
    std::uint64_t u = 0;
    std::string_view s1, s2;
    std::size_t need = 0;
    switch (arg) {
      case Arg::u1: need = 1; break;
      case Arg::u2: need = 2; break;
      case Arg::u4: need = 4; break;
      case Arg::u8: need = 8; break;
      case Arg::len1: need = 1; break;
      case Arg::len4: case Arg::len4_signed: need = 4; break;
      case Arg::len8: need = 8; break;
      default: break;
    }
    if (need > d_.size() - p) {
      fail(op_pos, "opcode argument past the end (truncated)");
      return 0;
    }
    if (need) {
      u = rd_le(d_.data() + p, static_cast<int>(need));
      p += need;
    }
    if (arg == Arg::len1 || arg == Arg::len4 || arg == Arg::len8 || arg == Arg::len4_signed) {
      if (arg == Arg::len4_signed && (u & 0x80000000u)) {
        fail(op_pos, "negative BINSTRING length");
        return 0;
      }
      if (u > d_.size() - p) {
        fail(op_pos, "length-prefixed argument past the end (truncated)");
        return 0;
      }
      s1 = view(p, static_cast<std::size_t>(u));
      p += static_cast<std::size_t>(u);
    } else if (arg == Arg::line) {
      if (!line(p, s1)) {
        fail(op_pos, "text argument without a newline (truncated)");
        return 0;
      }
    } else if (arg == Arg::two_lines) {
      if (!line(p, s1) || !line(p, s2)) {
        fail(op_pos, "text argument without a newline (truncated)");
        return 0;
      }
    }
    if (in_frame && p > frame_end && !frame_violation_seen) {
      frame_violation_seen = true;
      anomaly(AnomalyKind::frame_violation, op_pos,
              "an opcode crosses the end of its FRAME: unpicklers that read frames differently see different code");
    }

    switch (op) {
      case 0x80:  // PROTO
        if (u > 5) {
          fail(op_pos, "unsupported pickle protocol " + std::to_string(u));
          return 0;
        }
        if (seen_proto) anomaly(AnomalyKind::duplicate_proto, op_pos, "second PROTO in one stream");
        seen_proto = true;
        rep_.max_protocol = std::max<int>(rep_.max_protocol, static_cast<int>(u));
        break;
      case 0x95:  // FRAME
        if (in_frame && op_pos < frame_end && !frame_violation_seen) {
          frame_violation_seen = true;
          anomaly(AnomalyKind::frame_violation, op_pos, "a FRAME starts before the previous one ends");
        }
        if (u > d_.size() - p) {
          anomaly(AnomalyKind::frame_violation, op_pos, "FRAME length runs past the end of the data");
          fail(op_pos, "FRAME length past the end (truncated)");
          // Keep decoding: a pure-Python unpickler runs the opcodes it has before failing.
          frame_end = d_.size();
        } else {
          frame_end = p + u;
        }
        in_frame = true;
        break;
      case '.': {  // STOP
        (void)pop(op_pos);
        ++rep_.streams;
        stream_end_ = p;
        return p;
      }
      case '(':
        if (stack_.size() + marks_.size() >= lim_.max_stack) {
          fail(op_pos, "too many nested MARKs");
          return 0;
        }
        marks_.push_back(stack_.size());
        break;
      case '0':
        if (stack_.size() > base()) stack_.pop_back();
        else if (!marks_.empty()) marks_.pop_back();
        else underflow(op_pos);
        break;
      case '1': (void)pop_mark(op_pos); break;
      case '2': push(top(op_pos)); break;
      case 'N': push(add(Node{K::none, kNoNode, kNoNode, kNoNode, 0, {}, op_pos})); break;
      case 0x88: case 0x89: push(add(Node{K::boolean, kNoNode, kNoNode, kNoNode, op == 0x88, {}, op_pos})); break;
      case 'I': case 'L': push(int_from_text(s1, op_pos)); break;
      case 'J': push(add(Node{K::integer, kNoNode, kNoNode, kNoNode, static_cast<std::int32_t>(u), {}, op_pos})); break;
      case 'K': case 'M': push(add(Node{K::integer, kNoNode, kNoNode, kNoNode, static_cast<std::int64_t>(u), {}, op_pos})); break;
      case 0x8a: case 0x8b: {  // LONG1 / LONG4: little-endian two's complement
        Node n{K::bigint, kNoNode, kNoNode, kNoNode, 0, "<long>", op_pos};
        if (s1.size() <= 8) {
          std::uint64_t v = 0;
          for (std::size_t k = s1.size(); k-- > 0;) v = (v << 8) | static_cast<std::uint8_t>(s1[k]);
          if (!s1.empty() && s1.size() < 8 && (static_cast<std::uint8_t>(s1.back()) & 0x80)) {
            v |= ~std::uint64_t{0} << (8 * s1.size());
          }
          n.kind = K::integer;
          n.i = static_cast<std::int64_t>(v);
        }
        push(add(n));
        break;
      }
      case 'F': push(add(Node{K::floating, kNoNode, kNoNode, kNoNode, 0, s1, op_pos})); break;
      case 'G': push(add(Node{K::floating, kNoNode, kNoNode, kNoNode, 0, "<float>", op_pos})); break;
      case 'S': {
        bool ok = false;
        const auto v = decode_string_literal(s1, ok);
        if (!ok) {
          fail(op_pos, "STRING argument is not a quoted literal");
          return 0;
        }
        push(add(Node{K::str, kNoNode, kNoNode, kNoNode, 0, v, op_pos}));
        break;
      }
      case 'V': push(add(Node{K::str, kNoNode, kNoNode, kNoNode, 0, decode_raw_unicode_escape(s1), op_pos})); break;
      case 'T': case 'U': case 'X': case 0x8c: case 0x8d:  // strings (BINSTRING is str in Python 3)
        if (s1.size() >= 12) check_text(s1, op_pos);
        push(add(Node{K::str, kNoNode, kNoNode, kNoNode, 0, s1, op_pos}));
        break;
      case 'B': case 'C': case 0x8e: case 0x96:  // bytes, bytearray
        push(add(Node{K::bytes, kNoNode, kNoNode, kNoNode, check_blob(s1, op_pos), s1, op_pos}));
        break;
      case ')': push(add_container(K::tuple, nullptr, 0, op_pos)); break;
      case ']': push(add_container(K::list, nullptr, 0, op_pos)); break;
      case '}': push(add_container(K::dict, nullptr, 0, op_pos)); break;
      case 0x8f: push(add_container(K::set, nullptr, 0, op_pos)); break;
      case 't': push(container_from_mark(K::tuple, op_pos)); break;
      case 'l': push(container_from_mark(K::list, op_pos)); break;
      case 'd': push(container_from_mark(K::dict, op_pos)); break;
      case 0x91: push(container_from_mark(K::frozenset, op_pos)); break;
      case 0x85: case 0x86: case 0x87: {
        const std::size_t n = op - 0x84;
        std::uint32_t items[3];
        for (std::size_t k = n; k-- > 0;) items[k] = pop(op_pos);
        push(add_container(K::tuple, items, n, op_pos));
        break;
      }
      case 'a': {
        const auto v = pop(op_pos);
        const auto t = top(op_pos);
        if (auto* items = mutable_kids(t, K::list)) items->push_back(v);
        break;
      }
      case 'e': {
        auto vs = pop_mark(op_pos);
        const auto t = top(op_pos);
        if (auto* items = mutable_kids(t, K::list)) {
          items->insert(items->end(), vs.begin(), vs.end());
        }
        break;
      }
      case 's': {
        const auto v = pop(op_pos);
        const auto k = pop(op_pos);
        const auto t = top(op_pos);
        if (auto* items = mutable_kids(t, K::dict)) {
          items->push_back(k);
          items->push_back(v);
        }
        break;
      }
      case 'u': {
        auto vs = pop_mark(op_pos);
        const auto t = top(op_pos);
        if (auto* items = mutable_kids(t, K::dict)) {
          if (vs.size() % 2) vs.pop_back();
          items->insert(items->end(), vs.begin(), vs.end());
        }
        break;
      }
      case 0x90: {
        auto vs = pop_mark(op_pos);
        const auto t = top(op_pos);
        if (auto* items = mutable_kids(t, K::set)) {
          items->insert(items->end(), vs.begin(), vs.end());
        }
        break;
      }
      case 'p': case 'q': case 'r': case 0x94: {
        std::uint64_t idx = u;
        if (op == 'p') {
          auto [q, ec] = std::from_chars(s1.data(), s1.data() + s1.size(), idx);
          if (ec != std::errc() || q != s1.data() + s1.size()) {
            fail(op_pos, "PUT argument is not an integer");
            return 0;
          }
        } else if (op == 0x94) {
          idx = memo_size_;
        }
        if (!memo_put(idx, top(op_pos))) {
          fail(op_pos, "memo larger than the limit");
          return 0;
        }
        break;
      }
      case 'g': case 'h': case 'j': {
        std::uint64_t idx = u;
        if (op == 'g') {
          auto [q, ec] = std::from_chars(s1.data(), s1.data() + s1.size(), idx);
          if (ec != std::errc() || q != s1.data() + s1.size()) {
            fail(op_pos, "GET argument is not an integer");
            return 0;
          }
        }
        const std::uint32_t got = memo_get(idx);
        if (got == kNoNode) {
          // CPython stops here; later opcodes are still reported (they cost nothing to list).
          anomaly(AnomalyKind::missing_memo, op_pos, "GET of memo key " + std::to_string(idx) + " that was never PUT");
          push(unknown_node());
        } else {
          push(got);
        }
        break;
      }
      case 'c': push(make_global(s1, s2, op_pos, "GLOBAL")); break;
      case 0x93: {  // STACK_GLOBAL
        const auto name = pop(op_pos);
        const auto module = pop(op_pos);
        const Node& mn = nodes_[module];
        const Node& nn = nodes_[name];
        if (mn.kind == K::str && nn.kind == K::str) {
          push(make_global(mn.s, nn.s, op_pos, "STACK_GLOBAL"));
        } else {
          const std::string what = render(module, 2) + ", " + render(name, 2);
          anomaly(AnomalyKind::dynamic_global, op_pos, "STACK_GLOBAL operands are not string constants: " + what);
          push(add(Node{K::unknown, kNoNode, kNoNode, kNoNode, 0, keep("<dynamic global " + what + ">"), op_pos}));
        }
        break;
      }
      case 'i': {  // INST: module, name, then the marked arguments
        const auto cls = make_global(s1, s2, op_pos, "INST");
        const auto args = container_from_mark(K::tuple, op_pos);
        push(make_call(cls, args, op_pos, CallOp::inst));
        break;
      }
      case 'o': {  // OBJ: the first marked item is the class
        auto items = pop_mark(op_pos);
        const auto cls = items.empty() ? unknown_node() : items.front();
        if (!items.empty()) items.erase(items.begin());
        const auto args = add_container(K::tuple, items, op_pos);
        push(make_call(cls, args, op_pos, CallOp::obj));
        break;
      }
      case 'R': {
        const auto args = pop(op_pos);
        const auto fn = pop(op_pos);
        push(make_call(fn, args, op_pos, CallOp::reduce));
        break;
      }
      case 0x81: {
        const auto args = pop(op_pos);
        const auto cls = pop(op_pos);
        push(make_call(cls, args, op_pos, CallOp::newobj));
        break;
      }
      case 0x92: {
        const auto kwargs = pop(op_pos);
        const auto args = pop(op_pos);
        const auto cls = pop(op_pos);
        push(make_call(cls, args, op_pos, CallOp::newobj_ex, kwargs));
        break;
      }
      case 'b': {  // BUILD: __setstate__ or __dict__ update on the object below
        const auto state = pop(op_pos);
        const auto target = top(op_pos);
        Node& t = nodes_[target];
        if (t.kind == K::global) {
          GlobalRef& g = rep_.globals[t.a];
          ++g.build_count;
          anomaly(AnomalyKind::build_on_global, op_pos,
                  "BUILD sets attributes on " + g.module + "." + g.name + " itself: " + render(state, 3));
        } else if (t.kind == K::call) {
          t.state = state;
          const Node& callee = nodes_[t.a];
          if (lim_.joblib_arrays && callee.kind == K::global) {
            const GlobalRef& g = rep_.globals[callee.a];
            if (g.name == "NumpyArrayWrapper" && g.module.find("joblib") != std::string::npos &&
                g.module.find("numpy_pickle") != std::string::npos) {
              if (!joblib_skip(target, state, p)) return 0;
              stack_.back() = add(Node{K::unknown, kNoNode, kNoNode, kNoNode, 0, "<ndarray>", op_pos});
              in_frame = false;
            }
          }
        }
        break;
      }
      case 'P': case 'Q': {  // persistent ids: the loader's persistent_load decides (torch storages)
        const auto pid = op == 'P' ? add(Node{K::str, kNoNode, kNoNode, kNoNode, 0, s1, op_pos}) : pop(op_pos);
        ++rep_.persistent_id_count;
        if (rep_.persistent_ids.size() < 64) rep_.persistent_ids.push_back(render(pid, 3));
        record_storage(pid, op_pos);
        push(add(Node{K::persid, pid, kNoNode, kNoNode, 0, {}, op_pos}));
        break;
      }
      case 0x82: case 0x83: case 0x84: {
        anomaly(AnomalyKind::ext_opcode, op_pos,
                "EXT opcode imports extension code " + std::to_string(u) + " from the copyreg registry");
        push(add(Node{K::ext, kNoNode, kNoNode, kNoNode, static_cast<std::int64_t>(u), {}, op_pos}));
        break;
      }
      case 0x97: push(add(Node{K::buffer, kNoNode, kNoNode, kNoNode, 0, {}, op_pos})); break;
      case 0x98: break;
      default:
        fail(op_pos, "unhandled opcode");
        return 0;
    }
  }
}

}  // namespace

bool has_proto_magic(std::span<const std::uint8_t> data) { return is_proto_magic(data); }

namespace {

// Text arguments as a real pickler writes them; anything else means the bytes are not a pickle.
bool valid_line_arg(std::uint8_t op, std::string_view line, bool second) {
  auto all = [&](auto pred) { return !line.empty() && std::all_of(line.begin(), line.end(), pred); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  switch (op) {
    case 'c': case 'i':
      (void)second;
      return all([](char c) { return is_ident_char(static_cast<std::uint8_t>(c)); });
    case 'g': case 'p':
      return all(digit);
    case 'I': case 'L': {
      std::string_view v = line;
      if (!v.empty() && (v.front() == '-' || v.front() == '+')) v.remove_prefix(1);
      if (!v.empty() && v.back() == 'L') v.remove_suffix(1);
      return !v.empty() && std::all_of(v.begin(), v.end(), digit);
    }
    case 'F':
      return all([](char c) { return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E' ||
                                     c == 'n' || c == 'a' || c == 'i' || c == 'f'; });
    case 'S':
      return line.size() >= 2 && (line.front() == '\'' || line.front() == '"') && line.back() == line.front();
    default:
      return true;  // UNICODE, PERSID: free text
  }
}

}  // namespace

// The stack checks CPython's unpickler makes before each opcode: enough values above the innermost
// MARK, a MARK where one is popped. Bytes that fail one are refused right there ("unpickling stack
// underflow", "could not find MARK"), so nothing from that point on is loaded: text such as
// "repos.cfg\n" (LONG_BINPUT on an empty stack) or "airplane\n" (APPEND) is not a pickle.
class StackShape {
 public:
  // False: CPython refuses this opcode.
  bool step(std::uint8_t op) {
    switch (op) {
      case '(':
        if (marks_.size() >= kMaxMarks) return true;  // past what is tracked: no judgement
        marks_.push_back(cur_);
        below_ += cur_;
        cur_ = 0;
        return true;
      case '0':  // POP takes the MARK itself when no value is above it
        if (cur_ > 0) return --cur_, true;
        return pop_mark();
      case '1': return pop_mark();
      case '.': case 'p': case 'q': case 'r': case 0x94: case 0x98: case 'Q': case 0x85: return need(1, 0);
      case '2': return need(1, 1);
      case 'R': case 0x81: case 'a': case 'b': case 0x93: case 0x86: return need(2, -1);
      case 's': case 0x92: case 0x87: return need(3, -2);
      case 't': case 'l': case 'd': case 'i': case 0x91:
        if (!pop_mark()) return false;
        return ++cur_, true;
      case 'o': {  // OBJ: the class and its arguments above the MARK
        if (cur_ < 1) return false;
        if (!pop_mark()) return false;
        return ++cur_, true;
      }
      case 'e': case 'u': case 0x90:  // APPENDS / SETITEMS / ADDITEMS: the container below the MARK
        if (!pop_mark()) return false;
        return cur_ + below_ >= 1;
      case 0x80: case 0x95: return true;  // PROTO, FRAME
      default: ++cur_; return true;       // every other opcode pushes one value
    }
  }

 private:
  static constexpr std::size_t kMaxMarks = 1u << 16;
  bool need(std::uint64_t n, int net) {
    if (cur_ < n) return false;
    cur_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(cur_) + net);
    return true;
  }
  bool pop_mark() {
    if (marks_.empty()) return false;
    cur_ = marks_.back();
    marks_.pop_back();
    below_ -= cur_;
    return true;
  }
  std::uint64_t cur_ = 0;    // values above the innermost MARK
  std::uint64_t below_ = 0;  // values under it
  std::vector<std::uint64_t> marks_;
};

bool looks_like_pickle(std::span<const std::uint8_t> data, std::uint32_t max_opcodes) {
  // Decode opcodes and argument shapes only. With PROTO a clean decode to STOP is enough; without
  // it (protocol 0/1, or a stripped PROTO) the stream must also import, call or memoize something
  // and end at its STOP (or run into another pickle), so that text is not taken for a pickle.
  // (PROTO is evidence enough; streams that break the stack shape after it are still pickles a
  // loader starts to run.)
  const bool proto = is_proto_magic(data);
  StackShape shape;
  std::size_t p = 0;
  std::uint32_t n = 0;
  bool evidence = false;
  while (p < data.size() && n++ < max_opcodes) {
    const std::uint8_t op = data[p++];
    const Arg arg = arg_of(op);
    if (arg == Arg::invalid) return false;
    if (!proto && !shape.step(op)) return false;
    if (op == '.') {
      if (proto) return true;
      std::size_t q = p;
      while (q < data.size() && (data[q] == '\n' || data[q] == '\r' || data[q] == ' ')) ++q;
      const auto rest = data.subspan(q);
      const bool ends = rest.empty() || is_proto_magic(rest) || rest[0] == '(' || rest[0] == 'c' || rest[0] == ']' ||
                        rest[0] == '}' || rest[0] == ')';
      // A stub stream in front of a real one (model-formats.md B14) counts as part of it.
      if (is_proto_magic(rest) && looks_like_pickle(rest, max_opcodes)) return true;
      return ends && evidence;
    }
    if (op == 'c' || op == 'i' || op == 0x93 || op == 'R' || op == 'b' || op == 'o' || op == 0x81 || op == 'p' ||
        op == 'q' || op == 'r' || op == 0x94) {
      evidence = true;
    }
    std::size_t need = 0;
    switch (arg) {
      case Arg::u1: case Arg::len1: need = 1; break;
      case Arg::u2: need = 2; break;
      case Arg::u4: case Arg::len4: case Arg::len4_signed: need = 4; break;
      case Arg::u8: case Arg::len8: need = 8; break;
      default: break;
    }
    if (need > data.size() - p) return false;
    std::uint64_t u = rd_le(data.data() + p, static_cast<int>(need));
    p += need;
    if (op == 0x80 && u > 5) return false;
    if (op == 0x95) continue;  // FRAME length is not skipped: frames hold opcodes
    if (arg == Arg::len1 || arg == Arg::len4 || arg == Arg::len8 || arg == Arg::len4_signed) {
      if (u > data.size() - p) return false;
      p += static_cast<std::size_t>(u);
    } else if (arg == Arg::line || arg == Arg::two_lines) {
      for (int k = arg == Arg::line ? 1 : 2; k > 0; --k) {
        const void* nl = std::memchr(data.data() + p, '\n', data.size() - p);
        if (!nl) return false;
        const auto end = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - data.data());
        if (end - p > 4096) return false;
        std::string_view line(reinterpret_cast<const char*>(data.data() + p), end - p);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!valid_line_arg(op, line, k == 1)) return false;
        p = end + 1;
      }
    }
  }
  return false;
}

bool starts_like_pickle(std::span<const std::uint8_t> data, std::uint32_t max_opcodes) {
  std::size_t p = 0;
  std::uint32_t n = 0;
  bool imports = false, calls = false, binary = false;
  auto ident_line = [&](std::size_t& q) {
    const std::size_t start = q;
    while (q < data.size() && q - start < 256 && is_ident_char(data[q])) ++q;
    if (q == start || q >= data.size() || data[q] != '\n') return false;
    ++q;
    return true;
  };
  StackShape shape;
  while (p < data.size() && n++ < max_opcodes) {
    const std::uint8_t op = data[p++];
    const Arg arg = arg_of(op);
    // CPython stops at an opcode it refuses: what came before is what runs.
    if (arg == Arg::invalid || op == '.' || !shape.step(op)) break;
    if (op == 'c' || op == 'i') {
      if (!ident_line(p) || !ident_line(p)) return false;
      imports = true;
      if (op == 'i') calls = true;
      continue;
    }
    if (op == 0x93) imports = true;
    if (op == 'R' || op == 'o' || op == 0x81 || op == 0x92) calls = true;
    std::size_t need = 0;
    switch (arg) {
      case Arg::u1: case Arg::len1: need = 1; break;
      case Arg::u2: need = 2; break;
      case Arg::u4: case Arg::len4: case Arg::len4_signed: need = 4; break;
      case Arg::u8: case Arg::len8: need = 8; break;
      default: break;
    }
    if (need > data.size() - p) break;
    const std::uint64_t u = rd_le(data.data() + p, static_cast<int>(need));
    p += need;
    if (op == 0x80 && u > 5) return false;
    if (op == 0x95) continue;
    if (arg == Arg::len4 || arg == Arg::len8 || arg == Arg::len4_signed) binary = true;
    if (arg == Arg::len1 || arg == Arg::len4 || arg == Arg::len8 || arg == Arg::len4_signed) {
      p += static_cast<std::size_t>(std::min<std::uint64_t>(u, data.size() - p));
    } else if (arg == Arg::line) {
      const void* nl = std::memchr(data.data() + p, '\n', data.size() - p);
      if (!nl) break;
      p = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - data.data()) + 1;
    }
  }
  // Text that happens to start "c<word>\n<word>\n" has no binary-length arguments.
  return imports && (calls || binary);
}

bool is_benign(const PickleReport& r) {
  if (!r.complete) return false;
  for (const auto& a : r.anomalies) {
    if (a.kind != AnomalyKind::nested_pickle) return false;
  }
  for (const auto& g : r.globals) {
    const bool only_instantiated = g.new_count > 0 && g.call_count == 0 && g.build_count == 0;
    if (classify_global(g.module, g.name, !only_instantiated).verdict == Verdict::allowed) continue;
    const bool vetted = is_bytes_loader(g.module, g.name) && g.call_count > 0 && g.vetted_calls == g.call_count &&
                        g.new_count == 0 && g.build_count == 0;
    if (!vetted) return false;
  }
  return true;
}

PickleReport analyze(std::span<const std::uint8_t> data, const PickleLimits& limits) {
  PickleReport report;
  std::uint64_t budget = limits.max_opcodes;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits.max_seconds);
  Vm vm(data, limits, report, 0, 0, budget, deadline);
  vm.run_all();
  if (report.streams == 0 && report.complete) {
    report.complete = false;
    report.incomplete_reason = "no pickle stream";
  }
  return report;
}

std::string_view to_string(AnomalyKind k) {
  switch (k) {
    case AnomalyKind::dynamic_global: return "dynamic-global";
    case AnomalyKind::indirect_call: return "indirect-call";
    case AnomalyKind::build_on_global: return "build-on-global";
    case AnomalyKind::ext_opcode: return "ext-opcode";
    case AnomalyKind::frame_violation: return "frame-violation";
    case AnomalyKind::stack_underflow: return "stack-underflow";
    case AnomalyKind::missing_memo: return "missing-memo";
    case AnomalyKind::hidden_global: return "hidden-global";
    case AnomalyKind::nested_pickle: return "nested-pickle";
    case AnomalyKind::duplicate_proto: return "duplicate-proto";
  }
  return "?";
}

std::string_view to_string(CallOp op) {
  switch (op) {
    case CallOp::reduce: return "REDUCE";
    case CallOp::inst: return "INST";
    case CallOp::obj: return "OBJ";
    case CallOp::newobj: return "NEWOBJ";
    case CallOp::newobj_ex: return "NEWOBJ_EX";
  }
  return "?";
}

}  // namespace mg::pickle
