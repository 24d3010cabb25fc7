// K8sClusterIndex: the Kubernetes clusters of derived/capacity/ as capacity (their writer) and
// sync (a reader) keep them in memory, with which cluster runs each workload. Fed by a watch on
// derived/capacity; capacity also edits it while it places workloads in a batch.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "specs/node.h"

namespace strata::controllers {

struct K8sClusterEntry {
  std::string path, cloud, region, dedicated_to;
  std::set<std::string> workloads;               // physical resource names
  std::map<std::string, int64_t> pool_nodes;     // node pool → nodes
};

struct K8sClusterIndex {
  std::map<std::string, K8sClusterEntry> clusters;      // by name
  std::unordered_map<std::string, std::string> hosts;   // workload → cluster name

  // Replaces what `path` said with what `doc` says (null: the file is gone).
  void OnFile(const std::string& path, const specs::Node* doc);
  void Clear() {
    clusters.clear();
    hosts.clear();
  }
};

}  // namespace strata::controllers
