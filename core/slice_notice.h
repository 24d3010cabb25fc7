// SliceNotice: "the slice ref of satellite X has moved to commit C". The sync controller publishes
// one on `strata.satellites`, keyed by the satellite id, each time it moves
// refs/heads/satellites/<id>; that satellite's agent wakes on it instead of waiting for its next
// poll.
//
// A notice is only a hint. The agent always fetches its ref and verifies the commit's signature
// itself, so a notice that is lost, late, duplicated or forged costs at most one poll interval and
// can never make an agent apply anything.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace strata {

inline constexpr std::string_view kSatellitesTopic = "strata.satellites";

struct SliceNotice {
  std::string satellite;  // "aws-us-west-2-1"
  std::string commit;     // the slice commit the ref now points at (hex)
  std::string cause;      // the fleet commit the slice was cut from (hex)
};

// A small JSON object; deterministic.
std::string EncodeSliceNotice(const SliceNotice& notice);
// kInvalidArgument naming the missing or mistyped field.
Result<SliceNotice> DecodeSliceNotice(std::string_view json);

}  // namespace strata
