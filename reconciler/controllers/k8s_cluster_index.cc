#include "reconciler/controllers/k8s_cluster_index.h"

#include "reconciler/controllers/derived_doc.h"

namespace strata::controllers {

void K8sClusterIndex::OnFile(const std::string& path, const specs::Node* doc) {
  std::string name = StemOf(path);
  if (auto it = clusters.find(name); it != clusters.end()) {
    for (const std::string& w : it->second.workloads) {
      auto h = hosts.find(w);
      if (h != hosts.end() && h->second == name) hosts.erase(h);
    }
    clusters.erase(it);
  }
  const specs::Node* spec = doc == nullptr ? nullptr : doc->Find("spec");
  if (spec == nullptr) return;
  K8sClusterEntry k;
  k.path = path;
  k.cloud = std::string(spec->StringAt("cloud"));
  k.region = std::string(spec->StringAt("region"));
  k.dedicated_to = std::string(spec->StringAt("dedicatedTo"));
  if (const specs::Node* pools = spec->Find("nodePools"); pools != nullptr) {
    for (const specs::Node& pool : pools->items()) {
      k.pool_nodes[std::string(pool.StringAt("name"))] = IntAt(pool, "nodes", 0);
    }
  }
  for (const std::string& w : StringsAt(spec->Find("workloads"))) {
    k.workloads.insert(w);
    hosts[w] = name;
  }
  clusters[name] = std::move(k);
}

}  // namespace strata::controllers
