#include "core/status.h"

#include <gtest/gtest.h>

#include "core/status_matchers.h"

namespace strata {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("not positive: " + std::to_string(v));
  return v;
}

Result<int> Doubled(int v) {
  ASSIGN_OR_RETURN(int parsed, ParsePositive(v));
  return parsed * 2;
}

Status CheckBoth(int a, int b) {
  RETURN_IF_ERROR(ParsePositive(a).status());
  RETURN_IF_ERROR(ParsePositive(b).status());
  return Status::Ok();
}

TEST(StatusTest, OkByDefaultAndCodesNamed) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status::NotFound("x").ToString(), "NotFound: x");
  EXPECT_EQ(Status::Aborted("lost race").WithContext("moving main").ToString(),
            "Aborted: moving main: lost race");
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Doubled(4), 8);
  Result<int> bad = Doubled(-1);
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(bad.status().message(), "not positive: -1");
}

TEST(StatusTest, ReturnIfErrorStopsAtTheFirstFailure) {
  EXPECT_THAT(CheckBoth(1, 2), IsOk());
  EXPECT_EQ(CheckBoth(1, -2).message(), "not positive: -2");
}

TEST(StatusTest, ResultFromOkStatusIsAnInternalError) {
  Result<int> r{Status::Ok()};
  EXPECT_THAT(r, StatusIs(StatusCode::kInternal));
}

}  // namespace
}  // namespace strata
