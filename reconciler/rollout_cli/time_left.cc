#include "reconciler/rollout_cli/time_left.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace strata::rollout_cli {
TimeLeft EstimateTimeLeft(std::vector<int64_t> done_at_millis, int64_t not_done, bool complete) {
  TimeLeft left;
  left.not_done = not_done;
  if (complete) {
    left.kind = TimeLeft::Kind::kDone;
    return left;
  }
  if (done_at_millis.size() < 2) return left;
  std::sort(done_at_millis.begin(), done_at_millis.end());
  size_t window = std::min(done_at_millis.size(), kPaceWindow);
  int64_t first = done_at_millis[done_at_millis.size() - window];
  int64_t last = done_at_millis.back();
  left.kind = TimeLeft::Kind::kEstimate;
  left.based_on = window;
  left.millis_per_cluster = (last - first) / static_cast<int64_t>(window - 1);
  left.millis = left.millis_per_cluster * std::max<int64_t>(not_done, 0);
  return left;
}

std::string FormatDuration(int64_t millis) {
  int64_t s = std::max<int64_t>(millis, 0) / 1000;
  char text[48];
  if (s < 60) {
    std::snprintf(text, sizeof text, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else if (s < 86400) {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else {
    std::snprintf(text, sizeof text, "%lldd%02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  }
  return text;
}

std::optional<int64_t> ParseIntervalMillis(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  constexpr int64_t kDay = 24 * 3600 * 1000;
  if (error != std::errc() || value <= 0 || value > kDay) return std::nullopt;
  std::string_view unit(end, text.data() + text.size() - end);
  int64_t scale = unit == "ms"                  ? 1
                  : unit.empty() || unit == "s" ? 1000
                  : unit == "m"                 ? 60 * 1000
                  : unit == "h"                 ? 3600 * 1000
                                                : 0;
  if (scale == 0 || value * scale > kDay) return std::nullopt;
  return value * scale;
}

}  // namespace strata::rollout_cli
