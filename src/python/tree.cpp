#include "python/tree.hpp"

namespace mg::py {

std::string_view Tree::text(TSNode n) const {
  const std::uint32_t b = ts_node_start_byte(n), e = ts_node_end_byte(n);
  if (b > e || e > source_.size()) return {};
  return source_.substr(b, e - b);
}

#ifndef MODELGATE_TREE_ARENA
#define MODELGATE_TREE_ARENA 1
#endif

Parser::Parser() {
  TreeArena::install();
  if (MODELGATE_TREE_ARENA == 0) {
    parser_ = ts_parser_new();
    ts_parser_set_language(parser_, tree_sitter_python());
  }
}

bool Parser::enforces_memory_budget() { return MODELGATE_TREE_ARENA != 0; }

Parser::~Parser() {
  if (parser_ != nullptr) ts_parser_delete(parser_);
}

Tree Parser::parse(std::string_view source, std::uint64_t timeout_micros, std::size_t max_tree_bytes) {
  failure_ = Failure::none;
  if (source.size() > UINT32_MAX) return {};
  const auto length = static_cast<std::uint32_t>(source.size());
  if (parser_ != nullptr) {
    ts_parser_reset(parser_);
    ts_parser_set_timeout_micros(parser_, timeout_micros);
    TSTree* t = ts_parser_parse_string(parser_, nullptr, source.data(), length);
    if (t == nullptr) failure_ = Failure::time;
    return Tree(t, source);
  }
  if (arena_ == nullptr || arena_.use_count() > 1) arena_ = std::make_shared<TreeArena>();
  arena_->reset(max_tree_bytes);
  // The TSParser lives in the arena too: its pools hold arena blocks, so it cannot outlive a reset.
  const TreeArena::Scope scope(arena_.get());
  TSParser* p = ts_parser_new();
  ts_parser_set_language(p, tree_sitter_python());
  ts_parser_set_timeout_micros(p, timeout_micros);
  ts_parser_set_cancellation_flag(p, arena_->cancel_flag());
  TSTree* t = ts_parser_parse_string(p, nullptr, source.data(), length);
  ts_parser_delete(p);  // its memory is the arena's, but the grammar's scanner state is malloc'd
  if (t == nullptr) {
    failure_ = arena_->over_budget() ? Failure::memory : Failure::time;
    return {};
  }
  return Tree(t, source, arena_, arena_->spilled());
}

namespace {

// One cursor per thread, reset for each use: ts_tree_cursor_new allocates, and named_children
// runs for most calls and definitions. Never used while another use is in progress.
struct ThreadCursor {
  TSTreeCursor cursor{};
  bool live = false;
  ThreadCursor() = default;
  ThreadCursor(const ThreadCursor&) = delete;
  ThreadCursor& operator=(const ThreadCursor&) = delete;
  ~ThreadCursor() {
    if (live) ts_tree_cursor_delete(&cursor);
  }
  TSTreeCursor& at(TSNode n) {
    if (live) {
      ts_tree_cursor_reset(&cursor, n);
    } else {
      cursor = ts_tree_cursor_new(n);
      live = true;
    }
    return cursor;
  }
};
thread_local ThreadCursor t_cursor;

}  // namespace

NodeList named_children(TSNode n) {
  NodeList out;
  if (ts_node_is_null(n) || ts_node_child_count(n) == 0) return out;
  // A cursor, not ts_node_named_child(n, i): that one walks from the first child on every call.
  TSTreeCursor& cur = t_cursor.at(n);
  for (bool more = ts_tree_cursor_goto_first_child(&cur); more; more = ts_tree_cursor_goto_next_sibling(&cur)) {
    const TSNode c = ts_tree_cursor_current_node(&cur);
    if (ts_node_is_named(c)) out.push_back(c);
  }
  return out;
}

namespace {

// Decodes the body of one string literal piece given its prefix flags.
std::optional<std::string> decode_piece(std::string_view lit) {
  std::size_t i = 0;
  bool raw = false;
  while (i < lit.size() && lit[i] != '\'' && lit[i] != '"') {
    const char c = static_cast<char>(lit[i] | 0x20);
    if (c == 'r') raw = true;
    else if (c != 'b' && c != 'u') return std::nullopt;  // f-strings and unknown prefixes are not literals
    ++i;
  }
  lit.remove_prefix(i);
  std::size_t q = 1;
  if (lit.size() >= 6 && (lit.substr(0, 3) == "'''" || lit.substr(0, 3) == "\"\"\"")) q = 3;
  if (lit.size() < 2 * q) return std::nullopt;
  const std::string_view body = lit.substr(q, lit.size() - 2 * q);
  if (raw) return std::string(body);
  std::string out;
  out.reserve(body.size());
  for (std::size_t k = 0; k < body.size(); ++k) {
    if (body[k] != '\\' || k + 1 == body.size()) {
      out += body[k];
      continue;
    }
    const char e = body[++k];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        // Octal escapes (\157\163 is "os"): up to three digits.
        int v = e - '0';
        for (int d = 0; d < 2 && k + 1 < body.size() && body[k + 1] >= '0' && body[k + 1] <= '7'; ++d) v = v * 8 + (body[++k] - '0');
        out += static_cast<char>(v & 0xff);
        break;
      }
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case '\n': break;
      case 'x': {
        const auto hex = [](char h) -> int {
          if (h >= '0' && h <= '9') return h - '0';
          h = static_cast<char>(h | 0x20);
          return (h >= 'a' && h <= 'f') ? h - 'a' + 10 : -1;
        };
        const int hi = k + 1 < body.size() ? hex(body[k + 1]) : -1;
        const int lo = k + 2 < body.size() ? hex(body[k + 2]) : -1;
        if (hi >= 0 && lo >= 0) {
          out += static_cast<char>(hi * 16 + lo);
          k += 2;
        } else {
          out += "\\x";
        }
        break;
      }
      case 'u': {
        // \uXXXX as UTF-8 (obfuscated names spell ASCII this way).
        unsigned cp = 0;
        bool ok = k + 4 < body.size();
        for (int d = 1; ok && d <= 4; ++d) {
          const char h = static_cast<char>(body[k + static_cast<std::size_t>(d)] | 0x20);
          if (h >= '0' && h <= '9') cp = cp * 16 + static_cast<unsigned>(h - '0');
          else if (h >= 'a' && h <= 'f') cp = cp * 16 + static_cast<unsigned>(h - 'a' + 10);
          else ok = false;
        }
        if (!ok) {
          out += "\\u";
          break;
        }
        k += 4;
        if (cp < 0x80) out += static_cast<char>(cp);
        else if (cp < 0x800) {
          out += static_cast<char>(0xC0 | (cp >> 6));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          out += static_cast<char>(0xE0 | (cp >> 12));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        break;
      }
      default:
        out += '\\';
        out += e;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> string_value(const Tree& tree, TSNode n) {
  // A loop, not recursion: hostile files nest parentheses 100,000 deep.
  while (is(n, "parenthesized_expression") && ts_node_named_child_count(n) == 1) n = ts_node_named_child(n, 0);
  if (is(n, "concatenated_string")) {
    std::string out;
    for (TSNode c : named_children(n)) {
      if (is(c, "comment")) continue;  // a comment between the pieces of an implicit concatenation
      auto piece = string_value(tree, c);
      if (!piece) return std::nullopt;
      out += *piece;
    }
    return out;
  }
  if (!is(n, "string")) return std::nullopt;
  return decode_piece(tree.text(n));  // rejects f-strings, the only strings with interpolations
}

std::optional<std::vector<std::string>> string_list(const Tree& tree, TSNode n) {
  if (auto s = string_value(tree, n)) return std::vector<std::string>{*s};
  if (!is(n, "list") && !is(n, "tuple")) return std::nullopt;
  std::vector<std::string> out;
  for (TSNode c : named_children(n)) {
    if (is(c, "comment")) continue;
    auto s = string_value(tree, c);
    if (!s) return std::nullopt;
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace mg::py
