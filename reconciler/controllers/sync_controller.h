// sync: Kubernetes clusters and their workloads → each satellite's slice.
//
// Each K8sCluster is placed on a satellite of its cloud and region (sticky; a new one goes to the
// satellite with the fewest Kubernetes clusters that still has room under maxK8sClusters). Its
// slice is satellites/<satellite>/<k8s>/: one SliceEntry for the Kubernetes cluster itself, one per
// workload it runs (physical Kafka, Connect, ksqlDB clusters) and one for the network attachment
// it is dedicated to, each carrying the derived document it places.
//
// After each commit on the fleet branch, refs/heads/satellites/<id> of every satellite whose slice
// changed moves to a commit whose tree is exactly satellites/<id>/ of that commit, with the fleet
// commit as its Strata-Cause. At start-up every satellite ref is checked the same way, so a crash
// between the two moves is repaired.
//
// With a signing key, each slice commit is signed with it in git's SSH signature format (what
// `git verify-commit` checks with gpg.format=ssh, and what agents insist on); without one the
// commits are unsigned and agents refuse them. Each moved ref is announced with a SliceNotice on
// strata.satellites, which wakes that satellite's agent.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "core/ssh_signature.h"
#include "reconciler/controller/controller.h"
#include "reconciler/controllers/k8s_cluster_index.h"
#include "reconciler/controllers/policy_index.h"

namespace strata::controllers {

// "refs/heads/satellites/aws-us-west-2-1"
std::string SatelliteRef(const std::string& satellite);

class SyncController : public controller::Controller {
 public:
  // `signing_key` may be null: the slice commits are then unsigned.
  explicit SyncController(std::shared_ptr<const ssh::SigningKey> signing_key = nullptr);
  const controller::ControllerInfo& info() const override { return info_; }
  std::vector<controller::Watch> Watches() override;
  void Reset() override {
    policy_.Reset();
    index_.Clear();
    docs_.clear();
    entries_.clear();
    clusters_on_.clear();
  }
  Result<std::map<std::string, controller::Outcome>> Reconcile(
      const std::vector<std::string>& paths, controller::FleetView& view,
      controller::OutputBatch& out) override;
  Status AfterCommit(controller::FleetView& view, const git_oid& commit,
                     const std::vector<std::string>& changed_paths) override;
  Status AfterStart(controller::FleetView& view) override;
  // A rewrite may have put main's slices back without any entry to write: every ref follows.
  Status AfterRewrite(controller::FleetView& view) override { return AfterStart(view); }
  std::vector<KafkaMessage> TakeNotices() override;
  // Behind a slice entry is its Kubernetes cluster, whose sync rewrites every entry under it and
  // removes those that no longer belong (a workload moved to another cluster leaves none behind).
  std::vector<std::string> InputsBehind(const std::string& path,
                                        const specs::Node& doc) const override;

  // The satellite a Kubernetes cluster is placed on; "" when none.
  std::string SatelliteOf(const std::string& k8s) const;

 private:
  void OnOwnFile(const std::string& path, const specs::Node* doc);
  Result<controller::Outcome> SyncCluster(const std::string& name, controller::FleetView& view,
                                          controller::OutputBatch& out);
  Status PutEntry(const std::string& satellite, const std::string& k8s,
                  const std::string& resource_path, controller::FleetView& view,
                  controller::OutputBatch& out, std::set<std::string>* written);
  Status MoveSatelliteRef(controller::FleetView& view, const std::string& satellite);

  controller::ControllerInfo info_;
  PolicyIndex policy_;
  K8sClusterIndex index_;  // from derived/capacity
  std::unordered_map<std::string, std::string> docs_;        // derived name → path
  // Our own output: Kubernetes cluster → satellite → entry paths; satellite → clusters on it.
  std::unordered_map<std::string, std::map<std::string, std::set<std::string>>> entries_;
  std::map<std::string, int64_t> clusters_on_;
  std::set<std::string> unplaced_;      // clusters no satellite had room for
  std::set<std::string> pending_refs_;  // satellites whose ref failed to move
  std::shared_ptr<const ssh::SigningKey> signing_key_;
  std::vector<KafkaMessage> notices_;   // refs moved since the last TakeNotices
};

std::unique_ptr<controller::Controller> MakeSyncController(
    std::shared_ptr<const ssh::SigningKey> signing_key = nullptr);

}  // namespace strata::controllers
