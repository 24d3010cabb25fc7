// libFuzzer target: agent.json, what an agent reads back from its state directory at start (a
// file anyone with access to the directory can edit or break). Any bytes through DecodeAgentState
// must neither crash nor hang, and what decodes must survive the round trip: EncodeAgentState of
// it decodes again, to the same state, and encodes to the same bytes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agents/agent/agent_state.h"

namespace {

bool SameState(const strata::agent::AgentState& a, const strata::agent::AgentState& b) {
  return a.satellite == b.satellite && git_oid_equal(&a.target, &b.target) != 0 &&
         git_oid_equal(&a.applied, &b.applied) != 0 && a.fleet_commit == b.fleet_commit &&
         a.pending == b.pending;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using strata::agent::AgentState;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  strata::Result<AgentState> state = strata::agent::DecodeAgentState(bytes);
  if (!state.ok()) return 0;
  std::string once = strata::agent::EncodeAgentState(*state);
  strata::Result<AgentState> again = strata::agent::DecodeAgentState(once);
  if (!again.ok()) {
    std::fprintf(stderr, "the re-encoded state does not decode: %s\n%s\n",
                 again.status().ToString().c_str(), once.c_str());
    std::abort();
  }
  std::string twice = strata::agent::EncodeAgentState(*again);
  if (!SameState(*state, *again) || once != twice) {
    std::fprintf(stderr, "the round trip changes the state:\n%s\n---\n%s\n", once.c_str(),
                 twice.c_str());
    std::abort();
  }
  return 0;
}
