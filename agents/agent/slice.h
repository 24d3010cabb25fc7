// A satellite's slice as the agent reads it: the tree of one signed commit of
// refs/heads/satellites/<id>, whose files are `<k8s cluster>/<name>.yaml` SliceEntry documents,
// each carrying one derived resource (a K8sCluster, a PhysicalKafkaCluster, a NetworkAttachment,
// a PhysicalConnectCluster or a PhysicalKsqlCluster) to realise on that Kubernetes cluster.
//
// Reading is by entry, so the agent loads only what a diff names; a whole slice is read only at
// start-up and for drift checks. Nothing here talks to a data plane.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/git.h"
#include "core/status.h"

namespace strata::agent {

struct SliceResource {
  std::string entry;        // "k8s-aws-us-west-2-0/pkc-acme-orders.yaml", its path in the slice
  std::string key;          // "PhysicalKafkaCluster/pkc-acme-orders"
  std::string kind;         // "PhysicalKafkaCluster"
  std::string name;         // "pkc-acme-orders"
  std::string k8s_cluster;  // the Kubernetes cluster it runs on
  std::string source;       // "derived/pkc/acme/pkc-acme-orders.yaml" on the fleet branch
  std::string computed_at;  // the fleet commit its controller computed it at
  std::string release;      // its strata.dev/release annotation: the rollout release it carries
  std::string revision;     // the entry's blob id: changes exactly when the desired state does
  nlohmann::json resource;  // the derived document itself (apiVersion, kind, metadata, spec)

  const nlohmann::json& spec() const;
  // The resource as a manifest for a tool (kubectl and friends read JSON as YAML).
  std::string Manifest() const;
};

// Parses one entry. kInvalidArgument naming the entry, the line and the field when it is not a
// SliceEntry with a resource that has a kind and a name.
Result<SliceResource> ParseSliceEntry(const std::string& entry, std::string_view bytes,
                                      const git_oid& blob);

// One entry that differs between two slice trees: `resource` is unset when it left the slice.
struct SliceChange {
  std::string entry;
  std::optional<SliceResource> resource;
};

// Reads the entries that differ between `old_tree` (zero: nothing) and `new_tree`. An entry that
// cannot be parsed is returned in `invalid` (with why) instead of failing the whole slice.
Result<std::vector<SliceChange>> DiffSlices(const Repository& repo, const git_oid& old_tree,
                                            const git_oid& new_tree,
                                            std::vector<std::pair<std::string, Status>>* invalid);

}  // namespace strata::agent
