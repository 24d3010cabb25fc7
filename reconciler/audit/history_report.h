// How `strata history` shows a History: human text, or JSON with stable field names:
//   [{"commit", "author": {"name", "email"}, "time", "subject", "path", "change",
//     "renamedFrom" (only after a rename), "fields": [{"path", "before", "after"}],
//     "caused": [{"commit", "controller", "cause", "time", "subject",
//                 "files": [{"path", "change", "fields": [...]}]}]}]
// ("before"/"after" are null for a field that was absent). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reconciler/audit/history.h"

namespace strata::audit {

std::string HistoryText(const History& history, const std::string& branch);
nlohmann::ordered_json HistoryJson(const History& history);

}  // namespace strata::audit
