// connect and ksql: ConnectCluster → PhysicalConnectCluster (pcc-<org>-<name>) and KsqlCluster →
// PhysicalKsqlCluster (pksql-<org>-<name>), each placed next to the physical Kafka cluster that
// hosts its logical Kafka cluster (same cloud and region, named in spec.kafkaCluster).
//
// One class, two configurations: the two differ only in kinds, names and the size field.
// A logical Kafka cluster that exists but is not placed yet is a retry (pkc is behind); one that
// does not exist is invalid for the key. When pkc moves a Kafka cluster, its attached clusters
// follow.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "reconciler/controller/controller.h"

namespace strata::controllers {

struct AttachedKind {
  std::string controller;  // "connect"
  std::string kind;        // "ConnectCluster"
  std::string dir;         // tenants/<org>/<dir>/
  std::string physical_kind;  // "PhysicalConnectCluster"
  std::string short_name;  // "pcc"
  std::string size_field;  // "workers"
};

class AttachedController : public controller::Controller {
 public:
  explicit AttachedController(AttachedKind kind);
  const controller::ControllerInfo& info() const override { return info_; }
  std::vector<controller::Watch> Watches() override;
  void Reset() override {
    kafka_placement_.clear();
    kafka_location_.clear();
    kafka_tenants_.clear();
    dependents_.clear();
    own_.clear();
  }
  Result<std::map<std::string, controller::Outcome>> Reconcile(
      const std::vector<std::string>& paths, controller::FleetView& view,
      controller::OutputBatch& out) override;

 private:
  Result<controller::Outcome> ReconcileOne(const std::string& path, controller::FleetView& view,
                                           controller::OutputBatch& out);
  void OnPhysicalKafka(const std::string& path, const specs::Node* doc);
  void OnOwnFile(const std::string& path, const specs::Node* doc);

  AttachedKind kind_;
  controller::ControllerInfo info_;
  // From derived/pkc: logical Kafka key → physical cluster name; physical → {cloud, region}.
  std::unordered_map<std::string, std::string> kafka_placement_;
  std::unordered_map<std::string, std::pair<std::string, std::string>> kafka_location_;
  std::unordered_map<std::string, std::set<std::string>> kafka_tenants_;  // physical → keys
  // From our own output: physical Kafka cluster → the input paths attached to it.
  std::unordered_map<std::string, std::set<std::string>> dependents_;
  std::unordered_map<std::string, std::pair<std::string, std::string>> own_;  // name → (pkc, path)
  // Logical Kafka key → input paths waiting for it to be placed (retried when it is).
  std::unordered_map<std::string, std::set<std::string>> waiting_;
};

std::unique_ptr<controller::Controller> MakeConnectController();
std::unique_ptr<controller::Controller> MakeKsqlController();

}  // namespace strata::controllers
