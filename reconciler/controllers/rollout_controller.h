// rollout: Rollout (rollouts/<name>.yaml) → RolloutTarget and RolloutProgress (derived/rollout/).
//
// The top of the layer cake for fleet-wide changes. It selects physical Kafka clusters from pkc's
// output (derived/pkc/), releases them wave by wave by writing a RolloutTarget for each under its
// own prefix — pkc reads those and sets the version and broker settings, so the rollout controller
// never edits another controller's output — and records where each rollout stands in a
// RolloutProgress. The rules (waves, percentages, maxConcurrent, soak, failure budget, approvals,
// pause and abort) are the planner's (reconciler/rollout/planner.h); this class feeds it.
//
// Unlike the other controllers its output depends on what the agents report and on the clock:
// it follows strata.status (FollowsStatus), so a cluster turning Ready or Failed at its release
// wakes its rollout, and it requeues itself for the end of a soak. Everything it decides from
// those it writes down (doneAt, Failed with the reason), so a restarted controller carries on.
//
// Invalid for the rollout's key (terminal, reported): a spec that fails its schema, two waves of
// one name, an approved wave that does not exist, or a change to a setting that another unfinished
// rollout changes on the same clusters (the later one is refused, naming the other).
// Thread-safety: OnStatus may be called from another thread than Reconcile.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

#include "reconciler/controller/controller.h"
#include "reconciler/rollout/planner.h"

namespace strata::controllers {

inline constexpr std::string_view kRolloutsTopic = "strata.rollouts";

class RolloutController : public controller::Controller {
 public:
  // `now_ms`: milliseconds since the epoch; tests pass their own clock. Empty: the system clock.
  explicit RolloutController(std::function<int64_t()> now_ms = {});
  const controller::ControllerInfo& info() const override { return info_; }
  std::vector<controller::Watch> Watches() override;
  void Reset() override;
  Result<std::map<std::string, controller::Outcome>> Reconcile(
      const std::vector<std::string>& paths, controller::FleetView& view,
      controller::OutputBatch& out) override;
  Status AfterCommit(controller::FleetView& view, const git_oid& commit,
                     const std::vector<std::string>& changed_paths) override;
  std::vector<KafkaMessage> TakeNotices() override;
  Status AfterStart(controller::FleetView& view) override;
  // Every rollout, once: soaks that were running when the controller stopped end on time.
  std::vector<std::string> StartPaths() override;

  bool FollowsStatus() const override { return true; }
  std::vector<std::string> OnStatus(const ResourceStatus& status) override;

 private:
  struct RolloutFile {
    rollout::RolloutSpec spec;
    bool valid = false;  // parsed without errors (the schema is checked on reconcile)
  };
  void OnCluster(const std::string& path, const specs::Node* doc);
  void OnOwnFile(const std::string& path, const specs::Node* doc);
  void OnRolloutFile(const std::string& path, const specs::Node* doc);
  Result<controller::Outcome> ReconcileRollout(const std::string& path, controller::FleetView& view,
                                               controller::OutputBatch& out);
  // The unfinished rollout `spec` collides with (a setting both change on a cluster both select),
  // or nullopt. Sets `cluster` and `field` to an example.
  std::optional<std::string> Conflict(const rollout::RolloutSpec& spec, std::string* cluster,
                                      std::string* field) const;
  bool Accepted(const std::string& rollout) const;
  bool Unfinished(const std::string& rollout) const;
  Status WriteProgress(const rollout::RolloutSpec& spec, const rollout::Progress& progress,
                       controller::OutputBatch& out);

  controller::ControllerInfo info_;
  std::function<int64_t()> now_ms_;
  std::map<std::string, rollout::FleetCluster> clusters_;  // by physical cluster name
  std::map<std::string, rollout::Target> targets_;         // by physical cluster name
  std::map<std::string, std::string> progress_phase_;      // rollout name → its recorded phase
  std::map<std::string, RolloutFile> rollouts_;            // rollout name → its file, parsed
  std::map<std::string, std::string> recorded_state_;  // rollout → "Phase/WaitingFor" in its file
  std::map<std::string, std::string> committed_state_;        // the same, as last announced
  std::map<std::string, rollout::Progress> staged_progress_;  // in the commit being made
  std::vector<KafkaMessage> notices_;                         // for the runtime to send

  mutable std::mutex health_mu_;
  std::unordered_map<std::string, rollout::Health> health_;  // by physical cluster name
  // Releases in flight: cluster → (release token, rollout path), for OnStatus.
  std::unordered_map<std::string, std::pair<std::string, std::string>> watching_;
};

std::unique_ptr<controller::Controller> MakeRolloutController(std::function<int64_t()> now_ms = {});

}  // namespace strata::controllers
