#include "reconciler/rollout/progress.h"

#include "reconciler/rollout/time_text.h"

namespace strata::rollout {

std::string_view RolloutPhaseName(RolloutPhase phase) {
  switch (phase) {
    case RolloutPhase::kRunning:
      return "Running";
    case RolloutPhase::kPaused:
      return "Paused";
    case RolloutPhase::kAborted:
      return "Aborted";
    case RolloutPhase::kComplete:
      return "Complete";
    case RolloutPhase::kRefused:
      return "Refused";
  }
  return "Running";
}

std::string_view WaitingForName(WaitingFor waiting) {
  switch (waiting) {
    case WaitingFor::kNone:
      return "None";
    case WaitingFor::kSoak:
      return "Soak";
    case WaitingFor::kApproval:
      return "Approval";
    case WaitingFor::kPaused:
      return "Paused";
    case WaitingFor::kFailureBudget:
      return "FailureBudget";
    case WaitingFor::kConcurrency:
      return "Concurrency";
  }
  return "None";
}

std::string_view WaveStateName(WaveState state) {
  switch (state) {
    case WaveState::kPending:
      return "Pending";
    case WaveState::kActive:
      return "Active";
    case WaveState::kComplete:
      return "Complete";
  }
  return "Pending";
}

specs::Node ProgressSpec(const Progress& p) {
  auto str = [](std::string_view s) { return specs::Node::String(std::string(s)); };
  specs::Node spec = specs::Node::Map();
  spec.Set("rollout", str(p.rollout));
  spec.Set("phase", str(RolloutPhaseName(p.phase)));
  spec.Set("waitingFor", str(WaitingForName(p.waiting_for)));
  if (!p.reason.empty()) spec.Set("reason", str(p.reason.substr(0, 4000)));
  if (p.soak_until_ms != 0) spec.Set("soakUntil", str(FormatMillis(p.soak_until_ms)));
  spec.Set("failures", specs::Node::Int(p.failures));
  if (p.acknowledged_failures != 0) {
    spec.Set("acknowledgedFailures", specs::Node::Int(p.acknowledged_failures));
  }
  if (p.unassigned != 0) spec.Set("unassigned", specs::Node::Int(p.unassigned));
  specs::Node waves = specs::Node::Sequence();
  for (const WaveProgress& w : p.waves) {
    specs::Node node = specs::Node::Map();
    node.Set("name", str(w.name));
    node.Set("state", str(WaveStateName(w.state)));
    node.Set("clusters", specs::Node::Int(w.clusters));
    node.Set("pending", specs::Node::Int(w.pending));
    node.Set("inProgress", specs::Node::Int(w.in_progress));
    node.Set("done", specs::Node::Int(w.done));
    node.Set("failed", specs::Node::Int(w.failed));
    node.Set("maxConcurrent", specs::Node::Int(w.max_concurrent));
    node.Set("maxFailures", specs::Node::Int(w.max_failures));
    if (w.started_at_ms != 0) node.Set("startedAt", str(FormatMillis(w.started_at_ms)));
    if (w.completed_at_ms != 0) node.Set("completedAt", str(FormatMillis(w.completed_at_ms)));
    waves.items().push_back(std::move(node));
  }
  spec.Set("waves", std::move(waves));
  return spec;
}

}  // namespace strata::rollout
