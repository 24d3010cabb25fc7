// Instants as the rollout files write them: RFC 3339 in UTC with milliseconds
// ("2026-12-02T16:40:00.123Z"), to and from milliseconds since the epoch. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::rollout {

std::string FormatMillis(int64_t millis_since_epoch);
// nullopt unless `text` is "YYYY-MM-DDTHH:MM:SS[.fraction]Z" naming a real instant.
std::optional<int64_t> ParseMillis(std::string_view text);

// "10m" → 600000; "45s", "2h". nullopt for anything else.
std::optional<int64_t> ParseDurationMillis(std::string_view text);

}  // namespace strata::rollout
