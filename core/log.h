// Process-wide logging on spdlog. Logs go to standard error so that standard output stays the
// command's own result (a report, JSON for scripts).
//   human: "2026-11-22 10:00:00.123 info  reconciled main@1a2b3c"
//   json:  {"time":"...","level":"info","msg":"reconciled main@1a2b3c"} one object per line
// Call InitLogging once at start-up; spdlog's default logger is thread-safe afterwards.
#pragma once

#include <string_view>

#include "core/status.h"

namespace strata {

enum class LogFormat { kHuman, kJson };

// level: trace, debug, info, warn, error, off. Returns kInvalidArgument for an unknown level.
Status InitLogging(LogFormat format, std::string_view level);

// Escapes `text` for use inside a JSON string (without the surrounding quotes).
std::string JsonEscape(std::string_view text);

}  // namespace strata
