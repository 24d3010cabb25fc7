#include "reconciler/controllers/pkc_controller.h"

#include <algorithm>

#include "reconciler/controllers/derived_doc.h"
#include "reconciler/controllers/derived_name_clash.h"
#include "specs/kinds.h"

namespace strata::controllers {
namespace {

using controller::Outcome;

constexpr std::string_view kPrefix = "derived/pkc/";

// KafkaCluster/acme/orders → tenants/acme/kafka/orders.yaml
std::string ClusterPath(const std::string& key) {
  size_t a = key.find('/');
  size_t b = key.find('/', a + 1);
  return "tenants/" + key.substr(a + 1, b - a - 1) + "/kafka/" + key.substr(b + 1) + ".yaml";
}

std::string OrgOfKey(const std::string& key) {
  size_t a = key.find('/');
  size_t b = key.find('/', a + 1);
  return key.substr(a + 1, b - a - 1);
}

specs::Node BrokerSize(bool dedicated) {
  specs::Node size = specs::Node::Map();
  size.Set("cpu", specs::Node::Int(dedicated ? 4 : 8));
  size.Set("memoryGiB", specs::Node::Int(dedicated ? 16 : 32));
  size.Set("storageGiB", specs::Node::Int(dedicated ? 2048 : 4096));
  return size;
}

std::vector<std::string> PickZones(const std::vector<std::string>& all, bool multi_zone) {
  size_t n = multi_zone ? std::min<size_t>(3, all.size()) : std::min<size_t>(1, all.size());
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace

std::unique_ptr<controller::Controller> MakePkcController() {
  return std::make_unique<PkcController>();
}

PkcController::PkcController() {
  info_.name = "pkc";
  info_.inputs = {"KafkaCluster", "Network", "OrgPolicy", "RolloutTarget", "Satellite", "Sku"};
  info_.outputs = {"PhysicalKafkaCluster"};
  info_.prefix = std::string(kPrefix);
  info_.summary = "logical Kafka clusters → dedicated or shared physical clusters";
}

std::vector<controller::Watch> PkcController::Watches() {
  std::vector<controller::Watch> watches = policy_.Watches();
  watches.push_back({"derived/pkc", [this](const std::string& path, const specs::Node* doc) {
                       OnOwnFile(path, doc);
                     }});
  watches.push_back({std::string(rollout::kTargetsDir),
                     [this](const std::string& path, const specs::Node* doc) { OnTarget(path, doc); }});
  return watches;
}

void PkcController::OnTarget(const std::string& path, const specs::Node* doc) {
  std::string name = StemOf(path);
  std::optional<rollout::Target> target;
  if (doc != nullptr) target = rollout::TargetFromDoc(path, *doc);
  if (target.has_value()) {
    targets_[name] = std::move(*target);
  } else {
    targets_.erase(name);
  }
}

void PkcController::ApplyTarget(const std::string& name, specs::Node& doc) const {
  auto it = targets_.find(name);
  if (it == targets_.end()) return;
  const rollout::Target& t = it->second;
  specs::Node* spec = SpecOf(doc);
  if (!t.settings.kafka_version.empty()) {
    spec->Set("kafkaVersion", specs::Node::String(t.settings.kafka_version));
  }
  if (!t.settings.config.empty()) {
    specs::Node config = specs::Node::Map();
    if (const specs::Node* own = spec->Find("config"); own != nullptr) config = *own;
    for (const auto& [k, v] : t.settings.config) config.Set(k, specs::Node::String(v));
    spec->Set("config", std::move(config));
  }
  SetAnnotation(doc, "strata.dev/release", t.release);
}

std::string PkcController::PlacementOf(const std::string& key) const {
  auto it = placement_.find(key);
  return it == placement_.end() ? "" : it->second;
}

void PkcController::OnOwnFile(const std::string& path, const specs::Node* doc) {
  std::string name = StemOf(path);
  if (auto it = physical_.find(name); it != physical_.end()) {
    for (const std::string& t : it->second.tenants) {
      auto p = placement_.find(t);
      if (p != placement_.end() && p->second == name) placement_.erase(p);
    }
    physical_.erase(it);
  }
  if (doc == nullptr) return;
  const specs::Node* spec = doc->Find("spec");
  if (spec == nullptr) return;
  Physical p;
  p.path = path;
  p.shared = spec->StringAt("tenancy") == "multi-tenant";
  p.sku = std::string(spec->StringAt("sku"));
  p.cloud = std::string(spec->StringAt("cloud"));
  p.region = std::string(spec->StringAt("region"));
  p.zones = StringsAt(spec->Find("zones"));
  if (const specs::Node* tenants = spec->Find("tenants"); tenants != nullptr) {
    for (const specs::Node& t : tenants->items()) {
      std::string key(t.StringAt("key"));
      if (key.empty()) continue;
      p.tenants.insert(key);
      placement_[key] = name;
    }
  }
  physical_[name] = std::move(p);
}

std::set<std::string> PkcController::Fanout(const std::string& path) const {
  std::set<std::string> out;
  Result<specs::PathRule> rule = specs::ClassifyPath(path);
  if (!rule.ok()) return out;
  if (rule->kind == "KafkaCluster") {
    out.insert(path);
    return out;
  }
  // A policy or network change: the clusters it governs, and every one refused before (it may
  // be fine now).
  out.insert(invalid_.begin(), invalid_.end());
  for (const auto& [name, p] : physical_) {
    bool governed = (rule->kind == "Sku" && p.sku == rule->name) ||
                    (rule->kind == "Satellite") ||
                    (rule->kind == "OrgPolicy") || (rule->kind == "Network");
    if (!governed) continue;
    for (const std::string& key : p.tenants) {
      std::string org = OrgOfKey(key);
      if (rule->kind == "OrgPolicy" && org != rule->name) continue;
      if (rule->kind == "Network" && org != rule->org) continue;
      if (rule->kind == "Satellite") {
        const SatelliteInfo* sat = policy_.Satellite(rule->name);
        // A satellite added or changed matters to its region; one removed, to every region.
        if (sat != nullptr && (sat->cloud != p.cloud || sat->region != p.region)) continue;
      }
      out.insert(ClusterPath(key));
    }
  }
  return out;
}

Result<std::map<std::string, Outcome>> PkcController::Reconcile(
    const std::vector<std::string>& paths, controller::FleetView& view,
    controller::OutputBatch& out) {
  std::set<std::string> clusters;
  dirty_shared_.clear();
  for (const std::string& path : paths) {
    if (path.rfind(rollout::kTargetsDir, 0) == 0) {  // a rollout released (or reverted) a cluster
      auto p = physical_.find(StemOf(path));
      if (p == physical_.end()) continue;
      if (p->second.shared) {
        dirty_shared_.insert(p->first);
      } else if (!p->second.tenants.empty()) {
        clusters.insert(ClusterPath(*p->second.tenants.begin()));
      }
      continue;
    }
    std::set<std::string> more = Fanout(path);
    clusters.insert(more.begin(), more.end());
  }
  std::map<std::string, Outcome> outcomes;
  for (const std::string& path : clusters) {
    ASSIGN_OR_RETURN(outcomes[path], ReconcileCluster(path, view, out));
  }
  for (const std::string& name : dirty_shared_) RETURN_IF_ERROR(WriteShared(name, out));
  return outcomes;
}

Status PkcController::Unplace(const std::string& key, const std::string& keep,
                              controller::OutputBatch& out) {
  auto it = placement_.find(key);
  if (it == placement_.end() || it->second == keep) return Status::Ok();
  std::string name = it->second;
  auto p = physical_.find(name);
  if (p == physical_.end()) return Status::Ok();
  if (!p->second.shared) return out.Remove(p->second.path);
  p->second.tenants.erase(key);
  placement_.erase(key);
  dirty_shared_.insert(name);
  return Status::Ok();
}

Status PkcController::WriteShared(const std::string& name, controller::OutputBatch& out) {
  auto found = physical_.find(name);
  if (found == physical_.end()) return Status::Ok();
  const Physical& p = found->second;
  if (p.tenants.empty()) return out.Remove(p.path);
  const SkuPolicy* sku = policy_.Sku(p.sku);
  std::vector<std::string> sources = {"policy/skus/" + p.sku + ".yaml"};
  size_t length = 0;
  for (const std::string& t : p.tenants) length += ClusterPath(t).size() + 1;
  // Every tenant's path while that stays readable (and under the loader's 4 KiB scalar limit);
  // their orgs' directories beyond.
  std::set<std::string> dirs;
  for (const std::string& t : p.tenants) {
    std::string path = ClusterPath(t);
    if (length <= 3000) {
      sources.push_back(path);
    } else if (dirs.insert(path.substr(0, path.rfind('/'))).second) {
      sources.push_back(*dirs.find(path.substr(0, path.rfind('/'))));
    }
  }
  specs::Node doc = DerivedDoc("PhysicalKafkaCluster", name, sources);
  specs::Node* spec = SpecOf(doc);
  spec->Set("tenancy", specs::Node::String("multi-tenant"));
  spec->Set("sku", specs::Node::String(p.sku));
  spec->Set("cloud", specs::Node::String(p.cloud));
  spec->Set("region", specs::Node::String(p.region));
  spec->Set("zones", StringList(p.zones));
  spec->Set("brokers", specs::Node::Int(sku != nullptr ? sku->shared_cluster_brokers : 6));
  spec->Set("brokerSize", BrokerSize(false));
  spec->Set("kafkaVersion", specs::Node::String(std::string(kDefaultKafkaVersion)));
  specs::Node tenants = specs::Node::Sequence();
  for (const std::string& t : p.tenants) {
    specs::Node entry = specs::Node::Map();
    entry.Set("key", specs::Node::String(t));
    tenants.items().push_back(std::move(entry));
  }
  spec->Set("tenants", std::move(tenants));
  ApplyTarget(name, doc);
  std::string path = p.path;
  return out.Put(path, std::move(doc));
}

std::string PkcController::PlaceShared(const std::string& key, const SkuPolicy& sku,
                                       const std::string& cloud, const std::string& region,
                                       const std::vector<std::string>& zones) {
  std::string stem = "pkc-" + cloud + "-" + region + "-" + sku.name + "-";
  std::map<int64_t, std::string> numbered;
  for (auto it = physical_.lower_bound(stem); it != physical_.end(); ++it) {
    if (it->first.compare(0, stem.size(), stem) != 0) break;
    const Physical& p = it->second;
    if (!p.shared || p.sku != sku.name || p.cloud != cloud || p.region != region) continue;
    std::string digits = it->first.substr(stem.size());
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    numbered[std::stoll(digits)] = it->first;
  }
  for (const auto& [n, name] : numbered) {
    Physical& p = physical_.at(name);
    if (static_cast<int64_t>(p.tenants.size()) < sku.tenants_per_cluster) {
      p.tenants.insert(key);
      placement_[key] = name;
      return name;
    }
  }
  // The lowest free number whose name no cluster (shared or dedicated) has taken.
  int64_t n = 1;
  std::string name;
  for (;; ++n) {
    if (numbered.count(n) != 0) continue;
    name = DerivedName({stem + std::to_string(n)});
    if (physical_.count(name) == 0) break;
  }
  Physical p;
  p.path = std::string(kPrefix) + "shared/" + name + ".yaml";
  p.shared = true;
  p.sku = sku.name;
  p.cloud = cloud;
  p.region = region;
  p.zones = PickZones(zones, true);
  p.tenants.insert(key);
  physical_[name] = std::move(p);
  placement_[key] = name;
  return name;
}

Result<Outcome> PkcController::ReconcileCluster(const std::string& path,
                                                controller::FleetView& view,
                                                controller::OutputBatch& out) {
  ASSIGN_OR_RETURN(specs::PathRule rule, specs::ClassifyPath(path));
  std::string key = specs::ResourceKey("KafkaCluster", rule.org, rule.name);
  ASSIGN_OR_RETURN(std::optional<controller::LoadedSpec> loaded, view.ReadSpec(path));
  if (!loaded.has_value()) {  // deleted: its physical cluster goes (a shared one keeps the others)
    invalid_.erase(path);
    RETURN_IF_ERROR(Unplace(key, "", out));
    return Outcome::Done();
  }
  if (!loaded->resource.valid) {
    invalid_.insert(path);
    return Outcome::Invalid(key, ToEventErrors(loaded->diagnostics));
  }
  const specs::Node& doc = *loaded->resource.tree;
  const specs::Node& spec = *doc.Find("spec");
  auto invalid = [&](const char* field, std::string message) {
    invalid_.insert(path);
    return Outcome::Invalid(key, {FieldError(path, doc.AtPath(field), field, std::move(message))});
  };
  ASSIGN_OR_RETURN(std::optional<std::string> clash, DerivedNameClash(view, path));
  if (clash.has_value()) return invalid("metadata.name", *clash);
  std::string sku_name(spec.StringAt("sku"));
  std::string cloud(spec.StringAt("cloud"));
  std::string region(spec.StringAt("region"));
  const SkuPolicy* sku = policy_.Sku(sku_name);
  if (sku == nullptr) return invalid("spec.sku", "no Sku " + sku_name + " in policy/skus");
  const OrgRules* org = policy_.Org(rule.org);
  if (org == nullptr) return invalid("metadata.org", "no OrgPolicy for org " + rule.org);
  if (auto violation = ResidencyViolation(*org, cloud, region); violation.has_value()) {
    return invalid("spec.region", *violation);
  }
  std::vector<std::string> zones = policy_.ZonesOf(cloud, region);
  if (zones.empty()) {
    return invalid("spec.region", "no satellite in policy/satellites serves " + cloud + " " + region);
  }
  std::vector<std::string> sources = {"policy/skus/" + sku_name + ".yaml", path};
  std::string attachment;
  if (std::string network(spec.StringAt("network")); !network.empty()) {
    std::string network_path = "tenants/" + rule.org + "/networks/" + network + ".yaml";
    ASSIGN_OR_RETURN(std::optional<controller::LoadedSpec> net, view.ReadSpec(network_path));
    if (!net.has_value() || !net->resource.valid) {
      return invalid("spec.network", "no valid Network " + network + " in org " + rule.org);
    }
    std::string type(net->resource.tree->AtPath("spec.type") != nullptr
                         ? net->resource.tree->AtPath("spec.type")->text()
                         : "");
    if (type != "public") {
      if (!sku->dedicated) {
        return invalid("spec.network", "network " + network + " is " + type +
                                           "; private networking needs a dedicated SKU, not " +
                                           sku_name);
      }
      attachment = DerivedName({"na", rule.org, network});
      sources.push_back(network_path);
    }
  }
  invalid_.erase(path);

  if (!sku->dedicated) {
    std::string current = PlacementOf(key);
    auto p = physical_.find(current);
    bool stays = p != physical_.end() && p->second.shared && p->second.sku == sku_name &&
                 p->second.cloud == cloud && p->second.region == region;
    if (stays) return Outcome::Done();  // a tenant's own settings do not shape a shared cluster
    RETURN_IF_ERROR(Unplace(key, "", out));
    dirty_shared_.insert(PlaceShared(key, *sku, cloud, region, zones));
    return Outcome::Done();
  }

  std::string name = DerivedName({"pkc", rule.org, rule.name});
  RETURN_IF_ERROR(Unplace(key, name, out));
  int64_t cku = IntAt(spec, "cku", 1);
  bool multi_zone = spec.StringAt("availability") == "multi-zone";
  std::vector<std::string> placed_zones;
  if (auto p = physical_.find(name); p != physical_.end() &&
                                     p->second.zones.size() == PickZones(zones, multi_zone).size()) {
    placed_zones = p->second.zones;  // sticky: a satellite's zone list changing moves nothing
  } else {
    placed_zones = PickZones(zones, multi_zone);
  }
  specs::Node out_doc = DerivedDoc("PhysicalKafkaCluster", name, sources);
  specs::Node* out_spec = SpecOf(out_doc);
  out_spec->Set("tenancy", specs::Node::String("dedicated"));
  out_spec->Set("sku", specs::Node::String(sku_name));
  out_spec->Set("cloud", specs::Node::String(cloud));
  out_spec->Set("region", specs::Node::String(region));
  out_spec->Set("zones", StringList(placed_zones));
  out_spec->Set("brokers", specs::Node::Int(sku->brokers_per_cku * cku));
  out_spec->Set("brokerSize", BrokerSize(true));
  std::string version(spec.StringAt("kafkaVersion"));
  out_spec->Set("kafkaVersion",
                specs::Node::String(version.empty() ? std::string(kDefaultKafkaVersion) : version));
  if (const specs::Node* config = spec.Find("config"); config != nullptr && config->is_map()) {
    out_spec->Set("config", *config);
  }
  if (!attachment.empty()) out_spec->Set("network", specs::Node::String(attachment));
  specs::Node tenants = specs::Node::Sequence();
  specs::Node tenant = specs::Node::Map();
  tenant.Set("key", specs::Node::String(key));
  tenant.Set("cku", specs::Node::Int(cku));
  tenants.items().push_back(std::move(tenant));
  out_spec->Set("tenants", std::move(tenants));
  ApplyTarget(name, out_doc);
  if (const specs::Node* labels = doc.AtPath("metadata.labels"); labels != nullptr) {
    SetLabels(out_doc, *labels);
  }
  RETURN_IF_ERROR(out.Put(std::string(kPrefix) + rule.org + "/" + name + ".yaml", std::move(out_doc)));
  return Outcome::Done();
}

}  // namespace strata::controllers
