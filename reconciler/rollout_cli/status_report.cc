#include "reconciler/rollout_cli/status_report.h"

#include "reconciler/rollout/time_text.h"

#include <algorithm>

namespace strata::rollout_cli {
namespace {

constexpr int kBarWidth = 20;

// Colours are for a terminal only; `text` is padded to `width` first so that columns line up.
std::string Paint(const std::string& text, const char* colour, bool terminal, size_t width = 0) {
  std::string padded = text;
  if (padded.size() < width) padded.append(width - padded.size(), ' ');
  if (!terminal || colour == nullptr) return padded;
  return std::string(colour) + padded + "\033[0m";
}
constexpr const char* kGreen = "\033[32m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kRed = "\033[31m";
constexpr const char* kBold = "\033[1m";

const char* ColourOfState(const std::string& state) {
  if (state == "Complete") return kGreen;
  if (state == "Active" || state == "Running") return kYellow;
  if (state == "Paused" || state == "Aborted" || state == "Refused") return kRed;
  return nullptr;
}

std::string ChangeText(const RolloutSpec& rollout) {
  std::string text;
  if (!rollout.kafka_version.empty()) text = "kafkaVersion → " + rollout.kafka_version;
  if (!rollout.config.empty()) {
    if (!text.empty()) text += "; ";
    text += "config: ";
    for (size_t i = 0; i < rollout.config.size(); ++i) {
      if (i > 0) text += ", ";
      text += rollout.config[i].first + "=" + rollout.config[i].second;
    }
  }
  return text.empty() ? "nothing" : text;
}

std::string Bar(int64_t done, int64_t total, bool terminal) {
  std::string counts = std::to_string(done) + "/" + std::to_string(total);
  if (!terminal) return "[" + counts + "]";
  int filled =
      total <= 0 ? 0 : static_cast<int>(kBarWidth * std::clamp<int64_t>(done, 0, total) / total);
  return "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] " + counts;
}

const WaveSpec* FindWaveSpec(const RolloutSpec& rollout, const std::string& name) {
  for (const WaveSpec& wave : rollout.waves) {
    if (wave.name == name) return &wave;
  }
  return nullptr;
}

bool Approved(const RolloutSpec& rollout, const std::string& wave) {
  return std::find(rollout.approved_waves.begin(), rollout.approved_waves.end(), wave) !=
         rollout.approved_waves.end();
}

std::string WaveStateOf(const RolloutProgress& progress, const std::string& name) {
  for (const WaveProgress& wave : progress.waves) {
    if (wave.name == name) return wave.state;
  }
  return "";
}

std::string Indent(const std::string& lines, const std::string& prefix) {
  std::string out;
  size_t at = 0;
  while (at < lines.size()) {
    size_t end = lines.find('\n', at);
    if (end == std::string::npos) end = lines.size();
    out += prefix + lines.substr(at, end - at) + "\n";
    at = end + 1;
  }
  return out;
}

std::string TimeLeftText(const TimeLeft& left) {
  switch (left.kind) {
    case TimeLeft::Kind::kDone:
      return "done";
    case TimeLeft::Kind::kUnknown:
      return "unknown (until 2 clusters are done)";
    case TimeLeft::Kind::kEstimate:
      return "about " + FormatDuration(left.millis) + " (" + std::to_string(left.not_done) +
             " cluster" + (left.not_done == 1 ? "" : "s") + " not done, one every " +
             FormatDuration(left.millis_per_cluster) + " over the last " +
             std::to_string(left.based_on) + " done; soaks and approvals come on top)";
  }
  return "";
}

std::string WaitingText(const RolloutSnapshot& snapshot, const StatusSummary& summary,
                        int64_t now_millis) {
  const RolloutProgress& progress = *snapshot.progress;
  const std::string& name = snapshot.rollout.name;
  std::string why = progress.waiting_for;
  std::string reason = progress.reason.empty() ? "" : progress.reason + "\n";
  if (why.empty() || why == "None") return "";
  if (why == "Soak") {
    std::string until = progress.soak_until.empty() ? "the soak ends" : progress.soak_until;
    if (std::optional<int64_t> at = rollout::ParseMillis(progress.soak_until)) {
      until +=
          *at > now_millis ? " (" + FormatDuration(*at - now_millis) + " from now)" : " (due now)";
    }
    return "soak until " + until + "\n" + reason;
  }
  if (why == "Approval") {
    std::string wave = summary.approve_wave.empty() ? "WAVE" : summary.approve_wave;
    return "approval" + (progress.reason.empty() ? "" : ": " + progress.reason) +
           "\napprove with: " + ApproveCommand(name, wave) + "\n";
  }
  if (why == "Paused") {
    return "paused (spec.state " + snapshot.rollout.state + ")" +
           (progress.reason.empty() ? "" : ": " + progress.reason) +
           "\nresume with: " + ResumeCommand(name) + "\n";
  }
  if (why == "FailureBudget") {
    std::string text = "paused at the failure budget: " + std::to_string(progress.failures) +
                       " failed, " + std::to_string(progress.acknowledged_failures) +
                       " acknowledged" + (progress.reason.empty() ? "" : "\n" + progress.reason) +
                       "\n";
    text += "resume with: " + ResumeCommand(name) + " (accepts the " +
            std::to_string(summary.failed.size()) + " failed cluster" +
            (summary.failed.size() == 1 ? "" : "s") + " below and goes on)\n";
    return text;
  }
  if (why == "Concurrency") {
    return "the current batch: no more clusters at once" +
           (progress.reason.empty() ? "" : ": " + progress.reason) + "\n";
  }
  return why + (progress.reason.empty() ? "" : ": " + progress.reason) + "\n";
}

}  // namespace

std::string ApproveCommand(const std::string& rollout, const std::string& wave) {
  return "strata rollout approve " + rollout + " " + wave;
}
std::string ResumeCommand(const std::string& rollout) { return "strata rollout resume " + rollout; }

StatusSummary Summarise(const RolloutSnapshot& snapshot) {
  StatusSummary summary;
  std::vector<int64_t> done_at;
  for (const RolloutTarget& target : snapshot.targets) {
    if (target.phase == "InProgress") summary.in_progress.push_back(target.cluster);
    if (target.phase == "Failed") summary.failed.push_back(target);
    if (target.phase == "Done") {
      if (std::optional<int64_t> at = rollout::ParseMillis(target.done_at)) done_at.push_back(*at);
    }
  }
  if (!snapshot.progress) return summary;
  const RolloutProgress& progress = *snapshot.progress;
  if (progress.waiting_for == "Approval") {
    // The first wave, in order, that needs an approval it has not got and has not started.
    for (const WaveSpec& wave : snapshot.rollout.waves) {
      if (wave.requires_approval && !Approved(snapshot.rollout, wave.name) &&
          WaveStateOf(progress, wave.name) != "Complete") {
        summary.approve_wave = wave.name;
        break;
      }
    }
  }
  int64_t not_done = 0;
  for (const WaveProgress& wave : progress.waves) not_done += wave.pending + wave.in_progress;
  summary.time_left = EstimateTimeLeft(std::move(done_at), not_done, progress.phase == "Complete");
  return summary;
}

std::string FormatStatusText(const RolloutSnapshot& snapshot, bool terminal, int64_t now_millis) {
  const RolloutSpec& rollout = snapshot.rollout;
  std::string out = Paint("rollout " + rollout.name, kBold, terminal) + " (" + rollout.path +
                    " at " + OidToHex(snapshot.commit).substr(0, 12) + ")\n";
  out += "change     " + ChangeText(rollout) + "\n";
  if (!snapshot.progress) {
    out += "state      " + rollout.state + "\n";
    out += "not started by the rollout controller yet\n";
    return out;
  }
  const RolloutProgress& progress = *snapshot.progress;
  StatusSummary summary = Summarise(snapshot);
  out += "phase      " + Paint(progress.phase, ColourOfState(progress.phase), terminal) +
         " (spec.state " + rollout.state + ")\n";

  size_t name_width = 4;
  for (const WaveProgress& wave : progress.waves) {
    name_width = std::max(name_width, wave.name.size());
  }
  std::vector<std::string> bars;
  size_t bar_width = 0;
  for (const WaveProgress& wave : progress.waves) {
    bars.push_back(Bar(wave.done, wave.clusters, terminal));
    bar_width = std::max(bar_width, bars.back().size());
  }
  out += "waves\n";
  for (size_t i = 0; i < progress.waves.size(); ++i) {
    const WaveProgress& wave = progress.waves[i];
    std::string line =
        "  " + Paint(wave.name, nullptr, terminal, name_width) + "  " +
        Paint(wave.state, ColourOfState(wave.state), terminal, 8) + "  " +
        Paint(bars[i], nullptr, terminal, bar_width) + "  pending " + std::to_string(wave.pending) +
        ", in progress " + std::to_string(wave.in_progress) + ", done " +
        std::to_string(wave.done) + ", failed " +
        Paint(std::to_string(wave.failed), wave.failed > 0 ? kRed : nullptr, terminal) +
        "; maxConcurrent " + std::to_string(wave.max_concurrent) + ", maxFailures " +
        std::to_string(wave.max_failures);
    const WaveSpec* spec = FindWaveSpec(rollout, wave.name);
    if (spec != nullptr && spec->requires_approval) {
      line += Approved(rollout, wave.name) ? " (approved)" : " (needs approval)";
    }
    out += line + "\n";
  }
  if (progress.unassigned > 0) {
    out += "unassigned " + std::to_string(progress.unassigned) +
           " selected cluster(s) that no wave takes\n";
  }

  if (!summary.in_progress.empty()) {
    std::string names;
    for (size_t i = 0; i < summary.in_progress.size() && i < kBatchNames; ++i) {
      names += (i > 0 ? ", " : "") + summary.in_progress[i];
    }
    if (summary.in_progress.size() > kBatchNames) {
      names += " and " + std::to_string(summary.in_progress.size() - kBatchNames) + " more";
    }
    out += "batch      " + std::to_string(summary.in_progress.size()) + " in progress: " + names +
           "\n";
  }
  if (progress.phase == "Refused") {
    out += "refused    " + progress.reason + "\n";
  } else if (std::string waiting = WaitingText(snapshot, summary, now_millis); !waiting.empty()) {
    std::string indented = Indent(waiting, "           ");
    out += "waiting    " + indented.substr(11);
  }
  out += "failures   " + std::to_string(progress.failures) + " (" +
         std::to_string(progress.acknowledged_failures) + " acknowledged)\n";
  for (const RolloutTarget& target : summary.failed) {
    out += "  " + Paint(target.cluster, kRed, terminal) + " (wave " + target.wave + ")" +
           (target.reason.empty() ? "" : ": " + target.reason) + "\n";
  }
  out += "time left  " + TimeLeftText(summary.time_left) + "\n";
  return out;
}

nlohmann::ordered_json StatusJson(const RolloutSnapshot& snapshot) {
  const RolloutSpec& rollout = snapshot.rollout;
  nlohmann::ordered_json out;
  out["rollout"] = rollout.name;
  out["path"] = rollout.path;
  out["commit"] = OidToHex(snapshot.commit);
  nlohmann::ordered_json change = nlohmann::ordered_json::object();
  if (!rollout.kafka_version.empty()) change["kafkaVersion"] = rollout.kafka_version;
  if (!rollout.config.empty()) {
    nlohmann::ordered_json config = nlohmann::ordered_json::object();
    for (const auto& [key, value] : rollout.config) config[key] = value;
    change["config"] = config;
  }
  out["change"] = change;
  out["state"] = rollout.state;
  out["approvedWaves"] = rollout.approved_waves;
  out["started"] = snapshot.progress.has_value();
  if (!snapshot.progress) {
    out["message"] = "not started by the rollout controller yet";
    return out;
  }
  const RolloutProgress& progress = *snapshot.progress;
  StatusSummary summary = Summarise(snapshot);
  out["phase"] = progress.phase;
  out["waitingFor"] = progress.waiting_for;
  out["reason"] = progress.reason;
  out["soakUntil"] = progress.soak_until;
  out["approveCommand"] =
      summary.approve_wave.empty() ? "" : ApproveCommand(rollout.name, summary.approve_wave);
  out["failures"] = progress.failures;
  out["acknowledgedFailures"] = progress.acknowledged_failures;
  out["unassigned"] = progress.unassigned;
  nlohmann::ordered_json waves = nlohmann::ordered_json::array();
  for (const WaveProgress& wave : progress.waves) {
    const WaveSpec* spec = FindWaveSpec(rollout, wave.name);
    waves.push_back({{"name", wave.name},
                     {"state", wave.state},
                     {"clusters", wave.clusters},
                     {"pending", wave.pending},
                     {"inProgress", wave.in_progress},
                     {"done", wave.done},
                     {"failed", wave.failed},
                     {"maxConcurrent", wave.max_concurrent},
                     {"maxFailures", wave.max_failures},
                     {"requiresApproval", spec != nullptr && spec->requires_approval},
                     {"approved", Approved(rollout, wave.name)},
                     {"startedAt", wave.started_at},
                     {"completedAt", wave.completed_at}});
  }
  out["waves"] = waves;
  out["inProgress"] = summary.in_progress;
  nlohmann::ordered_json failed = nlohmann::ordered_json::array();
  for (const RolloutTarget& target : summary.failed) {
    failed.push_back(
        {{"cluster", target.cluster}, {"wave", target.wave}, {"reason", target.reason}});
  }
  out["failed"] = failed;
  const TimeLeft& left = summary.time_left;
  nlohmann::ordered_json time_left;
  time_left["estimate"] = left.kind == TimeLeft::Kind::kDone      ? "done"
                          : left.kind == TimeLeft::Kind::kUnknown ? "unknown"
                                                                  : "known";
  time_left["seconds"] = left.kind == TimeLeft::Kind::kEstimate ? left.millis / 1000 : 0;
  time_left["secondsPerCluster"] =
      left.kind == TimeLeft::Kind::kEstimate ? left.millis_per_cluster / 1000.0 : 0.0;
  time_left["basedOn"] = left.based_on;
  time_left["notDone"] = left.not_done;
  out["timeLeft"] = time_left;
  return out;
}

}  // namespace strata::rollout_cli
