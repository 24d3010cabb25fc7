#include "reconciler/controllers/attached_controller.h"

#include "reconciler/controllers/derived_doc.h"
#include "reconciler/controllers/derived_name_clash.h"
#include "specs/kinds.h"

namespace strata::controllers {
namespace {

using controller::Outcome;

// ConnectCluster/acme/orders-sink → tenants/acme/connect/orders-sink.yaml
std::string InputPath(const std::string& key, const std::string& dir) {
  size_t a = key.find('/');
  size_t b = key.find('/', a + 1);
  return "tenants/" + key.substr(a + 1, b - a - 1) + "/" + dir + "/" + key.substr(b + 1) + ".yaml";
}

}  // namespace

std::unique_ptr<controller::Controller> MakeConnectController() {
  return std::make_unique<AttachedController>(AttachedKind{
      "connect", "ConnectCluster", "connect", "PhysicalConnectCluster", "pcc", "workers"});
}

std::unique_ptr<controller::Controller> MakeKsqlController() {
  return std::make_unique<AttachedController>(
      AttachedKind{"ksql", "KsqlCluster", "ksql", "PhysicalKsqlCluster", "pksql", "csu"});
}

AttachedController::AttachedController(AttachedKind kind) : kind_(std::move(kind)) {
  info_.name = kind_.controller;
  info_.inputs = {kind_.kind, "PhysicalKafkaCluster"};
  info_.outputs = {kind_.physical_kind};
  info_.prefix = "derived/" + kind_.controller + "/";
  info_.summary = kind_.kind + "s → physical ones, next to their Kafka cluster";
}

std::vector<controller::Watch> AttachedController::Watches() {
  return {
      {"derived/pkc",
       [this](const std::string& path, const specs::Node* doc) { OnPhysicalKafka(path, doc); }},
      {"derived/" + kind_.controller,
       [this](const std::string& path, const specs::Node* doc) { OnOwnFile(path, doc); }},
  };
}

void AttachedController::OnPhysicalKafka(const std::string& path, const specs::Node* doc) {
  std::string name = StemOf(path);
  for (const std::string& key : kafka_tenants_[name]) {
    auto it = kafka_placement_.find(key);
    if (it != kafka_placement_.end() && it->second == name) kafka_placement_.erase(it);
  }
  kafka_tenants_.erase(name);
  kafka_location_.erase(name);
  const specs::Node* spec = doc == nullptr ? nullptr : doc->Find("spec");
  if (spec == nullptr) return;
  kafka_location_[name] = {std::string(spec->StringAt("cloud")),
                           std::string(spec->StringAt("region"))};
  if (const specs::Node* tenants = spec->Find("tenants"); tenants != nullptr) {
    for (const specs::Node& t : tenants->items()) {
      std::string key(t.StringAt("key"));
      kafka_placement_[key] = name;
      kafka_tenants_[name].insert(key);
    }
  }
}

void AttachedController::OnOwnFile(const std::string& path, const specs::Node* doc) {
  std::string name = StemOf(path);
  if (auto it = own_.find(name); it != own_.end()) {
    auto& deps = dependents_[it->second.first];
    deps.erase(it->second.second);
    if (deps.empty()) dependents_.erase(it->second.first);
    own_.erase(it);
  }
  const specs::Node* spec = doc == nullptr ? nullptr : doc->Find("spec");
  if (spec == nullptr) return;
  std::string kafka(spec->StringAt("kafkaCluster"));
  std::string input = InputPath(std::string(spec->StringAt("source")), kind_.dir);
  own_[name] = {kafka, input};
  dependents_[kafka].insert(input);
}

Result<std::map<std::string, Outcome>> AttachedController::Reconcile(
    const std::vector<std::string>& paths, controller::FleetView& view,
    controller::OutputBatch& out) {
  std::set<std::string> inputs;
  for (const std::string& path : paths) {
    if (path.rfind("derived/pkc/", 0) == 0) {  // a Kafka cluster changed: its attached ones
      std::string physical = StemOf(path);
      auto it = dependents_.find(physical);
      if (it != dependents_.end()) inputs.insert(it->second.begin(), it->second.end());
      if (auto t = kafka_tenants_.find(physical); t != kafka_tenants_.end()) {
        for (const std::string& key : t->second) {
          auto w = waiting_.find(key);
          if (w != waiting_.end()) inputs.insert(w->second.begin(), w->second.end());
        }
      }
    } else {
      inputs.insert(path);
    }
  }
  std::map<std::string, Outcome> outcomes;
  for (const std::string& path : inputs) {
    ASSIGN_OR_RETURN(outcomes[path], ReconcileOne(path, view, out));
  }
  return outcomes;
}

Result<Outcome> AttachedController::ReconcileOne(const std::string& path,
                                                 controller::FleetView& view,
                                                 controller::OutputBatch& out) {
  ASSIGN_OR_RETURN(specs::PathRule rule, specs::ClassifyPath(path));
  std::string key = specs::ResourceKey(kind_.kind, rule.org, rule.name);
  std::string name = DerivedName({kind_.short_name, rule.org, rule.name});
  std::string out_path = info_.prefix + rule.org + "/" + name + ".yaml";
  ASSIGN_OR_RETURN(std::optional<controller::LoadedSpec> loaded, view.ReadSpec(path));
  if (!loaded.has_value()) {
    RETURN_IF_ERROR(out.Remove(out_path));
    return Outcome::Done();
  }
  if (!loaded->resource.valid) return Outcome::Invalid(key, ToEventErrors(loaded->diagnostics));
  const specs::Node& doc = *loaded->resource.tree;
  const specs::Node& spec = *doc.Find("spec");
  ASSIGN_OR_RETURN(std::optional<std::string> clash, DerivedNameClash(view, path));
  if (clash.has_value()) {
    return Outcome::Invalid(key, {FieldError(path, doc.AtPath("metadata.name"), "metadata.name", *clash)});
  }
  std::string kafka_name(spec.StringAt("kafkaCluster"));
  std::string kafka_key = specs::ResourceKey("KafkaCluster", rule.org, kafka_name);
  auto placed = kafka_placement_.find(kafka_key);
  if (placed == kafka_placement_.end()) {
    std::string kafka_path = "tenants/" + rule.org + "/kafka/" + kafka_name + ".yaml";
    ASSIGN_OR_RETURN(std::optional<controller::LoadedSpec> kafka, view.ReadSpec(kafka_path));
    if (kafka.has_value() && !kafka->resource.valid) {
      return Outcome::Invalid(key, {FieldError(path, doc.AtPath("spec.kafkaCluster"),
                                               "spec.kafkaCluster",
                                               "KafkaCluster " + kafka_name + " of org " + rule.org +
                                                   " is invalid")});
    }
    if (!kafka.has_value()) {
      return Outcome::Invalid(key, {FieldError(path, doc.AtPath("spec.kafkaCluster"),
                                               "spec.kafkaCluster",
                                               "no KafkaCluster " + kafka_name + " in org " +
                                                   rule.org)});
    }
    waiting_[kafka_key].insert(path);
    return Outcome::Retry(key, kafka_key + " has no physical cluster yet");
  }
  waiting_.erase(kafka_key);
  const auto& [cloud, region] = kafka_location_.at(placed->second);
  specs::Node out_doc = DerivedDoc(kind_.physical_kind, name, {path});
  specs::Node* out_spec = SpecOf(out_doc);
  out_spec->Set("kafkaCluster", specs::Node::String(placed->second));
  out_spec->Set("cloud", specs::Node::String(cloud));
  out_spec->Set("region", specs::Node::String(region));
  const specs::Node* size = spec.Find(kind_.size_field);
  out_spec->Set(kind_.size_field, specs::Node::Int(size != nullptr ? size->as_int() : 1));
  out_spec->Set("source", specs::Node::String(key));
  RETURN_IF_ERROR(out.Put(out_path, std::move(out_doc)));
  return Outcome::Done();
}

}  // namespace strata::controllers
