#include "reconciler/audit/dates.h"

#include <cstdio>
#include <optional>

namespace strata::audit {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil), so that
// no time zone or TZ variable of the machine can shift a bill.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// The digits at text[at, at + n) as a number; nullopt when any is not a digit or out of range.
std::optional<int64_t> Digits(std::string_view text, size_t at, size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int64_t value = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

Result<int64_t> ParseInstant(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a date: " + std::string(why) +
                                   " (expected YYYY-MM-DD or an RFC 3339 time such as "
                                   "2026-03-01T12:00:00Z)");
  };
  auto year = Digits(text, 0, 4);
  auto month = Digits(text, 5, 2);
  auto day = Digits(text, 8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-') return bad("no YYYY-MM-DD");
  if (*month < 1 || *month > 12) return bad("no month " + std::to_string(*month));
  if (*day < 1 || *day > DaysInMonth(*year, *month)) return bad("no such day in that month");
  int64_t seconds = DaysFromCivil(*year, *month, *day) * 86400;
  if (text.size() == 10) return seconds;

  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return bad("no 'T' after the date");
  auto hour = Digits(text, 11, 2);
  auto minute = Digits(text, 14, 2);
  auto second = Digits(text, 17, 2);
  if (!hour || !minute || !second || text[13] != ':' || text[16] != ':') {
    return bad("no HH:MM:SS after the date");
  }
  // 60 is a leap second: it counts as the next second's first instant.
  if (*hour > 23 || *minute > 59 || *second > 60) return bad("no such time of day");
  seconds += *hour * 3600 + *minute * 60 + *second;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    size_t digits = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == digits) return bad("no digits after the '.'");
  }
  if (at == text.size()) return bad("no time zone (Z or ±HH:MM)");
  if (text[at] == 'Z' || text[at] == 'z') {
    if (at + 1 != text.size()) return bad("text after the time zone");
    return seconds;
  }
  if (text[at] != '+' && text[at] != '-') return bad("no time zone (Z or ±HH:MM)");
  auto offset_hour = Digits(text, at + 1, 2);
  auto offset_minute = Digits(text, at + 4, 2);
  if (!offset_hour || !offset_minute || text[at + 3] != ':' || at + 6 != text.size() ||
      *offset_hour > 23 || *offset_minute > 59) {
    return bad("the time zone is not ±HH:MM");
  }
  int64_t offset = *offset_hour * 3600 + *offset_minute * 60;
  return text[at] == '+' ? seconds - offset : seconds + offset;
}


}  // namespace strata::audit
