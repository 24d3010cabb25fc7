// The controllers strata ships, by name, and the layer cake they form.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ssh_signature.h"
#include "core/status.h"
#include "reconciler/controller/controller.h"
#include "reconciler/controller/runtime.h"
#include "specs/schema_set.h"

namespace strata::controllers {

// What some controllers need beyond the fleet repo.
struct ControllerConfig {
  // sync: the key that signs every satellite slice commit; null leaves them unsigned.
  std::shared_ptr<const ssh::SigningKey> signing_key;
  // rollout: the clock (milliseconds since the epoch); empty is the system clock. Tests and
  // benchmarks move time by hand.
  std::function<int64_t()> now_ms;
};

// pkc, connect, ksql, network, capacity, sync, rollout.
std::vector<std::string> ControllerNames();
// Controller name → the prefix of the fleet repo it alone writes ("pkc" → "derived/pkc/").
std::map<std::string, std::string> ControllerPrefixes();
// The controller that owns `path`; "" for a path no controller writes.
std::string OwnerOfPath(const std::map<std::string, std::string>& prefixes, std::string_view path);
// kNotFound naming the known controllers when `name` is not one.
Result<std::unique_ptr<controller::Controller>> MakeController(const std::string& name,
                                                               const ControllerConfig& config = {});
std::vector<std::unique_ptr<controller::Controller>> MakeAllControllers(const ControllerConfig& config = {});

// Runtimes for the named controllers (every controller when `names` is empty), each with
// `options` (group ids default per controller), ordered bottom layer first: the order to start
// them in, so every consumer listens before its producers write.
// kNotFound for an unknown name; kInvalidArgument for a cycle in what they declare; the errors of
// ControllerRuntime::Create, prefixed with the controller's name.
Result<std::vector<std::unique_ptr<controller::ControllerRuntime>>> MakeRuntimes(
    const std::vector<std::string>& names, const ControllerConfig& config,
    const controller::RuntimeOptions& options, std::shared_ptr<const specs::SchemaSet> schemas);

}  // namespace strata::controllers
