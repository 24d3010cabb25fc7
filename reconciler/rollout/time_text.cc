#include "reconciler/rollout/time_text.h"

#include <cstdio>
#include <ctime>

namespace strata::rollout {
namespace {

std::optional<int> DigitsAt(std::string_view text, size_t at, size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::string FormatMillis(int64_t millis_since_epoch) {
  int64_t seconds = millis_since_epoch / 1000;
  int64_t millis = millis_since_epoch % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

std::optional<int64_t> ParseMillis(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.f+]Z
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  auto year = DigitsAt(text, 0, 4), month = DigitsAt(text, 5, 2), day = DigitsAt(text, 8, 2);
  auto hour = DigitsAt(text, 11, 2), minute = DigitsAt(text, 14, 2), second = DigitsAt(text, 17, 2);
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
    millis = *DigitsAt(three, 0, 3);
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

std::optional<int64_t> ParseDurationMillis(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1000;
      break;
    case 'm':
      unit = 60 * 1000;
      break;
    case 'h':
      unit = 3600 * 1000;
      break;
    default:
      return std::nullopt;
  }
  int64_t value = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9' || value > 1'000'000'000) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value * unit;
}

}  // namespace strata::rollout
