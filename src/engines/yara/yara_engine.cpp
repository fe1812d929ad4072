#include "engines/yara/yara_engine.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>
#include <tuple>

#include "core/text.hpp"

namespace mg {

namespace {

constexpr std::uint64_t kSmallTextCap = 1u << 20;  // files without extension, .pth
constexpr std::size_t kSniffBytes = 8192;
constexpr std::size_t kSnippetCap = 200;

constexpr std::array kCodeExt = {"py",  "pyi", "pyw", "pyx", "pxd", "pxi", "ipynb", "sh",  "bash",
                                 "zsh", "bat", "cmd", "ps1", "js",  "mjs", "cjs",   "rb",  "pl",
                                 "lua"};
constexpr std::array kConfigExt = {"json", "yaml", "yml", "toml", "cfg", "ini", "conf", "jinja", "jinja2", "j2", "env"};
constexpr std::array kDocExt = {"md", "rst", "txt"};

template <std::size_t N>
bool in(const std::array<const char*, N>& set, std::string_view ext) {
  return std::any_of(set.begin(), set.end(), [&](const char* e) { return ext == e; });
}

bool looks_text(std::span<const std::uint8_t> head) {
  head = head.first(std::min(head.size(), kSniffBytes));
  return std::memchr(head.data(), 0, head.size()) == nullptr;
}

constexpr std::uint64_t kReadCap = 256u << 10;  // read() instead of mmap() up to this size

// Reads a whole regular file into `out` (reused across files). False on any problem or if the
// file is larger than kReadCap now; the caller then goes through Snapshot::read, which reports it.
bool read_small(const std::string& abs_path, std::vector<std::uint8_t>& out) {
  // O_NONBLOCK: a FIFO planted in the repository must not hang the scan.
  const int fd = open(abs_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) <= kReadCap;
  out.resize(kReadCap + 1);
  std::size_t got = 0;
  while (ok && got < out.size()) {
    const ssize_t n = read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(fd);
  if (!ok || got > kReadCap) return false;  // grew past the cap while we read: map it instead
  out.resize(got);
  return true;
}

// 1-based line and column of a byte offset.
std::pair<std::uint32_t, std::uint32_t> line_col(std::span<const std::uint8_t> data, std::uint64_t offset) {
  offset = std::min<std::uint64_t>(offset, data.size());
  const auto* begin = data.data();
  const auto* at = begin + offset;
  const auto line = 1 + std::count(begin, at, std::uint8_t{'\n'});
  const auto* line_start = at;
  while (line_start > begin && line_start[-1] != '\n') --line_start;
  return {static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(at - line_start + 1)};
}

std::string line_snippet(std::span<const std::uint8_t> data, std::uint64_t offset) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  offset = std::min<std::uint64_t>(offset, text.size());
  const auto start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t from = (start == std::string_view::npos || offset == 0) ? 0 : start + 1;
  auto end = text.find('\n', offset);
  if (end == std::string_view::npos) end = text.size();
  // Minified or single-line blobs: keep the window around the match, not the whole line.
  std::size_t a = from, b = end;
  if (b - a > kSnippetCap) {
    a = std::max<std::size_t>(from, offset > 40 ? offset - 40 : 0);
    b = std::min(end, a + kSnippetCap);
  }
  return sanitize_utf8(trim(text.substr(a, b - a)));
}

Finding to_finding(const CompiledRules& rules, const YaraMatch& m, std::string_view path, YaraFileKind kind,
                   std::span<const std::uint8_t> data, const LoadPlan* plan) {
  const YaraRuleMeta& meta = rules.metas()[m.rule_index];
  std::string message = meta.description;
  if (!m.strings.empty()) {
    message += " (matched";
    for (const auto& s : m.strings) message += ' ' + s;
    message += ')';
  }
  const RuleInfo* info = rules.bundled() ? RuleRegistry::builtin().find(meta.id) : nullptr;
  Finding f;
  if (info != nullptr) {
    f = make_finding(*info, std::string(path), std::move(message));
  } else {
    f.rule_id = meta.id;
    f.title = meta.description;
    f.message = std::move(message);
    f.severity = meta.severity;
    f.confidence = meta.confidence;
    f.cwe = meta.cwe;
    f.file = std::string(path);
  }
  f.engine = "yara";
  if (m.located) {
    // Patterns often start on the delimiter before a name ([^.\w]exec): skip leading blanks so
    // the location is the line of the code itself.
    std::uint64_t at = m.offset;
    const std::uint64_t end = std::min<std::uint64_t>(m.offset + m.length, data.size());
    while (at + 1 < end && (data[at] == '\n' || data[at] == '\r' || data[at] == ' ' || data[at] == '\t')) ++at;
    std::tie(f.line, f.column) = line_col(data, at);
    f.snippet = line_snippet(data, at);
  }
  if (kind == YaraFileKind::doc) {
    f.severity = std::min(f.severity, Severity::medium);
    f.load_reachable = Reach::no;
  } else if (plan != nullptr && std::binary_search(plan->module_files.begin(), plan->module_files.end(), path)) {
    f.load_reachable = Reach::yes;
    const auto ep = std::find_if(plan->entry_points.begin(), plan->entry_points.end(),
                                 [&](const EntryPoint& e) { return e.file == path; });
    if (ep != plan->entry_points.end()) f.reach_path.push_back(ep->trigger);
    else if (!plan->triggers.empty()) f.reach_path.push_back(plan->triggers.front().file + ":" + plan->triggers.front().key);
    f.reach_path.push_back(std::string(path) + ":<module>");
  }
  return f;
}

// Kind from the name alone; nullopt when the bytes must decide.
std::optional<YaraFileKind> kind_by_name(std::string_view path) {
  const std::string_view base = basename(path);
  const auto dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;  // no extension, or a dotfile
  const std::string ext = to_lower(base.substr(dot + 1));
  if (ext == "pth") return std::nullopt;  // a torch checkpoint, or a site-packages path hook
  if (in(kCodeExt, ext)) return YaraFileKind::code;
  if (in(kConfigExt, ext)) return YaraFileKind::config;
  if (in(kDocExt, ext)) return YaraFileKind::doc;
  return YaraFileKind::other;
}

class YaraEngine final : public Engine {
 public:
  explicit YaraEngine(YaraEngineOptions options) : options_(std::move(options)) {}
  std::string_view name() const override { return "yara"; }
  void run(const EngineContext& ctx, EngineOutput& out) const override;

