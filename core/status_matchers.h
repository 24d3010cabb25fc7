// gmock matchers for Status and Result<T>:
//   EXPECT_THAT(DoIt(), IsOk());
//   EXPECT_THAT(Open("x"), StatusIs(StatusCode::kNotFound));
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

}  // namespace strata
