// Describe: one changed derived or satellite file as an operator reads it in a plan —
// "+6 brokers on pkc-1a2b3c (6 → 12)", "node pool np-general in aws/us-west-2 6 → 9 nodes",
// "new Kubernetes cluster k8s-… in azure/westeurope" — plus its field-level changes.
// Kinds without a sentence of their own get a generic one. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "reconciler/plan/plan.h"

namespace strata::plan {

// `before` / `after` are the file's bytes (nullopt: the file is created / deleted). Fills action,
// path, kind, name, summary and fields; the caller sets controller and layer.
PlannedChange Describe(const std::string& path, const std::optional<std::string>& before,
                       const std::optional<std::string>& after);

}  // namespace strata::plan
