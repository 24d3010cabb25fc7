#include "agents/agent/agent_state.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace strata::agent {
namespace {

// Checked here rather than left to git_oid_fromstr: libgit2 records a parse failure in its error
// state, which exists only once libgit2 is initialised, and the decoder must not depend on that.
bool IsCommitHex(const std::string& hex) {
  return hex.size() == GIT_OID_HEXSZ && std::all_of(hex.begin(), hex.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

}  // namespace

std::string EncodeAgentState(const AgentState& state) {
  nlohmann::ordered_json j;
  j["satellite"] = state.satellite;
  j["target"] = IsZeroOid(state.target) ? "" : OidToHex(state.target);
  j["applied"] = IsZeroOid(state.applied) ? "" : OidToHex(state.applied);
  j["fleetCommit"] = state.fleet_commit;
  j["pending"] = state.pending;
  return j.dump(2) + "\n";
}

Result<AgentState> DecodeAgentState(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::InvalidArgument("not a JSON object");
  // A missing field reads as empty; one of another type is refused rather than guessed at.
  auto string_field = [&](const char* name, std::string* out) -> Status {
    auto it = j.find(name);
    if (it == j.end()) return Status::Ok();
    if (!it->is_string()) return Status::InvalidArgument(std::string(name) + ": not a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  AgentState state;
  RETURN_IF_ERROR(string_field("satellite", &state.satellite));
  RETURN_IF_ERROR(string_field("fleetCommit", &state.fleet_commit));
  for (auto [name, out] :
       {std::pair{"target", &state.target}, std::pair{"applied", &state.applied}}) {
    std::string hex;
    RETURN_IF_ERROR(string_field(name, &hex));
    if (hex.empty()) continue;
    if (!IsCommitHex(hex) || git_oid_fromstr(out, hex.c_str()) != 0) {
      return Status::InvalidArgument(std::string(name) + ": not a commit id");
    }
  }
  if (auto pending = j.find("pending"); pending != j.end() && pending->is_object()) {
    for (auto it = pending->begin(); it != pending->end(); ++it) {
      state.pending[it.key()] = it->is_string() ? it->get<std::string>() : std::string();
    }
  }
  return state;
}

}  // namespace strata::agent
