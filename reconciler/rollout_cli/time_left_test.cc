#include "reconciler/rollout_cli/time_left.h"

#include "reconciler/rollout/time_text.h"

#include <gtest/gtest.h>

namespace strata::rollout_cli {
namespace {

TEST(TimeLeft, UnknownUntilTwoAreDoneAndDoneWhenComplete) {
  EXPECT_EQ(EstimateTimeLeft({}, 5, false).kind, TimeLeft::Kind::kUnknown);
  EXPECT_EQ(EstimateTimeLeft({1000}, 5, false).kind, TimeLeft::Kind::kUnknown);
  TimeLeft done = EstimateTimeLeft({1000}, 0, true);
  EXPECT_EQ(done.kind, TimeLeft::Kind::kDone);
}

TEST(TimeLeft, PaceOfTheLastDoneTimesTimesTheClustersNotDone) {
  // Out of order on purpose; 60 s apart.
  TimeLeft left = EstimateTimeLeft({120'000, 0, 60'000}, 7, false);
  ASSERT_EQ(left.kind, TimeLeft::Kind::kEstimate);
  EXPECT_EQ(left.millis_per_cluster, 60'000);
  EXPECT_EQ(left.based_on, 3u);
  EXPECT_EQ(left.not_done, 7);
  EXPECT_EQ(left.millis, 420'000);

  // Only the last kPaceWindow count: a slow start no longer slows the estimate.
  std::vector<int64_t> times = {0};
  for (size_t i = 0; i < kPaceWindow; ++i) times.push_back(3'600'000 + int64_t(i) * 10'000);
  TimeLeft recent = EstimateTimeLeft(times, 3, false);
  EXPECT_EQ(recent.based_on, kPaceWindow);
  EXPECT_EQ(recent.millis_per_cluster, 10'000);
  EXPECT_EQ(recent.millis, 30'000);
}

TEST(TimeLeft, ParsesTheInstantsTheControllerWrites) {
  EXPECT_EQ(rollout::ParseMillis("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(rollout::ParseMillis("2026-12-02T16:40:00.123Z"), 1796229600123);
  EXPECT_EQ(rollout::ParseMillis("2026-12-02T16:40:00.5Z"), 1796229600500);
  EXPECT_EQ(rollout::ParseMillis("2026-12-02T16:40:00.123456789Z"), 1796229600123);
  EXPECT_FALSE(rollout::ParseMillis("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(rollout::ParseMillis("2026-12-02T16:40:00+01:00"));
  EXPECT_FALSE(rollout::ParseMillis("2026-12-02T16:40:00.Z"));
  EXPECT_FALSE(rollout::ParseMillis("yesterday"));
  EXPECT_FALSE(rollout::ParseMillis(""));
}

TEST(TimeLeft, FormatsDurationsForPeople) {
  EXPECT_EQ(FormatDuration(-5), "0s");
  EXPECT_EQ(FormatDuration(42'999), "42s");
  EXPECT_EQ(FormatDuration(750'000), "12m30s");
  EXPECT_EQ(FormatDuration(3'900'000), "1h05m");
  EXPECT_EQ(FormatDuration(183'600'000), "2d03h");
}

TEST(TimeLeft, ParsesWatchIntervals) {
  EXPECT_EQ(ParseIntervalMillis("2s"), 2000);
  EXPECT_EQ(ParseIntervalMillis("3"), 3000);
  EXPECT_EQ(ParseIntervalMillis("500ms"), 500);
  EXPECT_EQ(ParseIntervalMillis("1m"), 60'000);
  EXPECT_EQ(ParseIntervalMillis("1h"), 3'600'000);
  EXPECT_FALSE(ParseIntervalMillis("0s"));
  EXPECT_FALSE(ParseIntervalMillis("-1s"));
  EXPECT_FALSE(ParseIntervalMillis("2x"));
  EXPECT_FALSE(ParseIntervalMillis("25h"));
  EXPECT_FALSE(ParseIntervalMillis("soon"));
}

}  // namespace
}  // namespace strata::rollout_cli
