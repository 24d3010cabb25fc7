// Derived names join a tenant resource's org and name with '-' (pkc-<org>-<name>,
// na-<org>-<name>, connect-<org>-<name>), so acme's KafkaCluster shop-orders and acme-shop's
// orders would derive one physical cluster, one slice entry: each org would reach the other's.
// `strata validate` refuses such a pair (specs/fleet_checks.cc); the controllers refuse it too, on
// both sides, for a push that skipped validation. The side derived first keeps its last good state.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"
#include "reconciler/controller/fleet_view.h"

namespace strata::controllers {

// For "tenants/<org>/<area>/<name>.yaml": the message naming another org's file of the same area
// whose org and name read the same joined, or nullopt when there is none. Errors are git's.
Result<std::optional<std::string>> DerivedNameClash(controller::FleetView& view,
                                                    const std::string& path);

}  // namespace strata::controllers
