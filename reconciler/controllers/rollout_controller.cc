#include "reconciler/controllers/rollout_controller.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/resource_status.h"
#include "reconciler/controllers/derived_doc.h"
#include "reconciler/rollout/time_text.h"
#include "specs/kinds.h"

namespace strata::controllers {
namespace {

using controller::Outcome;
using rollout::FleetCluster;
using rollout::Progress;
using rollout::RolloutPhase;
using rollout::Target;
using rollout::TargetPhase;

constexpr std::string_view kPrefix = "derived/rollout/";
constexpr std::string_view kPhysicalKey = "PhysicalKafkaCluster/";

int64_t SystemMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using rollout::ProgressPath;
using rollout::RolloutPath;

// The setting two changes both make, or "".
std::string SharedField(const rollout::Settings& a, const rollout::Settings& b) {
  if (!a.kafka_version.empty() && !b.kafka_version.empty()) return "kafkaVersion";
  for (const auto& [key, value] : a.config) {
    if (b.config.count(key) != 0) return "config." + key;
  }
  return "";
}

nlohmann::json ProgressJson(const Progress& p) {
  nlohmann::json waves = nlohmann::json::array();
  for (const rollout::WaveProgress& w : p.waves) {
    waves.push_back({{"name", w.name},
                     {"state", rollout::WaveStateName(w.state)},
                     {"clusters", w.clusters},
                     {"pending", w.pending},
                     {"inProgress", w.in_progress},
                     {"done", w.done},
                     {"failed", w.failed},
                     {"maxConcurrent", w.max_concurrent},
                     {"maxFailures", w.max_failures}});
    if (w.started_at_ms != 0) waves.back()["startedAt"] = rollout::FormatMillis(w.started_at_ms);
    if (w.completed_at_ms != 0) {
      waves.back()["completedAt"] = rollout::FormatMillis(w.completed_at_ms);
    }
  }
  nlohmann::json data = {{"rollout", p.rollout},
                         {"phase", rollout::RolloutPhaseName(p.phase)},
                         {"waitingFor", rollout::WaitingForName(p.waiting_for)},
                         {"reason", p.reason},
                         {"failures", p.failures},
                         {"waves", waves}};
  if (p.soak_until_ms != 0) data["soakUntil"] = rollout::FormatMillis(p.soak_until_ms);
  data["acknowledgedFailures"] = p.acknowledged_failures;
  data["unassigned"] = p.unassigned;
  return data;
}

}  // namespace

std::unique_ptr<controller::Controller> MakeRolloutController(std::function<int64_t()> now_ms) {
  return std::make_unique<RolloutController>(std::move(now_ms));
}

RolloutController::RolloutController(std::function<int64_t()> now_ms)
    : now_ms_(now_ms ? std::move(now_ms) : SystemMillis) {
  info_.name = "rollout";
  info_.inputs = {"Rollout"};
  info_.observes = {"PhysicalKafkaCluster"};  // a cluster added or changed may join a rollout
  info_.outputs = {"RolloutTarget", "RolloutProgress"};
  info_.prefix = std::string(kPrefix);
  info_.summary = "fleet rollouts → clusters released wave by wave (read by pkc)";
}

std::vector<controller::Watch> RolloutController::Watches() {
  return {
      {"rollouts", [this](const std::string& p, const specs::Node* d) { OnRolloutFile(p, d); }},
      {"derived/pkc", [this](const std::string& p, const specs::Node* d) { OnCluster(p, d); }},
      {"derived/rollout", [this](const std::string& p, const specs::Node* d) { OnOwnFile(p, d); }},
  };
}

void RolloutController::Reset() {
  clusters_.clear();
  targets_.clear();
  progress_phase_.clear();
  rollouts_.clear();
  recorded_state_.clear();
  staged_progress_.clear();
  std::lock_guard lock(health_mu_);
  watching_.clear();
}

void RolloutController::OnRolloutFile(const std::string& path, const specs::Node* doc) {
  std::string name = StemOf(path);
  if (doc == nullptr) {
    rollouts_.erase(name);
    return;
  }
  rollout::ParsedRollout parsed = rollout::ParseRolloutSpec(path, *doc);
  rollouts_[name] = {std::move(parsed.spec), parsed.errors.empty()};
}

void RolloutController::OnCluster(const std::string& path, const specs::Node* doc) {
  std::string name = StemOf(path);
  clusters_.erase(name);
  if (doc == nullptr || doc->StringAt("kind") != "PhysicalKafkaCluster") return;
  const specs::Node* spec = doc->Find("spec");
  if (spec == nullptr) return;
  FleetCluster c;
  c.name = name;
  c.target_path = rollout::TargetPathFor(path);
  c.cloud = std::string(spec->StringAt("cloud"));
  c.region = std::string(spec->StringAt("region"));
  c.sku = std::string(spec->StringAt("sku"));
  if (const specs::Node* tenants = spec->Find("tenants"); tenants != nullptr) {
    for (const specs::Node& t : tenants->items()) {
      std::vector<std::string_view> parts = specs::SplitPath(t.StringAt("key"));
      if (parts.size() == 3) c.orgs.insert(std::string(parts[1]));
    }
  }
  if (const specs::Node* labels = doc->AtPath("metadata.labels"); labels != nullptr) {
    for (const auto& e : labels->entries()) c.labels[e.key] = e.value.text();
  }
  c.settings.kafka_version = std::string(spec->StringAt("kafkaVersion"));
  if (const specs::Node* config = spec->Find("config"); config != nullptr) {
    for (const auto& e : config->entries()) c.settings.config[e.key] = e.value.text();
  }
  clusters_[name] = std::move(c);
}

void RolloutController::OnOwnFile(const std::string& path, const specs::Node* doc) {
  std::string name = StemOf(path);
  if (path.rfind(rollout::kProgressDir, 0) == 0) {
    if (doc == nullptr) {
      progress_phase_.erase(name);
      recorded_state_.erase(name);
    } else {
      const specs::Node* phase = doc->AtPath("spec.phase");
      const specs::Node* waiting = doc->AtPath("spec.waitingFor");
      progress_phase_[name] = phase != nullptr ? phase->text() : "";
      recorded_state_[name] =
          progress_phase_[name] + "/" + (waiting != nullptr ? waiting->text() : "");
    }
    return;
  }
  if (path.rfind(rollout::kTargetsDir, 0) != 0) return;
  std::optional<Target> target;
  if (doc != nullptr) target = rollout::TargetFromDoc(path, *doc);
  std::lock_guard lock(health_mu_);
  if (!target.has_value()) {
    targets_.erase(name);
    watching_.erase(name);
    return;
  }
  if (target->phase != TargetPhase::kReverted) {  // Done too: it must stay healthy as it soaks
    watching_[name] = {target->release, RolloutPath(target->rollout)};
  } else {
    watching_.erase(name);
  }
  targets_[name] = std::move(*target);
}

std::vector<std::string> RolloutController::OnStatus(const ResourceStatus& status) {
  if (status.key.rfind(kPhysicalKey, 0) != 0) return {};
  std::string name = status.key.substr(kPhysicalKey.size());
  std::string reason;
  for (const StatusCondition& c : status.conditions) {
    if (!c.status && !c.message.empty()) reason = c.message;
  }
  std::lock_guard lock(health_mu_);
  health_[name] = {status.phase, status.release, reason};
  auto it = watching_.find(name);
  if (it == watching_.end() || it->second.first != status.release) return {};
  if (status.phase != "Ready" && status.phase != "Failed" && status.phase != "Degraded") return {};
  return {it->second.second};
}

bool RolloutController::Accepted(const std::string& rollout) const {
  auto it = progress_phase_.find(rollout);
  return it != progress_phase_.end() && it->second != "Refused";
}

bool RolloutController::Unfinished(const std::string& rollout) const {
  auto r = rollouts_.find(rollout);
  if (r == rollouts_.end() || !r->second.valid) return false;
  if (r->second.spec.state == rollout::RequestedState::kAborted) return false;
  auto p = progress_phase_.find(rollout);
  return p == progress_phase_.end() || (p->second != "Complete" && p->second != "Refused");
}

std::optional<std::string> RolloutController::Conflict(const rollout::RolloutSpec& spec,
                                                       std::string* cluster,
                                                       std::string* field) const {
  for (const auto& [name, other] : rollouts_) {
    // Only accepted rollouts stand in the way (rollouts of one batch are accepted in name order,
    // and one that is invalid is never accepted).
    if (name == spec.name || !Accepted(name) || !Unfinished(name)) continue;
    std::string shared = SharedField(spec.change, other.spec.change);
    if (shared.empty()) continue;
    for (const auto& [cluster_name, c] : clusters_) {
      if (rollout::Matches(spec.selector, c) && rollout::Matches(other.spec.selector, c)) {
        *cluster = cluster_name;
        *field = shared;
        return name;
      }
    }
  }
  return std::nullopt;
}

Result<std::map<std::string, Outcome>> RolloutController::Reconcile(
    const std::vector<std::string>& paths, controller::FleetView& view,
    controller::OutputBatch& out) {
  std::map<std::string, Outcome> outcomes;
  staged_progress_.clear();  // a pass again after a lost race stages its own
  // Targets of clusters that are gone go with them.
  std::vector<std::string> orphans;
  for (const auto& [name, target] : targets_) {
    if (clusters_.count(name) == 0) orphans.push_back(target.path);
  }
  for (const std::string& orphan : orphans) RETURN_IF_ERROR(out.Remove(orphan));
  // A physical cluster that came, went or changed: every rollout looks again (a new cluster may
  // belong to a wave that has started or ended).
  std::set<std::string> rollouts;
  bool clusters_changed = false;
  for (const std::string& path : paths) {
    if (path.rfind("rollouts/", 0) == 0) {
      rollouts.insert(path);
    } else {
      clusters_changed = true;
    }
  }
  if (clusters_changed) {
    for (const auto& [name, file] : rollouts_) rollouts.insert(file.spec.path);
  }
  for (const std::string& path : rollouts) {
    ASSIGN_OR_RETURN(outcomes[path], ReconcileRollout(path, view, out));
  }
  return outcomes;
}

Result<Outcome> RolloutController::ReconcileRollout(const std::string& path,
                                                    controller::FleetView& view,
                                                    controller::OutputBatch& out) {
  std::string name = StemOf(path);
  std::string key = specs::ResourceKey("Rollout", "", name);
  ASSIGN_OR_RETURN(std::optional<controller::LoadedSpec> loaded, view.ReadSpec(path));
  if (!loaded.has_value()) {  // deleted: what it released stays; its progress goes
    RETURN_IF_ERROR(out.Remove(ProgressPath(name)));
    return Outcome::Done();
  }
  if (!loaded->resource.valid) return Outcome::Invalid(key, ToEventErrors(loaded->diagnostics));
  const specs::Node& doc = *loaded->resource.tree;
  rollout::ParsedRollout parsed = rollout::ParseRolloutSpec(path, doc);
  if (!parsed.errors.empty()) return Outcome::Invalid(key, parsed.errors);
  const rollout::RolloutSpec& spec = parsed.spec;

  if (clusters_.empty()) {  // pkc's output is not there yet: nothing to select from
    Outcome wait = Outcome::Done();
    wait.requeue_after = std::chrono::seconds(5);
    return wait;
  }
  // Refused only when it comes: once accepted, a rollout keeps what it holds (the planner makes
  // two rollouts of one setting hold off each other's clusters rather than take turns).
  std::string cluster, field;
  std::optional<std::string> other;
  if (!Accepted(name)) other = Conflict(spec, &cluster, &field);
  if (other.has_value()) {
    std::string message =
        "rollout " + *other + " (" + RolloutPath(*other) + ") also changes " + field + " of " +
        cluster +
        ", and it is not finished; a setting of a "
        "cluster takes one rollout at a time: finish, abort or narrow one of them";
    const char* at = field == "kafkaVersion" ? "spec.change.kafkaVersion" : "spec.change.config";
    Progress refused;
    refused.rollout = name;
    refused.phase = RolloutPhase::kRefused;
    refused.reason = message;
    RETURN_IF_ERROR(WriteProgress(spec, refused, out));
    Outcome outcome = Outcome::Invalid(key, {FieldError(path, doc.AtPath(at), at, message)});
    outcome.requeue_after = std::chrono::seconds(30);  // the other may be done by then
    return outcome;
  }

  std::map<std::string, rollout::Settings> unfinished;
  for (const auto& [other_name, file] : rollouts_) {
    if (other_name != name && Unfinished(other_name) && Accepted(other_name)) {
      unfinished[other_name] = file.spec.change;
    }
  }
  rollout::PlanOutput plan;
  {
    // The agents' reports stand still for one pass (the watches below take the lock again).
    std::lock_guard lock(health_mu_);
    rollout::PlanInput input{spec,
                             clusters_,
                             targets_,
                             [this](const std::string& c) -> const rollout::Health* {
                               auto it = health_.find(c);
                               return it == health_.end() ? nullptr : &it->second;
                             },
                             std::move(unfinished),
                             now_ms_()};
    plan = rollout::PlanRollout(input);
  }
  for (const Target& t : plan.writes) {
    specs::Node target_doc =
        DerivedDoc("RolloutTarget", t.cluster, {path, rollout::PkcPathFor(t.path)});
    *SpecOf(target_doc) = rollout::TargetSpec(t);
    RETURN_IF_ERROR(out.Put(t.path, std::move(target_doc)));
  }
  if (!plan.released.empty() || !plan.done.empty() || !plan.failed.empty() ||
      !plan.reverted.empty()) {
    spdlog::info("rollout {}: {} released, {} done, {} failed, {} reverted; {}", name,
                 plan.released.size(), plan.done.size(), plan.failed.size(), plan.reverted.size(),
                 plan.progress.reason);
  }
  RETURN_IF_ERROR(WriteProgress(spec, plan.progress, out));
  Outcome outcome = Outcome::Done();
  outcome.requeue_after = std::chrono::milliseconds(plan.requeue_after_ms);
  return outcome;
}

Status RolloutController::WriteProgress(const rollout::RolloutSpec& spec, const Progress& progress,
                                        controller::OutputBatch& out) {
  staged_progress_[spec.name] = progress;
  specs::Node doc = DerivedDoc("RolloutProgress", spec.name, {spec.path});
  *SpecOf(doc) = rollout::ProgressSpec(progress);
  return out.Put(ProgressPath(spec.name), std::move(doc));
}

// An event for each progress file the commit changed: a state change when the phase or what it
// waits for moved, progress otherwise.
Status RolloutController::AfterCommit(controller::FleetView& view, const git_oid& commit,
                                      const std::vector<std::string>& changed_paths) {
  (void)view;
  std::string hex = OidToHex(commit);
  for (const std::string& path : changed_paths) {
    if (path.rfind(rollout::kProgressDir, 0) != 0) continue;
    auto staged = staged_progress_.find(StemOf(path));
    if (staged == staged_progress_.end()) continue;
    const Progress& p = staged->second;
    std::string state = std::string(rollout::RolloutPhaseName(p.phase)) + "/" +
                        std::string(rollout::WaitingForName(p.waiting_for));
    auto before = committed_state_.find(p.rollout);
    bool state_changed = before == committed_state_.end() || before->second != state;
    committed_state_[p.rollout] = state;
    nlohmann::json data = ProgressJson(p);
    data["commit"] = hex;
    nlohmann::json event = {{"specversion", "1.0"},
                            {"id", hex + ":Rollout/" + p.rollout},
                            {"source", "strata/controller/rollout"},
                            {"type", state_changed ? "dev.strata.rollout.state-changed"
                                                   : "dev.strata.rollout.progressed"},
                            {"subject", "Rollout/" + p.rollout},
                            {"time", rollout::FormatMillis(now_ms_())},
                            {"datacontenttype", "application/json"},
                            {"data", std::move(data)}};
    notices_.push_back({std::string(kRolloutsTopic), "Rollout/" + p.rollout, event.dump()});
  }
  staged_progress_.clear();
  return Status::Ok();
}

Status RolloutController::AfterStart(controller::FleetView& view) {
  (void)view;
  committed_state_ = recorded_state_;  // what the head says: no event for what did not change
  return Status::Ok();
}

std::vector<std::string> RolloutController::StartPaths() {
  std::vector<std::string> paths;
  for (const auto& [name, file] : rollouts_) paths.push_back(file.spec.path);
  return paths;
}

std::vector<KafkaMessage> RolloutController::TakeNotices() {
  std::vector<KafkaMessage> out;
  out.swap(notices_);
  return out;
}

}  // namespace strata::controllers
