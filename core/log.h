// Process-wide logging on spdlog. Logs go to standard error so that standard output stays the
// command's own result (a report, JSON for scripts).
//   human: "2026-11-22 10:00:00.123 info  pkc: 3 paths → commit 1a2b3c [controller=pkc]"
//   json:  {"time":"...","level":"info","controller":"pkc","msg":"pkc: 3 paths → commit 1a2b3c"}
// one object per line. The fields come from the LogFields scopes alive on the logging thread: the
// controller, satellite, key and commit a line concerns, so that logs can be filtered by them.
// Call InitLogging once at start-up; spdlog's default logger is thread-safe afterwards.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>
#include <string_view>

#include "core/status.h"

namespace strata {

enum class LogFormat { kHuman, kJson };

// level: trace, debug, info, warn, error, off. Returns kInvalidArgument for an unknown level.
Status InitLogging(LogFormat format, std::string_view level);

// What InitLogging was last given (kHuman, "warn" before it is called): what child processes get.
LogFormat CurrentLogFormat();
std::string CurrentLogLevel();

// Fields added to every line this thread logs while the scope lives. Nested scopes add to the
// outer ones; a field set again by an inner scope replaces the outer value on the line (so JSON
// lines never repeat a key). Values are copied.
class LogFields {
 public:
  LogFields(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
  ~LogFields();
  LogFields(const LogFields&) = delete;
  LogFields& operator=(const LogFields&) = delete;

 private:
  size_t outer_size_;
};

// Escapes `text` for use inside a JSON string (without the surrounding quotes).
std::string JsonEscape(std::string_view text);

}  // namespace strata
