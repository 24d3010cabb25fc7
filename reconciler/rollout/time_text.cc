#include "reconciler/rollout/time_text.h"

#include <cstdio>
#include <ctime>

namespace strata::rollout {
namespace {

bool Digits(std::string_view text, size_t at, size_t n, int* out) {
  if (at + n > text.size()) return false;
  int value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
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
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z') {
    return std::nullopt;
  }
  if (!Digits(text, 0, 4, &year) || !Digits(text, 5, 2, &month) || !Digits(text, 8, 2, &day) ||
      !Digits(text, 11, 2, &hour) || !Digits(text, 14, 2, &minute) ||
      !Digits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  int64_t millis = 0;
  size_t at = 19;
  if (text[at] == '.') {
    int64_t scale = 100;
    for (++at; at + 1 < text.size(); ++at) {
      if (text[at] < '0' || text[at] > '9') return std::nullopt;
      millis += (text[at] - '0') * scale;
      scale /= 10;
    }
  } else if (at + 1 != text.size()) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = timegm(&tm);
  std::tm back{};
  gmtime_r(&t, &back);
  if (back.tm_mday != day || back.tm_mon != month - 1 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;  // "2026-02-30" normalises to another day
  }
  return static_cast<int64_t>(t) * 1000 + millis;
}

std::optional<int64_t> ParseDurationMillis(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1000; break;
    case 'm': unit = 60 * 1000; break;
    case 'h': unit = 3600 * 1000; break;
    default: return std::nullopt;
  }
  int64_t value = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9' || value > 1'000'000'000) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value * unit;
}

std::string FormatDuration(int64_t millis) {
  int64_t seconds = (millis + 999) / 1000;
  int64_t h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60;
  std::string out;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  if (h == 0) out += std::to_string(s) + "s";
  return out;
}

}  // namespace strata::rollout
