// agent.json, the agent's progress in its state directory: the satellite it belongs to, the slice
// commit taken as target, the last one wholly applied, the target's fleet commit, and the work
// taken but not finished. A restart reads it back, and anyone can edit or break the file, so the
// decoder treats it as outside input: it refuses what it cannot trust and never throws.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/git.h"
#include "core/status.h"

namespace strata::agent {

struct AgentState {
  std::string satellite;
  git_oid target{};   // zero: no slice taken yet
  git_oid applied{};  // zero: none wholly applied yet
  std::string fleet_commit;
  // Entry → "" when it is to be applied again from the target, else the blob id of what is to be
  // removed (anything else there is skipped at load).
  std::map<std::string, std::string> pending;
};

// Pretty-printed JSON ending in a newline; deterministic.
std::string EncodeAgentState(const AgentState& state);
// kInvalidArgument naming the field that is mistyped, or the commit id that is not one.
Result<AgentState> DecodeAgentState(std::string_view text);

}  // namespace strata::agent
