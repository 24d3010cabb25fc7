#include "reconciler/cli/up_state.h"

#include <signal.h>

#include <cerrno>
#include <fstream>

#include <nlohmann/json.hpp>

namespace strata::cli {

Result<UpState> ReadUpState(const std::string& home) {
  std::ifstream in(home + "/up.json");
  auto state = nlohmann::json::parse(in, nullptr, false);
  if (!state.is_object() || state.value("fleetRepo", "").empty() || state.value("kafka", "").empty()) {
    return Status::NotFound(home + "/up.json is missing or unreadable: is strata up running there?");
  }
  int pid = state.value("pid", 0);
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH)) {
    return Status::FailedPrecondition("the strata up that wrote " + home + "/up.json (pid " +
                                      std::to_string(pid) + ") is not running; its Kafka is gone");
  }
  return UpState{state.value("fleetRepo", ""), state.value("kafka", ""),
                 state.value("kafkaConfig", ""), state.value("branch", "main")};
}

}  // namespace strata::cli
