// A one-line progress bar on standard error for multi-target runs (scan, study run): done/total,
// a bar, the rate and an ETA, redrawn at most ten times a second. It draws only on a terminal and
// never when the user asked for quiet, so pipes and CI logs get no carriage returns.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace mg {

class ProgressBar {
 public:
  // `enabled`: the caller's wish (not --quiet); the bar also stays silent when `out` is not a
  // terminal. `unit` names what is counted in the rate ("targets/s").
  ProgressBar(std::FILE* out, bool enabled, std::string unit);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  bool active() const { return active_; }

  // Records progress; redraws when 100 ms passed since the last draw or the run is complete.
  // `detail` follows the counts (the target just finished, or the study's tallies).
  void update(std::size_t done, std::size_t total, std::string_view detail);
  // Clears the line (idempotent); called by the destructor.
  void finish();

  // The line for a state, `width` columns at most (exposed for tests).
  static std::string render(std::size_t done, std::size_t total, double elapsed_s, std::string_view unit, std::string_view detail,
                            std::size_t width);

 private:
  std::FILE* out_;
  bool active_;
  std::string unit_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

// "1:05", "2:03:00", "?" for a negative or unknown duration.
std::string format_duration(double seconds);

}  // namespace mg