 private:
  YaraEngineOptions options_;
};

void YaraEngine::run(const EngineContext& ctx, EngineOutput& out) const {
  std::vector<CompiledRulesPtr> sets;
  if (options_.bundled) {
    const auto& bundled = bundled_yara_rules();
    if (!bundled) {
      out.incomplete.push_back({"", "bundled YARA rules unavailable: " + bundled.error().message});
    } else {
      sets.push_back(*bundled);
    }
  }
  if (options_.user_rules) sets.push_back(options_.user_rules);
  if (sets.empty()) return;
  const bool user = options_.user_rules != nullptr;

  // Pick the files first, by name, so weights are never mapped.
  std::vector<const FileEntry*> work;
  std::uint64_t total = 0;
  for (const auto& f : ctx.snapshot.files) {
    const auto kind = kind_by_name(f.path);
    if (kind == YaraFileKind::other && !user) continue;
    if (!kind && f.size > kSmallTextCap && !user) continue;
    if (f.size > ctx.limits.max_yara_file_bytes) {
      if (kind == YaraFileKind::code) out.incomplete.push_back({f.path, "larger than the YARA scan limit"});
      continue;
    }
    work.push_back(&f);
    total += f.size;
  }
  if (work.empty()) return;

  unsigned threads = options_.threads != 0 ? options_.threads : std::min(8u, ctx.thread_budget());
  // Threads only pay off on real volume.
  if (total < (256u << 10)) threads = 1;
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, work.size()));

