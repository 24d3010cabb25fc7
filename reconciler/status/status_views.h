// What `strata status` and the dashboard show, joining the fleet branch in git with a StatusBoard,
// as JSON with stable field names (the CLI prints text from the same objects):
//   FleetStatusJson   the board: resources by phase, the satellites, everything not Ready, the
//                     rejections
//   ClusterLayers     one logical cluster down the layers: logical → the physical documents that
//                     name it among their sources → the Kubernetes cluster that runs each → its
//                     satellite, each with what its agent reports
//   ChangeProgress    "is my change live?": whether the reconciler has published a commit, the
//                     controller commits it caused (through Strata-Cause trailers, transitively)
//                     and which satellites have applied the slices those made
// Pure functions of their arguments; not thread-safe only in that `repo` is not.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/git.h"
#include "core/resource_status.h"
#include "reconciler/status/status_board.h"

namespace strata::status {

// A commit's first line; the value of its first trailer `name` ("" when it has none).
std::string CommitSubject(const CommitInfo& info);
std::string CommitTrailer(const CommitInfo& info, const std::string& name);

// The `data` of a status event: {"satellite", "k8sCluster", "phase", "brokersReady", …}, plus
// "observedAt".
nlohmann::ordered_json StatusJson(const ResourceStatus& status);

// {"phases": {phase: n}, "satellites": [status…], "notReady": [status + "key"…],
//  "rejected": [{"key", "controller", "commit", "errors": [{"file", "line", "field", "message"}]}]}
nlohmann::ordered_json FleetStatusJson(const StatusBoard& board);

// "KafkaCluster/acme/orders" → "tenants/acme/kafka/orders.yaml"; "" for a key that is not a
// tenant resource's.
std::string LogicalPath(const std::string& key);

// {"key", "path", "rejected" (only when rejected: "file:line:col: field: message; …"),
//  "physical": [{"key", "path", "computedAt", "shared", "status"?,
//                "k8sCluster"?: {"key", "path", "status"?},
//                "satellite"?: {"name", "phase", "sliceCommit", "fleetCommit", "observedAt"}}]}
// kInvalidArgument for a key that is not a tenant resource's; kNotFound when its file is not in
// `tree`.
Result<nlohmann::ordered_json> ClusterLayers(const Repository& repo, const git_oid& tree,
                                             const StatusBoard& board, const std::string& key);
// The same in two halves, so that the git reads need not hold a board's lock: the layers as git
// has them (no "rejected", "status" or "satellite"), then what the board says of them.
Result<nlohmann::ordered_json> ClusterLayersInGit(const Repository& repo, const git_oid& tree,
                                                  const std::string& key);
void AddLayerStatuses(nlohmann::ordered_json& layers, const StatusBoard& board);

// {"commit", "subject", "author", "time", "published",
//  "controllers": [{"controller", "commit", "summary"}],
//  "satellites": [{"satellite", "syncCommit", "applied", "at"?, "sliceCommit"?}]}
// kNotFound (or kInvalidArgument) for a revision git cannot resolve; kInternal when git cannot
// be read.
Result<nlohmann::ordered_json> ChangeProgress(const Repository& repo, const std::string& branch,
                                              const git_oid& head, const StatusBoard& board,
                                              const std::string& revision);

}  // namespace strata::status
