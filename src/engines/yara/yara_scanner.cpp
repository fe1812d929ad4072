#include "engines/yara/yara_scanner.hpp"

#include <yara.h>

#include <cstring>
#include <utility>

namespace mg {

namespace {

struct ScanState {
  const YR_RULES* rules;
  YaraScanResult result;
};

YaraMatch describe_match(YR_SCAN_CONTEXT* ctx, const YR_RULES* rules, const YR_RULE* rule) {
  YaraMatch m;
  m.rule_index = static_cast<std::size_t>(rule - rules->rules_table);
  const YR_STRING* string = nullptr;
  yr_rule_strings_foreach(rule, string) {
    // Lists are kept sorted by offset, so the first non-private match is the earliest. libyara
    // 4.2 packs matches unaligned in its notebook: read each by copy (yr_string_matches_foreach
    // would access the fields in place, undefined behaviour that UBSan reports).
    for (const YR_MATCH* p = ctx->matches[string->idx].head; p != nullptr;) {
      YR_MATCH match;
      std::memcpy(&match, p, sizeof match);
      p = match.next;
      if (match.is_private) continue;
      const auto at = static_cast<std::uint64_t>(match.base + match.offset);
      if (!m.located || at < m.offset) {
        m.offset = at;
        m.length = static_cast<std::uint64_t>(match.match_length);
      }
      m.located = true;
      m.strings.emplace_back(string->identifier);
      break;
    }
  }
  return m;
}

int on_scan_message(YR_SCAN_CONTEXT* ctx, int message, void* message_data, void* user_data) {
  auto* st = static_cast<ScanState*>(user_data);
  if (message == CALLBACK_MSG_RULE_MATCHING) {
    st->result.matches.push_back(describe_match(ctx, st->rules, static_cast<const YR_RULE*>(message_data)));
  } else if (message == CALLBACK_MSG_TOO_MANY_MATCHES && st->result.truncated.empty()) {
    const auto* s = static_cast<const YR_STRING*>(message_data);
    const YR_RULE* r = &st->rules->rules_table[s->rule_idx];
    st->result.truncated = std::string("too many matches for ") + s->identifier + " in rule " + r->identifier;
  }
  return CALLBACK_CONTINUE;
}

std::string scan_error_text(int rc, int timeout) {
  switch (rc) {
    case ERROR_SCAN_TIMEOUT: return "YARA scan timed out after " + std::to_string(timeout) + " s";
    case ERROR_INSUFFICIENT_MEMORY: return "YARA scan ran out of memory";
    case ERROR_TOO_MANY_MATCHES: return "YARA scan stopped: too many matches";
    case ERROR_COULD_NOT_MAP_FILE: return "YARA scan could not read the file";
    default: return "YARA scan failed (libyara error " + std::to_string(rc) + ")";
  }
}

}  // namespace

Result<YaraScanner> YaraScanner::create(CompiledRulesPtr rules, int timeout_seconds) {
  if (!rules || !yara_initialized()) return make_error("no YARA rules");
  YR_SCANNER* s = nullptr;
  if (yr_scanner_create(rules->get(), &s) != ERROR_SUCCESS) return make_error("cannot create a YARA scanner");
  // Bundled rules avoid match counts, so the first match of each string is all they need.
  yr_scanner_set_flags(s, rules->bundled() ? SCAN_FLAGS_FAST_MODE : 0);
  if (timeout_seconds > 0) yr_scanner_set_timeout(s, timeout_seconds);
  return YaraScanner(std::move(rules), s, timeout_seconds);
}

YaraScanner::~YaraScanner() {
  if (scanner_ != nullptr) yr_scanner_destroy(scanner_);
}

YaraScanner::YaraScanner(YaraScanner&& other) noexcept
    : rules_(std::move(other.rules_)), scanner_(std::exchange(other.scanner_, nullptr)), timeout_(other.timeout_) {}

YaraScanner& YaraScanner::operator=(YaraScanner&& other) noexcept {
  if (this != &other) {
    if (scanner_ != nullptr) yr_scanner_destroy(scanner_);
    rules_ = std::move(other.rules_);
    scanner_ = std::exchange(other.scanner_, nullptr);
    timeout_ = other.timeout_;
  }
  return *this;
}

Result<YaraScanResult> YaraScanner::scan(std::span<const std::uint8_t> data) {
  static const std::uint8_t kEmpty = 0;
  ScanState st{rules_->get(), {}};
  yr_scanner_set_callback(scanner_, on_scan_message, &st);
  // libyara guards memory access during the scan (a mapped file truncated underneath us
  // raises SIGBUS, which it turns into an error instead of a crash).
  const int rc = yr_scanner_scan_mem(scanner_, data.empty() ? &kEmpty : data.data(), data.size());
  if (rc != ERROR_SUCCESS) return make_error(scan_error_text(rc, timeout_));
  return std::move(st.result);
}

}  // namespace mg
