// gmock matchers for Status and Result<T>:
//   EXPECT_THAT(DoIt(), IsOk());
//   EXPECT_THAT(Open("x"), StatusIs(StatusCode::kNotFound));
//   EXPECT_THAT(Open("x"), StatusIs(StatusCode::kNotFound, "no such file x"));  // exact message
#pragma once

#include <gmock/gmock.h>

#include "core/status.h"

namespace strata {

inline const Status& GetStatus(const Status& s) { return s; }
template <class T>
const Status& GetStatus(const Result<T>& r) {
  return r.status();
}

MATCHER(IsOk, "is OK") {
  const Status& s = GetStatus(arg);
  if (!s.ok()) *result_listener << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + std::string(StatusCodeName(code))) {
  const Status& s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message,
           "has status code " + std::string(StatusCodeName(code)) + " and message \"" +
               std::string(message) + "\"") {
  const Status& s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code && s.message() == message;
}

}  // namespace strata
