#include "reconciler/controllers/capacity_controller.h"

#include <algorithm>

#include "reconciler/controllers/derived_doc.h"

namespace strata::controllers {
namespace {

using controller::Outcome;

std::string InstanceType(const std::string& cloud) {
  if (cloud == "gcp") return "n2-standard-8";
  if (cloud == "azure") return "Standard_D8s_v5";
  return "m6i.2xlarge";
}

std::string TypeOfPath(const std::string& path) {
  if (path.rfind("derived/pkc/", 0) == 0) return "pkc";
  if (path.rfind("derived/connect/", 0) == 0) return "pcc";
  if (path.rfind("derived/ksql/", 0) == 0) return "pksql";
  return "";
}

}  // namespace

int64_t PoolNodes(int64_t demand, int64_t current) {
  if (demand <= 0) return 0;
  int64_t headroom = std::max<int64_t>(1, (demand + 4) / 5);  // 20%, at least one node
  int64_t target = (demand + headroom + kNodeStep - 1) / kNodeStep * kNodeStep;
  if (current >= demand && current <= 2 * target) return current;
  return target;
}

std::unique_ptr<controller::Controller> MakeCapacityController() {
  return std::make_unique<CapacityController>();
}

CapacityController::CapacityController() {
  info_.name = "capacity";
  info_.inputs = {"PhysicalConnectCluster", "PhysicalKafkaCluster", "PhysicalKsqlCluster"};
  info_.outputs = {"K8sCluster"};
  info_.prefix = "derived/capacity/";
  info_.summary = "physical clusters → Kubernetes clusters and node pools with headroom";
}

std::vector<controller::Watch> CapacityController::Watches() {
  std::vector<controller::Watch> watches = policy_.Watches();
  for (const auto& source : std::vector<std::pair<std::string, std::string>>{
           {"derived/pkc", "pkc"}, {"derived/connect", "pcc"}, {"derived/ksql", "pksql"}}) {
    std::string type = source.second;
    watches.push_back({source.first, [this, type](const std::string& path, const specs::Node* doc) {
                         OnWorkload(type, path, doc);
                       }});
  }
  watches.push_back({"derived/capacity", [this](const std::string& path, const specs::Node* doc) {
                       index_.OnFile(path, doc);
                     }});
  return watches;
}

void CapacityController::OnWorkload(const std::string& type, const std::string& path,
                                    const specs::Node* doc) {
  std::string name = StemOf(path);
  if (auto it = workloads_.find(name); it != workloads_.end()) {
    if (!it->second.kafka.empty()) {
      auto& deps = attached_[it->second.kafka];
      deps.erase(name);
      if (deps.empty()) attached_.erase(it->second.kafka);
    }
    workloads_.erase(it);
  }
  const specs::Node* spec = doc == nullptr ? nullptr : doc->Find("spec");
  if (spec == nullptr) return;
  Workload w;
  w.type = type;
  w.path = path;
  w.cloud = std::string(spec->StringAt("cloud"));
  w.region = std::string(spec->StringAt("region"));
  if (type == "pkc") {
    w.network = std::string(spec->StringAt("network"));
    w.zones = StringsAt(spec->Find("zones"));
    w.demand = IntAt(*spec, "brokers", 0);
  } else {
    w.kafka = std::string(spec->StringAt("kafkaCluster"));
    w.demand = IntAt(*spec, type == "pcc" ? "workers" : "csu", 0);
    attached_[w.kafka].insert(name);
  }
  workloads_[name] = std::move(w);
}

void CapacityController::Move(const std::string& workload, const std::string& from,
                              const std::string& to) {
  if (!from.empty()) {
    if (auto it = index_.clusters.find(from); it != index_.clusters.end()) it->second.workloads.erase(workload);
    index_.hosts.erase(workload);
  }
  if (!to.empty()) {
    index_.clusters.at(to).workloads.insert(workload);
    index_.hosts[workload] = to;
  }
}

std::string CapacityController::Pack(const Workload& w) {
  std::string stem = "k8s-" + w.cloud + "-" + w.region + "-shared-";
  std::map<int64_t, std::string> numbered;
  for (auto it = index_.clusters.lower_bound(stem); it != index_.clusters.end(); ++it) {
    if (it->first.compare(0, stem.size(), stem) != 0) break;
    std::string digits = it->first.substr(stem.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    numbered[std::stoll(digits)] = it->first;
  }
  for (const auto& [n, name] : numbered) {
    int64_t used = 0;
    for (const std::string& other : index_.clusters.at(name).workloads) {
      auto o = workloads_.find(other);
      if (o != workloads_.end() && o->second.type == "pkc") used += o->second.demand;
    }
    if (used + w.demand <= kMaxSharedKafkaNodes) return name;
  }
  int64_t n = 1;
  std::string name;
  for (;; ++n) {
    if (numbered.count(n) != 0) continue;
    name = DerivedName({stem + std::to_string(n)});
    if (index_.clusters.count(name) == 0) break;
  }
  K8sClusterEntry k;
  k.path = info_.prefix + w.cloud + "-" + w.region + "/" + name + ".yaml";
  k.cloud = w.cloud;
  k.region = w.region;
  index_.clusters[name] = std::move(k);
  return name;
}

std::optional<Outcome> CapacityController::Place(const std::string& name,
                                                 std::set<std::string>* touched) {
  std::string current;
  if (auto h = index_.hosts.find(name); h != index_.hosts.end()) current = h->second;
  auto w = workloads_.find(name);
  if (w == workloads_.end()) {  // gone: off its Kubernetes cluster
    if (!current.empty()) {
      Move(name, current, "");
      touched->insert(current);
    }
    return std::nullopt;
  }
  const Workload& wl = w->second;
  std::string desired;
  if (wl.type == "pkc" && !wl.network.empty()) {
    std::string network = wl.network.rfind("na-", 0) == 0 ? wl.network.substr(3) : wl.network;
    desired = DerivedName({"k8s", network});
    if (index_.clusters.count(desired) == 0) {
      K8sClusterEntry k;
      k.path = info_.prefix + wl.cloud + "-" + wl.region + "/" + desired + ".yaml";
      k.cloud = wl.cloud;
      k.region = wl.region;
      k.dedicated_to = wl.network;
      index_.clusters[desired] = std::move(k);
    }
  } else if (wl.type != "pkc") {
    auto kafka_host = index_.hosts.find(wl.kafka);
    if (kafka_host == index_.hosts.end()) {
      return Outcome::Retry("", "Kafka cluster " + wl.kafka + " has no Kubernetes cluster yet");
    }
    desired = kafka_host->second;
  } else {
    auto c = index_.clusters.find(current);
    bool stays = c != index_.clusters.end() && c->second.dedicated_to.empty() &&
                 c->second.cloud == wl.cloud && c->second.region == wl.region;
    desired = stays ? current : Pack(wl);
  }
  if (desired != current) {
    if (!current.empty()) touched->insert(current);
    Move(name, current, desired);
  }
  touched->insert(desired);
  if (wl.type == "pkc") {  // Connect and ksqlDB follow their Kafka cluster
    if (auto a = attached_.find(name); a != attached_.end()) {
      for (const std::string& dependent : std::set<std::string>(a->second)) {
        (void)Place(dependent, touched);
      }
    }
  }
  return std::nullopt;
}

Status CapacityController::Write(const std::string& name, controller::OutputBatch& out) {
  auto it = index_.clusters.find(name);
  if (it == index_.clusters.end()) return Status::Ok();
  const K8sClusterEntry& k = it->second;
  std::string path = k.path;
  if (k.workloads.empty()) return out.Remove(path);
  int64_t kafka_demand = 0, compute_demand = 0;
  std::set<std::string> zones;
  std::vector<std::string> sources;
  for (const std::string& w : k.workloads) {
    auto wl = workloads_.find(w);
    if (wl == workloads_.end()) continue;
    (wl->second.type == "pkc" ? kafka_demand : compute_demand) += wl->second.demand;
    zones.insert(wl->second.zones.begin(), wl->second.zones.end());
    sources.push_back(wl->second.path);
  }
  if (zones.empty()) {
    std::vector<std::string> region_zones = policy_.ZonesOf(k.cloud, k.region);
    zones.insert(region_zones.begin(), region_zones.end());
  }
  if (zones.empty()) zones.insert(k.region);
  size_t length = 0;
  for (const std::string& s : sources) length += s.size() + 1;
  if (length > 3000) {  // keep the annotation readable (and under the loader's scalar limit)
    std::set<std::string> dirs;
    for (const std::string& s : sources) dirs.insert(s.substr(0, s.rfind('/')));
    sources.assign(dirs.begin(), dirs.end());
  }
  specs::Node doc = DerivedDoc("K8sCluster", name, sources);
  specs::Node* spec = SpecOf(doc);
  spec->Set("cloud", specs::Node::String(k.cloud));
  spec->Set("region", specs::Node::String(k.region));
  if (!k.dedicated_to.empty()) spec->Set("dedicatedTo", specs::Node::String(k.dedicated_to));
  specs::Node pools = specs::Node::Sequence();
  auto add_pool = [&](const std::string& pool, int64_t demand) {
    auto previous = k.pool_nodes.find(pool);
    int64_t nodes = PoolNodes(demand, previous == k.pool_nodes.end() ? 0 : previous->second);
    specs::Node p = specs::Node::Map();
    p.Set("name", specs::Node::String(pool));
    p.Set("instanceType", specs::Node::String(InstanceType(k.cloud)));
    p.Set("nodes", specs::Node::Int(nodes));
    p.Set("zones", StringList({zones.begin(), zones.end()}));
    pools.items().push_back(std::move(p));
  };
  add_pool("kafka", kafka_demand);
  if (compute_demand > 0) add_pool("compute", compute_demand);
  spec->Set("nodePools", std::move(pools));
  spec->Set("workloads", StringList({k.workloads.begin(), k.workloads.end()}));
  return out.Put(path, std::move(doc));
}

Result<std::map<std::string, Outcome>> CapacityController::Reconcile(
    const std::vector<std::string>& paths, controller::FleetView& view,
    controller::OutputBatch& out) {
  (void)view;
  std::map<std::string, Outcome> outcomes;
  std::set<std::string> touched;
  for (const std::string& path : paths) {
    if (TypeOfPath(path).empty()) continue;
    std::optional<Outcome> outcome = Place(StemOf(path), &touched);
    if (outcome.has_value()) outcomes[path] = std::move(*outcome);
  }
  for (const std::string& k8s : touched) RETURN_IF_ERROR(Write(k8s, out));
  return outcomes;
}

}  // namespace strata::controllers
