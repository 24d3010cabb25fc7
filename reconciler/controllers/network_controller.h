// network: Network → NetworkAttachment (derived/network/<org>/na-<org>-<name>.yaml): the cloud
// resources a network type needs — public: a public endpoint; vpc-peering: a VPC and the peering
// connection to the customer's account; privatelink: a VPC, a load balancer and the cloud's
// endpoint service; transit-gateway: a VPC and the attachment to the customer's gateway.
// A region outside the org's data residency is invalid for the key (reported, output kept).
#pragma once

#include <memory>
#include <set>

#include "reconciler/controller/controller.h"
#include "reconciler/controllers/policy_index.h"

namespace strata::controllers {

class NetworkController : public controller::Controller {
 public:
  NetworkController();
  const controller::ControllerInfo& info() const override { return info_; }
  std::vector<controller::Watch> Watches() override;
  void Reset() override {
    policy_.Reset();
    invalid_.clear();
  }
  Result<std::map<std::string, controller::Outcome>> Reconcile(
      const std::vector<std::string>& paths, controller::FleetView& view,
      controller::OutputBatch& out) override;

 private:
  Result<controller::Outcome> ReconcileNetwork(const std::string& path, controller::FleetView& view,
                                               controller::OutputBatch& out);
  controller::ControllerInfo info_;
  PolicyIndex policy_;
  std::set<std::string> invalid_;
};

std::unique_ptr<controller::Controller> MakeNetworkController();

}  // namespace strata::controllers