  std::vector<EngineOutput> per_file(work.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::string failure;
  auto worker = [&](bool first) {
    auto scanner = YaraFileScanner::create(sets, ctx.limits);
    if (!scanner) {
      if (first) failure = scanner.error().message;
      failed = true;
      return;
    }
    std::vector<std::uint8_t> buffer;
    buffer.reserve(kReadCap + 1);
    for (std::size_t i = next++; i < work.size(); i = next++) {
      const FileEntry& f = *work[i];
      // Small files on disk: one read into a reused buffer costs less than mapping and unmapping.
      if (f.member < 0 && !f.abs_path.empty() && f.size <= kReadCap) {
        if (read_small(f.abs_path, buffer)) {
          scanner->scan(f.path, buffer, &ctx.plan, per_file[i]);
          continue;
        }
      }
      auto blob = ctx.read(f);
      if (!blob) {
        if (kind_by_name(f.path) == YaraFileKind::code) per_file[i].incomplete.push_back({f.path, blob.error().message});
        continue;
      }
      scanner->scan(f.path, (*blob)->bytes(), &ctx.plan, per_file[i]);
    }
  };
  if (threads <= 1) {
    worker(true);
  } else {
    std::vector<std::jthread> pool;
    try {
      for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, false);
    } catch (const std::system_error&) {
      // Out of threads: the workers already started, and this one, share the queue.
    }
    worker(true);
  }
  if (failed && next.load() == 0) {
    out.incomplete.push_back({"", "YARA engine could not start: " + failure});
    return;
  }
  for (auto& r : per_file) {
    for (auto& f : r.findings) out.findings.push_back(std::move(f));
    for (auto& inc : r.incomplete) out.incomplete.push_back(std::move(inc));
  }
}

}  // namespace

YaraFileKind yara_file_kind(std::string_view path, std::span<const std::uint8_t> head) {
  if (auto k = kind_by_name(path)) return *k;
  return looks_text(head) ? YaraFileKind::code : YaraFileKind::other;
}

Result<YaraFileScanner> YaraFileScanner::create(const std::vector<CompiledRulesPtr>& sets, const Limits& limits) {
  YaraFileScanner fs;
  fs.limits_ = limits;
  for (const auto& s : sets) {
    auto scanner = YaraScanner::create(s, limits.yara_timeout_seconds);
    if (!scanner) return scanner.error();
    fs.scanners_.push_back(std::move(*scanner));
  }
  return fs;
}

void YaraFileScanner::scan(std::string_view path, std::span<const std::uint8_t> data, const LoadPlan* plan,
                           EngineOutput& out) {
  YaraFileKind kind = yara_file_kind(path, data);
  const bool small_text_only = !kind_by_name(path).has_value();
  if (small_text_only && kind == YaraFileKind::code && data.size() > kSmallTextCap) kind = YaraFileKind::other;
  if (data.size() > limits_.max_yara_file_bytes) {
    if (kind == YaraFileKind::code) out.incomplete.push_back({std::string(path), "larger than the YARA scan limit"});
    return;
  }
  for (auto& scanner : scanners_) {
    const CompiledRules& rules = scanner.rules();
    if (rules.bundled() && kind == YaraFileKind::other) continue;
    auto result = scanner.scan(data);
    if (!result) {
      out.incomplete.push_back({std::string(path), result.error().message});
      continue;
    }
    if (!result->truncated.empty()) out.incomplete.push_back({std::string(path), result->truncated});
    for (const auto& m : result->matches) out.findings.push_back(to_finding(rules, m, path, kind, data, plan));
  }
}

std::unique_ptr<Engine> make_yara_engine(YaraEngineOptions options) {
  return std::make_unique<YaraEngine>(std::move(options));
}

}  // namespace mg
