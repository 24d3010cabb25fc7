// Instants on the command line of `strata usage` and `strata history --since`: a date
// (`2026-03-01`, midnight UTC) or an RFC 3339 timestamp (`2026-03-01T12:00:00Z`,
// `2026-03-01T14:00:00+02:00`; fractions of a second are dropped), as seconds since the epoch (back to
// RFC 3339 in UTC is FormatRfc3339Utc, core/change_event.h). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace strata::audit {

// kInvalidArgument naming the text and the form expected when it is neither form or not a real
// date ("2026-02-30").
Result<int64_t> ParseInstant(std::string_view text);


}  // namespace strata::audit
