#include "reconciler/controllers/registry.h"

#include <algorithm>

#include "reconciler/controller/layers.h"
#include "reconciler/controllers/attached_controller.h"
#include "reconciler/controllers/capacity_controller.h"
#include "reconciler/controllers/network_controller.h"
#include "reconciler/controllers/pkc_controller.h"
#include "reconciler/controllers/rollout_controller.h"
#include "reconciler/controllers/sync_controller.h"

namespace strata::controllers {

std::vector<std::string> ControllerNames() {
  return {"pkc", "connect", "ksql", "network", "capacity", "sync", "rollout"};
}

Result<std::unique_ptr<controller::Controller>> MakeController(const std::string& name,
                                                               const ControllerConfig& config) {
  if (name == "pkc") return MakePkcController();
  if (name == "connect") return MakeConnectController();
  if (name == "ksql") return MakeKsqlController();
  if (name == "network") return MakeNetworkController();
  if (name == "capacity") return MakeCapacityController();
  if (name == "sync") return MakeSyncController(config.signing_key);
  if (name == "rollout") return MakeRolloutController(config.now_ms);
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

Result<std::vector<std::unique_ptr<controller::ControllerRuntime>>> MakeRuntimes(
    const std::vector<std::string>& names, const ControllerConfig& config,
    const controller::RuntimeOptions& options, std::shared_ptr<const specs::SchemaSet> schemas) {
  std::vector<std::unique_ptr<controller::Controller>> chosen;
  std::vector<controller::ControllerInfo> infos;
  for (const std::string& name : names.empty() ? ControllerNames() : names) {
    ASSIGN_OR_RETURN(std::unique_ptr<controller::Controller> made, MakeController(name, config));
    infos.push_back(made->info());
    chosen.push_back(std::move(made));
  }
  ASSIGN_OR_RETURN(controller::LayerCake cake, controller::ComputeLayers(infos));
  std::vector<std::unique_ptr<controller::ControllerRuntime>> runtimes;
  for (const std::string& name : cake.StartOrder()) {
    auto it = std::find_if(chosen.begin(), chosen.end(),
                           [&](const auto& c) { return c != nullptr && c->info().name == name; });
    auto runtime = controller::ControllerRuntime::Create(std::move(*it), options, schemas);
    if (!runtime.ok()) {
      return Status(runtime.status().code(), name + ": " + std::string(runtime.status().message()));
    }
    runtimes.push_back(std::move(*runtime));
  }
  return runtimes;
}

std::map<std::string, std::string> ControllerPrefixes() {
  std::map<std::string, std::string> prefixes;
  for (const auto& c : MakeAllControllers()) prefixes[c->info().name] = c->info().prefix;
  return prefixes;
}

std::string OwnerOfPath(const std::map<std::string, std::string>& prefixes, std::string_view path) {
  for (const auto& [name, prefix] : prefixes) {
    if (path.substr(0, prefix.size()) == prefix) return name;
  }
  return "";
}

}  // namespace strata::controllers
