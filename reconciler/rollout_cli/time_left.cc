#include "reconciler/rollout_cli/time_left.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

namespace strata::rollout_cli {
namespace {

// The digits of text[at, at + n) as a number; nullopt unless all are digits.
std::optional<int> Digits(std::string_view text, size_t at, size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

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

std::optional<int64_t> ParseUtcMillis(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.f+]Z
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  auto year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  auto hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  int64_t millis = 0;
  if (text.size() > 20) {
    if (text[19] != '.' || text.size() == 21) return std::nullopt;
    std::string_view fraction = text.substr(20, text.size() - 21);
    for (size_t i = 0; i < fraction.size(); ++i) {
      if (fraction[i] < '0' || fraction[i] > '9') return std::nullopt;
    }
    std::string three = std::string(fraction.substr(0, 3));
    three.resize(3, '0');
    millis = *Digits(three, 0, 3);
  } else if (text[19] != 'Z') {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  std::tm check = tm;
  std::time_t seconds = timegm(&tm);
  // timegm normalises 02-30 to 03-02: a date that moved was not a real one.
  if (tm.tm_mon != check.tm_mon || tm.tm_mday != check.tm_mday || tm.tm_hour != check.tm_hour ||
      tm.tm_min != check.tm_min || tm.tm_sec != check.tm_sec) {
    return std::nullopt;
  }
  return static_cast<int64_t>(seconds) * 1000 + millis;
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
