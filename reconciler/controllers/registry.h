// The controllers strata ships, by name, and the layer cake they form.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/ssh_signature.h"
#include "core/status.h"
#include "reconciler/controller/controller.h"

namespace strata::controllers {

// What some controllers need beyond the fleet repo.
struct ControllerConfig {
  // sync: the key that signs every satellite slice commit; null leaves them unsigned.
  std::shared_ptr<const ssh::SigningKey> signing_key;
};

// pkc, connect, ksql, network, capacity, sync.
std::vector<std::string> ControllerNames();
// kNotFound naming the known controllers when `name` is not one.
Result<std::unique_ptr<controller::Controller>> MakeController(const std::string& name,
                                                               const ControllerConfig& config = {});
std::vector<std::unique_ptr<controller::Controller>> MakeAllControllers(const ControllerConfig& config = {});

}  // namespace strata::controllers
