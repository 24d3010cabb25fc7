// LogThrottle: at most one log line per window for something outsiders can make happen at will
// (a refused webhook), so that a flood of them cannot fill the disk or bury every other line.
// The line that gets through says how many were held back since the last one. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace strata {

class LogThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogThrottle(Clock::duration window) : window_(window) {}

  // Whether to log this occurrence at `now`: the number held back since the last logged one
  // (0 for the first), or nullopt to hold this one back.
  std::optional<uint64_t> Allow(Clock::time_point now = Clock::now()) {
    std::lock_guard lock(mu_);
    if (logged_once_ && now - last_logged_ < window_) {
      ++held_back_;
      return std::nullopt;
    }
    logged_once_ = true;
    last_logged_ = now;
    uint64_t held = held_back_;
    held_back_ = 0;
    return held;
  }

 private:
  const Clock::duration window_;
  std::mutex mu_;
  bool logged_once_ = false;
  Clock::time_point last_logged_{};
  uint64_t held_back_ = 0;
};

}  // namespace strata
