// The controllers strata ships, by name, and the layer cake they form.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "reconciler/controller/controller.h"

namespace strata::controllers {

// pkc, connect, ksql, network, capacity, sync.
std::vector<std::string> ControllerNames();
// kNotFound naming the known controllers when `name` is not one.
Result<std::unique_ptr<controller::Controller>> MakeController(const std::string& name);
std::vector<std::unique_ptr<controller::Controller>> MakeAllControllers();

}  // namespace strata::controllers
