#include "core/log_throttle.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(LogThrottleTest, OneLinePerWindowSayingHowManyWereHeldBack) {
  LogThrottle throttle(std::chrono::seconds(10));
  auto start = LogThrottle::Clock::now();
  EXPECT_EQ(throttle.Allow(start), 0u);
  for (int i = 1; i <= 41; ++i) {
    EXPECT_EQ(throttle.Allow(start + std::chrono::milliseconds(200 * i)), std::nullopt);
  }
  EXPECT_EQ(throttle.Allow(start + std::chrono::seconds(10)), 41u);
  EXPECT_EQ(throttle.Allow(start + std::chrono::seconds(11)), std::nullopt);
  EXPECT_EQ(throttle.Allow(start + std::chrono::seconds(25)), 1u);
  EXPECT_EQ(throttle.Allow(start + std::chrono::seconds(40)), 0u);
}

}  // namespace
}  // namespace strata
