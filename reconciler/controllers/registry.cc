#include "reconciler/controllers/registry.h"

#include "reconciler/controllers/attached_controller.h"
#include "reconciler/controllers/capacity_controller.h"
#include "reconciler/controllers/network_controller.h"
#include "reconciler/controllers/pkc_controller.h"
#include "reconciler/controllers/sync_controller.h"

namespace strata::controllers {

std::vector<std::string> ControllerNames() {
  return {"pkc", "connect", "ksql", "network", "capacity", "sync"};
}

Result<std::unique_ptr<controller::Controller>> MakeController(const std::string& name,
                                                               const ControllerConfig& config) {
  if (name == "pkc") return MakePkcController();
  if (name == "connect") return MakeConnectController();
  if (name == "ksql") return MakeKsqlController();
  if (name == "network") return MakeNetworkController();
  if (name == "capacity") return MakeCapacityController();
  if (name == "sync") return MakeSyncController(config.signing_key);
  std::string known;
  for (const std::string& n : ControllerNames()) known += (known.empty() ? "" : ", ") + n;
  return Status::NotFound("no controller named " + name + " (there are: " + known + ")");
}

std::vector<std::unique_ptr<controller::Controller>> MakeAllControllers(const ControllerConfig& config) {
  std::vector<std::unique_ptr<controller::Controller>> all;
  for (const std::string& name : ControllerNames()) {
    Result<std::unique_ptr<controller::Controller>> made = MakeController(name, config);
    all.push_back(std::move(*made));
  }
  return all;
}

}  // namespace strata::controllers
