#include "reconciler/audit/dates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/change_event.h"

namespace strata::audit {
namespace {

TEST(DatesTest, ADateIsMidnightUtc) {
  EXPECT_EQ(*ParseInstant("1970-01-01"), 0);
  EXPECT_EQ(*ParseInstant("2026-03-01"), 1772323200);
  EXPECT_EQ(*ParseInstant("2024-02-29"), 1709164800);  // a leap day
}

TEST(DatesTest, Rfc3339WithZuluAnOffsetOrAFraction) {
  EXPECT_EQ(*ParseInstant("2026-03-01T12:00:00Z"), 1772323200 + 12 * 3600);
  EXPECT_EQ(*ParseInstant("2026-03-01T14:00:00+02:00"), 1772323200 + 12 * 3600);
  EXPECT_EQ(*ParseInstant("2026-03-01T07:30:00-04:30"), 1772323200 + 12 * 3600);
  EXPECT_EQ(*ParseInstant("2026-03-01t12:00:00.999z"), 1772323200 + 12 * 3600);
}

TEST(DatesTest, RefusesWhatIsNotARealInstant) {
  for (const char* text :
       {"", "2026", "2026-3-1", "2026-02-30", "2025-02-29", "2026-13-01", "2026-03-01T12:00:00",
        "2026-03-01T25:00:00Z", "2026-03-01T12:00Z", "2026-03-01T12:00:00+0200",
        "2026-03-01T12:00:00.Z", "yesterday", "2026-03-01T12:00:00Zjunk"}) {
    Result<int64_t> parsed = ParseInstant(text);
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(parsed.status().message(), ::testing::HasSubstr("expected YYYY-MM-DD")) << text;
  }
}

TEST(DatesTest, FormatsUtcBothSidesOfTheEpoch) {
  EXPECT_EQ(FormatRfc3339Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(1772323200 + 12 * 3600 + 61), "2026-03-01T12:01:01Z");
  EXPECT_EQ(FormatRfc3339Utc(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339Utc(*ParseInstant("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
}

}  // namespace
}  // namespace strata::audit
