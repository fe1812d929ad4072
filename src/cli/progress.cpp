#include "cli/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>

namespace mg {

namespace {

std::size_t terminal_width(std::FILE* out) {
  winsize ws{};
  if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

// Cuts `s` to `n` bytes without splitting a UTF-8 sequence.
std::string_view cut_utf8(std::string_view s, std::size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

ProgressBar::ProgressBar(std::FILE* out, bool enabled, std::string unit)
    : out_(out), active_(enabled && out != nullptr && isatty(fileno(out)) != 0), unit_(std::move(unit)) {}

ProgressBar::~ProgressBar() { finish(); }

std::string ProgressBar::render(std::size_t done, std::size_t total, double elapsed_s, std::string_view unit, std::string_view detail,
                                std::size_t width) {
  constexpr std::size_t kBar = 24;
  const double fraction = total == 0 ? 1.0 : std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const auto filled = static_cast<std::size_t>(fraction * kBar);
  std::string bar(filled, '#');
  bar.resize(kBar, '.');
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  const double eta = done >= total ? 0 : rate > 0 ? static_cast<double>(total - done) / rate : -1;
  char head[160];
  std::snprintf(head, sizeof head, "[%s] %zu/%zu %3.0f%%  %.2f %.*s  ETA %s", bar.c_str(), done, total, fraction * 100, rate,
                static_cast<int>(unit.size()), unit.data(), format_duration(eta).c_str());
  std::string line = head;
  if (!detail.empty()) line += "  " + std::string(detail);
  return std::string(cut_utf8(line, width > 1 ? width - 1 : 0));  // the last column would wrap on some terminals
}

void ProgressBar::update(std::size_t done, std::size_t total, std::string_view detail) {
  if (!active_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::string line = render(done, total, elapsed, unit_, detail, terminal_width(out_));
  std::fprintf(out_, "\r\x1b[K%s", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!active_ || !drawn_) return;
  std::fprintf(out_, "\r\x1b[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace mg
