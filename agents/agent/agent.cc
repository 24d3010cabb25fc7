#include "agents/agent/agent.h"

#include <filesystem>
#include <random>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agents/agent/agent_state.h"
#include "agents/agent/state_file.h"
#include "core/log.h"
#include "core/ssh_signature.h"

namespace strata::agent {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kFetchedRef = "refs/strata/fetched";
constexpr const char* kTargetRef = "refs/strata/target";
constexpr const char* kAppliedRef = "refs/strata/applied";

std::optional<git_oid> ParseOid(const std::string& hex) {
  git_oid oid;
  if (hex.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, hex.c_str()) != 0) return std::nullopt;
  return oid;
}

std::string HexOrEmpty(const git_oid& oid) { return IsZeroOid(oid) ? "" : OidToHex(oid); }

bool Done(Phase phase) { return phase == Phase::kReady || phase == Phase::kDeleted; }

}  // namespace

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kPending: return "Pending";
    case Phase::kProvisioning: return "Provisioning";
    case Phase::kReady: return "Ready";
    case Phase::kDegraded: return "Degraded";
    case Phase::kFailed: return "Failed";
    case Phase::kDeleting: return "Deleting";
    case Phase::kDeleted: return "Deleted";
  }
  return "Pending";
}

Result<Phase> ParsePhase(std::string_view name) {
  for (Phase p : {Phase::kPending, Phase::kProvisioning, Phase::kReady, Phase::kDegraded,
                  Phase::kFailed, Phase::kDeleting, Phase::kDeleted}) {
    if (PhaseName(p) == name) return p;
  }
  return Status::InvalidArgument("unknown phase '" + std::string(name) + "'");
}

Agent::Agent(AgentOptions options, std::unique_ptr<Driver> driver, Repository repo)
    : options_(std::move(options)),
      driver_(std::move(driver)),
      repo_(std::move(repo)),
      ref_("refs/heads/satellites/" + options_.satellite) {}

Agent::~Agent() {
  listener_.reset();
  reporter_.reset();
}

Result<std::unique_ptr<Agent>> Agent::Create(AgentOptions options, std::unique_ptr<Driver> driver) {
  if (options.satellite.empty()) return Status::InvalidArgument("--satellite is required");
  if (options.repo_url.empty()) return Status::InvalidArgument("--repo is required");
  if (options.state_dir.empty()) return Status::InvalidArgument("--state-dir is required");
  if (options.trusted_keys.empty()) {
    return Status::InvalidArgument("--trusted-keys is required: an agent applies only signed slices");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.state_dir, ec);
  if (ec) return Status::Internal("cannot make " + options.state_dir + ": " + ec.message());
  std::string repo_path = options.state_dir + "/repo.git";
  Result<Repository> repo = std::filesystem::exists(repo_path)
                                ? Repository::Open(repo_path)
                                : Repository::Init(repo_path, /*bare=*/true, "main");
  if (!repo.ok()) return repo.status();
  std::unique_ptr<Agent> agent(new Agent(std::move(options), std::move(driver), std::move(*repo)));
  ASSIGN_OR_RETURN(agent->reporter_, StatusReporter::Create(agent->options_.kafka));
  RETURN_IF_ERROR(agent->Load());
  if (!agent->options_.kafka.empty()) {
    Agent* self = agent.get();
    Result<std::unique_ptr<NoticeListener>> listener = NoticeListener::Start(
        agent->options_.kafka, agent->options_.satellite, [self](const std::string&) { self->Wake(); });
    if (listener.ok()) {
      agent->listener_ = std::move(*listener);
    } else {
      spdlog::warn("agent {}: no wake-ups from Kafka, polling only: {}", agent->options_.satellite,
                   listener.status().ToString());
    }
  }
  return agent;
}

// Picks up where the last run stopped: the target's whole slice is desired, and what changed since
// the last applied commit is pending again (the driver moves from wherever the data plane is).
Status Agent::Load() {
  std::string path = options_.state_dir + "/agent.json";
  ASSIGN_OR_RETURN(std::optional<std::string> text, ReadFileIfExists(path));
  if (!text.has_value()) return Status::Ok();
  Result<AgentState> state = DecodeAgentState(*text);
  if (!state.ok()) return Status::InvalidArgument(path + ": " + std::string(state.status().message()));
  if (state->satellite != options_.satellite) {
    return Status::InvalidArgument(path + ": this state directory belongs to satellite '" +
                                   state->satellite + "', not '" + options_.satellite + "'");
  }
  target_ = state->target;
  applied_ = state->applied;
  fleet_commit_ = state->fleet_commit;
  if (IsZeroOid(target_)) return Status::Ok();
  ASSIGN_OR_RETURN(git_oid target_tree, repo_.TreeOfCommit(target_));
  git_oid applied_tree{};
  if (!IsZeroOid(applied_)) {
    ASSIGN_OR_RETURN(applied_tree, repo_.TreeOfCommit(applied_));
  }
  std::vector<std::pair<std::string, Status>> invalid;
  ASSIGN_OR_RETURN(std::vector<SliceChange> all, DiffSlices(repo_, git_oid{}, target_tree, &invalid));
  for (SliceChange& c : all) desired_[c.entry] = std::move(*c.resource);
  ASSIGN_OR_RETURN(std::vector<SliceChange> unapplied, DiffSlices(repo_, applied_tree, target_tree, nullptr));
  for (SliceChange& c : unapplied) {
    Work& w = pending_[c.entry];
    w.desired = c.resource;
    if (!c.resource.has_value()) {
      // Gone since the last applied commit: what it was then is what must be removed.
      Result<TreeFile> file = repo_.FindPath(applied_tree, c.entry);
      if (file.ok()) {
        ASSIGN_OR_RETURN(std::string bytes, repo_.ReadBlob(file->oid));
        Result<SliceResource> last = ParseSliceEntry(c.entry, bytes, file->oid);
        if (last.ok()) w.last = std::move(*last);
      }
      if (w.last.key.empty()) pending_.erase(c.entry);
    }
  }
  for (const auto& [entry, blob_hex] : state->pending) {
    if (pending_.count(entry) != 0) continue;
    if (auto d = desired_.find(entry); d != desired_.end()) {
      pending_[entry].desired = d->second;
      continue;
    }
    std::optional<git_oid> blob = ParseOid(blob_hex);
    if (!blob.has_value()) continue;
    Result<std::string> bytes = repo_.ReadBlob(*blob);
    if (!bytes.ok()) continue;
    Result<SliceResource> last = ParseSliceEntry(entry, *bytes, *blob);
    if (last.ok()) pending_[entry].last = std::move(*last);
  }
  spdlog::info("agent {}: resuming at slice {} ({} resources, {} pending)", options_.satellite,
               OidToHex(target_).substr(0, 12), desired_.size(), pending_.size());
  return Status::Ok();
}

Status Agent::Persist() const {
  AgentState state{options_.satellite, target_, applied_, fleet_commit_, {}};
  // Work taken but not finished, so a kill -9 forgets none of it: an entry still desired is
  // applied again from the target; a removal keeps the blob of what is to be removed.
  for (const auto& [entry, work] : pending_) {
    state.pending[entry] = work.desired.has_value() ? "" : work.last.revision;
  }
  // The refs keep the commits' objects in repo.git whatever the fetched ref does next.
  for (auto [ref, oid] : {std::pair{kTargetRef, target_}, std::pair{kAppliedRef, applied_}}) {
    if (IsZeroOid(oid)) continue;
    git_reference* out = nullptr;
    if (int rc = git_reference_create(&out, repo_.raw(), ref, &oid, 1, "strata agent"); rc < 0) {
      return GitError(rc, std::string("moving ") + ref);
    }
    git_reference_free(out);
  }
  return WriteFileAtomically(options_.state_dir + "/agent.json", EncodeAgentState(state));
}

Status Agent::Verify(const git_oid& tip) const {
  std::string what = "slice commit " + OidToHex(tip).substr(0, 12);
  Result<Repository::CommitSignature> signature = repo_.ReadCommitSignature(tip);
  if (!signature.ok()) {
    if (signature.status().code() == StatusCode::kNotFound) {
      return Status::PermissionDenied(what + " is not signed");
    }
    return signature.status();
  }
  Result<ssh::TrustedKeys> trusted = ssh::TrustedKeys::Load(options_.trusted_keys);
  if (!trusted.ok()) return trusted.status();
  Result<ssh::PublicKey> signer = ssh::Verify(signature->signed_text, signature->signature, *trusted);
  if (!signer.ok()) {
    return Status::PermissionDenied(what + ": " + std::string(signer.status().message()));
  }
  // The signature covers the message, so its Strata-Satellite trailer binds the slice to one
  // satellite: a genuine slice of another satellite is refused too.
  ASSIGN_OR_RETURN(CommitInfo info, repo_.ReadCommit(tip));
  std::string satellite;
  for (const auto& [key, value] : info.trailers) {
    if (key == "Strata-Satellite") satellite = value;
  }
  if (satellite != options_.satellite) {
    return Status::PermissionDenied(what + " is the slice of " +
                                    (satellite.empty() ? "no named satellite" : "satellite " + satellite) +
                                    ", not of " + options_.satellite);
  }
  if (!IsZeroOid(target_)) {
    ASSIGN_OR_RETURN(bool newer, repo_.Descends(tip, target_));
    if (!newer) {
      return Status::PermissionDenied(what + " does not descend from " +
                                      OidToHex(target_).substr(0, 12) +
                                      ", the slice already taken: an older or rewritten slice is "
                                      "never applied");
    }
  }
  return Status::Ok();
}

void Agent::Refuse(const git_oid& tip, const Status& why) {
  LogFields commit_field{{"commit", OidToHex(tip)}};
  if (git_oid_equal(&tip, &refused_)) return;  // reported and counted once
  ++stats_.slices_refused;
  refused_ = tip;
  spdlog::error("agent {}: refusing {}; keeping {}: {}", options_.satellite, OidToHex(tip),
                IsZeroOid(target_) ? "nothing" : OidToHex(target_).substr(0, 12), why.message());
  PublishSatellite("Failed", {{"Signature", false, "SliceRefused", std::string(why.message())}});
}

// A repository on this machine is read directly: only the objects of our ref that we lack are
// copied (the cost follows the change). Anything else is a git fetch of our ref alone.
Status Agent::Fetch() {
  std::string path = options_.repo_url;
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  if (path.find("://") != std::string::npos) {
    return repo_.Fetch(options_.repo_url, {"+" + ref_ + ":" + kFetchedRef});
  }
  if (source_ == nullptr) {
    Result<Repository> source = Repository::Open(path);
    if (!source.ok()) return Status::Unavailable(std::string(source.status().message()));
    source_ = std::make_unique<Repository>(std::move(*source));
  }
  Result<git_oid> tip = source_->ReadRef(ref_);
  if (!tip.ok()) return tip.status().code() == StatusCode::kNotFound ? Status::Ok() : tip.status();
  if (Status copied = repo_.CopyObjectsFrom(*source_, *tip); !copied.ok()) {
    source_.reset();  // opened afresh next time, in case the repository was replaced
    return Status::Unavailable(std::string(copied.message()));
  }
  git_reference* out = nullptr;
  if (int rc = git_reference_create(&out, repo_.raw(), kFetchedRef, &*tip, 1, "strata agent: fetch"); rc < 0) {
    return GitError(rc, "moving " + std::string(kFetchedRef));
  }
  git_reference_free(out);
  return Status::Ok();
}

Status Agent::Sync() {
  ++stats_.fetches;
  auto fetch_start = Clock::now();
  Status fetched = Fetch();
  spdlog::debug("agent {}: fetch took {} ms", options_.satellite,
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - fetch_start).count());
  if (!fetched.ok()) {
    ++stats_.fetch_failures;
    spdlog::warn("agent {}: cannot fetch {} (the data plane keeps running as it is): {}",
                 options_.satellite, ref_, fetched.message());
    return Status::Ok();
  }
  Result<git_oid> tip = repo_.ReadRef(kFetchedRef);
  if (!tip.ok()) return tip.status().code() == StatusCode::kNotFound ? Status::Ok() : tip.status();
  if (git_oid_equal(&*tip, &target_)) {
    if (!IsZeroOid(refused_)) {  // the ref came back from a refused commit: no longer Failed
      refused_ = git_oid{};
      PublishSatellite(pending_.empty() ? "Ready" : "Provisioning", {});
    }
    return Status::Ok();
  }
  if (Status ok = Verify(*tip); !ok.ok()) {
    Refuse(*tip, ok);
    return ok;
  }
  refused_ = git_oid{};
  git_oid old_tree{};
  if (!IsZeroOid(target_)) {
    ASSIGN_OR_RETURN(old_tree, repo_.TreeOfCommit(target_));
  }
  ASSIGN_OR_RETURN(git_oid new_tree, repo_.TreeOfCommit(*tip));
  std::vector<std::pair<std::string, Status>> invalid;
  ASSIGN_OR_RETURN(std::vector<SliceChange> changes, DiffSlices(repo_, old_tree, new_tree, &invalid));
  for (const auto& [entry, why] : invalid) {
    spdlog::error("agent {}: skipping {}: {}", options_.satellite, entry, why.message());
  }
  ASSIGN_OR_RETURN(CommitInfo info, repo_.ReadCommit(*tip));
  fleet_commit_.clear();
  for (const auto& [key, value] : info.trailers) {
    if (key == "Strata-Cause") fleet_commit_ = value;
  }
  for (SliceChange& change : changes) {
    auto known = desired_.find(change.entry);
    Work& work = pending_[change.entry];
    work.attempts = 0;
    work.next = Clock::time_point{};
    if (change.resource.has_value()) {
      work.desired = change.resource;
      desired_[change.entry] = *change.resource;
    } else {
      work.desired.reset();
      if (known != desired_.end()) {
        work.last = known->second;
        desired_.erase(known);
      } else if (work.last.key.empty()) {
        pending_.erase(change.entry);
      }
    }
  }
  target_ = *tip;
  ++stats_.slices_taken;
  spdlog::info("agent {}: took slice {} from fleet commit {}: {} changed", options_.satellite,
               OidToHex(target_).substr(0, 12), fleet_commit_.substr(0, 12), changes.size());
  return Persist();
}

std::chrono::milliseconds Agent::Backoff(int attempts) const {
  static thread_local std::mt19937 random(std::random_device{}());
  std::chrono::milliseconds delay = options_.backoff_min * (int64_t{1} << std::min(attempts - 1, 16));
  delay = std::min(delay, options_.backoff_max);
  // Full jitter on the upper half, so many resources throttled together do not retry together.
  auto half = delay.count() / 2;
  return std::chrono::milliseconds(half + std::uniform_int_distribution<int64_t>(0, half)(random));
}

size_t Agent::StepDue() {
  auto now = options_.clock ? options_.clock() : Clock::now();
  std::vector<std::string> finished;
  // A resource that moved within the slice (to another Kubernetes cluster: a new entry, the old
  // one removed) is removed where it was before it is applied where it goes. The data plane knows
  // it by kind and name, so the other order would remove what was just applied.
  std::map<std::string, Clock::time_point> removing;  // key → when its removal steps next
  for (const auto& [entry, work] : pending_) {
    if (!work.desired.has_value()) removing.emplace(work.last.key, work.next);
  }
  for (auto& [entry, work] : pending_) {
    if (work.next > now) continue;
    if (work.desired.has_value()) {
      if (auto r = removing.find(work.desired->key); r != removing.end()) {
        work.next = std::max(r->second, now + std::chrono::milliseconds(20));
        continue;
      }
    }
    ++stats_.steps;
    const SliceResource& about = work.desired.has_value() ? *work.desired : work.last;
    LogFields key_field{{"key", about.key}};
    Result<Observed> observed = work.desired.has_value() ? driver_->Apply(*work.desired)
                                                         : driver_->Remove(work.last);
    if (!observed.ok()) {
      ++stats_.step_errors;
      ++work.attempts;
      work.next = now + Backoff(work.attempts);
      Observed failed;
      failed.phase = work.attempts >= 5 ? Phase::kFailed : Phase::kProvisioning;
      if (!work.desired.has_value()) failed.phase = Phase::kDeleting;
      failed.conditions.push_back({"Applied", false, "Retrying",
                                   std::string(observed.status().message()) + " (attempt " +
                                       std::to_string(work.attempts) + ")"});
      if (work.attempts == 1 || work.attempts % 5 == 0) {
        spdlog::warn("agent {}: {}: {} (attempt {}, retrying)", options_.satellite, about.key,
                     observed.status().message(), work.attempts);
      }
      Publish(about, failed, &work.reported);
      continue;
    }
    Publish(about, *observed, &work.reported);
    if (Done(observed->phase)) {
      ++stats_.applied;
      finished.push_back(entry);
      if (!work.desired.has_value()) ReapplyElsewhere(work.last.key, entry);
      continue;
    }
    auto wait = std::max(observed->retry_after, std::chrono::milliseconds(observed->phase == Phase::kDegraded ? 1000 : 20));
    work.next = now + wait;
  }
  for (const std::string& entry : finished) pending_.erase(entry);
  if (pending_.empty() && !IsZeroOid(target_) && !git_oid_equal(&applied_, &target_)) {
    applied_ = target_;
    if (Status s = Persist(); !s.ok()) spdlog::error("agent {}: {}", options_.satellite, s.ToString());
    PublishSatellite("Ready", {});
    spdlog::info("agent {}: slice {} applied ({} resources)", options_.satellite,
                 OidToHex(applied_).substr(0, 12), desired_.size());
  }
  return pending_.size();
}

void Agent::ReapplyElsewhere(const std::string& key, const std::string& removed_entry) {
  // A resource that moved to another Kubernetes cluster in an earlier slice than the one that
  // removes it where it was: the data plane knows it by kind and name, so the removal just took
  // away what the earlier slice applied. Apply it again where it now lives.
  for (const auto& [entry, resource] : desired_) {
    if (entry == removed_entry || resource.key != key || pending_.count(entry) != 0) continue;
    Work& work = pending_[entry];
    work.desired = resource;
    work.attempts = 0;
    work.next = Clock::time_point{};
  }
}

size_t Agent::CheckDrift(bool report_all) {
  size_t drifted = 0;
  for (const auto& [entry, resource] : desired_) {
    if (pending_.count(entry) != 0) continue;
    std::vector<std::string> drift;
    Result<Observed> observed = driver_->Observe(resource, &drift);
    if (!observed.ok()) continue;
    if (drift.empty()) {
      if (report_all) Publish(resource, *observed);
      continue;
    }
    ++drifted;
    LogFields key_field{{"key", resource.key}};
    ++stats_.drift_found;
    std::string what;
    for (const std::string& d : drift) what += (what.empty() ? "" : "; ") + d;
    spdlog::warn("agent {}: {} drifted from its desired state ({}); healing", options_.satellite,
                 resource.key, what);
    observed->phase = Phase::kDegraded;
    observed->conditions.push_back({"Drift", false, "DriftDetected", what});
    Publish(resource, *observed);
    Work& work = pending_[entry];
    work.desired = resource;
    work.attempts = 0;
    work.next = Clock::time_point{};
  }
  return drifted;
}

void Agent::Publish(const SliceResource& r, const Observed& observed, std::string* last_reported) {
  ResourceStatus s;
  s.key = r.key;
  s.satellite = options_.satellite;
  s.k8s_cluster = r.k8s_cluster;
  s.source = r.source;
  s.slice_commit = HexOrEmpty(target_);
  s.fleet_commit = fleet_commit_;
  s.computed_at = r.computed_at;
  s.release = r.release;
  s.phase = std::string(PhaseName(observed.phase));
  s.brokers_ready = observed.brokers_ready;
  s.brokers_desired = observed.brokers_desired;
  s.brokers_updated = observed.brokers_updated;
  s.version = observed.version;
  s.endpoint = observed.endpoint;
  for (const Condition& c : observed.conditions) s.conditions.push_back({c.type, c.status, c.reason, c.message});
  s.reporter = "agent/" + options_.satellite;
  if (last_reported != nullptr) {
    std::string timeless = EncodeResourceStatus(s);  // observed_at is still empty here
    if (timeless == *last_reported) return;
    *last_reported = std::move(timeless);
  }
  s.observed_at = NowRfc3339Millis();
  reporter_->Report(s);
}

void Agent::PublishSatellite(const std::string& phase, const std::vector<StatusCondition>& conditions) {
  ResourceStatus s;
  s.key = "Satellite/" + options_.satellite;
  s.satellite = options_.satellite;
  s.slice_commit = HexOrEmpty(applied_);
  s.fleet_commit = fleet_commit_;
  s.phase = phase;
  s.conditions = conditions;
  s.resources = static_cast<int>(desired_.size());
  s.observed_at = NowRfc3339Millis();
  s.reporter = "agent/" + options_.satellite;
  reporter_->Report(s);
}

void Agent::Wake() {
  {
    std::lock_guard lock(wake_mu_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

std::string Agent::target_commit() const { return HexOrEmpty(target_); }
std::string Agent::applied_commit() const { return HexOrEmpty(applied_); }

metrics::CollectorHandle Agent::ExportMetrics() {
  metrics::Labels labels = {{"satellite", options_.satellite}};
  return metrics::DefaultRegistry().AddCollector([this, labels](metrics::Sink& sink) {
    auto with = [&labels](const char* result) {
      metrics::Labels l = labels;
      l.emplace_back("result", result);
      return l;
    };
    // Done and errors are read before steps, which counts them too, so the difference never
    // goes below zero while the agent works.
    uint64_t done = stats_.applied.load();
    uint64_t errors = stats_.step_errors.load();
    uint64_t steps = stats_.steps.load();
    uint64_t progressing = steps >= done + errors ? steps - done - errors : 0;
    sink.Counter("strata_agent_apply_results_total",
                 "Driver steps by result: done (Ready or removed), progressing, error", with("done"),
                 static_cast<double>(done));
    sink.Counter("strata_agent_apply_results_total", "", with("error"), static_cast<double>(errors));
    sink.Counter("strata_agent_apply_results_total", "", with("progressing"),
                 static_cast<double>(progressing));
    sink.Counter("strata_agent_slices_taken_total", "Verified slice commits taken", labels,
                 static_cast<double>(stats_.slices_taken.load()));
    sink.Counter("strata_agent_slices_refused_total",
                 "Slice commits refused (unsigned, untrusted, another satellite's, older)", labels,
                 static_cast<double>(stats_.slices_refused.load()));
    sink.Counter("strata_agent_fetch_failures_total", "Fetches of the slice that failed", labels,
                 static_cast<double>(stats_.fetch_failures.load()));
    sink.Counter("strata_agent_drift_found_total", "Resources found drifted and healed", labels,
                 static_cast<double>(stats_.drift_found.load()));
    sink.Gauge("strata_agent_pending", "Resources being applied or removed (the agent's queue)",
               labels, static_cast<double>(pending_count_.load()));
  });
}

Status Agent::Run(const std::atomic<bool>& stop) {
  LogFields fields{{"satellite", options_.satellite}};
  metrics::CollectorHandle exported = ExportMetrics();
  spdlog::info("agent {}: driver {}, repo {}, polling every {} ms", options_.satellite,
               driver_->name(), options_.repo_url, options_.poll.count());
  auto next_poll = Clock::time_point{};
  next_drift_check_ = Clock::now();  // a restart checks the data plane at once
  bool first_check = true;
  while (!stop.load()) {
    auto now = Clock::now();
    bool woken = false;
    {
      std::lock_guard lock(wake_mu_);
      std::swap(woken, woken_);
    }
    if (woken || now >= next_poll) {
      uint64_t failures = stats_.fetch_failures.load();
      Status s = Sync();
      if (!s.ok() && s.code() != StatusCode::kPermissionDenied) {
        spdlog::error("agent {}: sync: {}", options_.satellite, s.ToString());
      }
      // Ready once a sync has reached the fleet repo and taken (or confirmed) a trusted slice.
      if (s.ok() && stats_.fetch_failures.load() == failures) synced_.store(true);
      next_poll = Clock::now() + options_.poll;
    }
    StepDue();
    if (Clock::now() >= next_drift_check_) {
      // The first check also reports everything as it is: status on a Kafka rebuilt from git
      // (or one that lost the topic) is whole again once every agent has started.
      CheckDrift(first_check);
      if (first_check && !IsZeroOid(applied_) && pending_.empty()) PublishSatellite("Ready", {});
      first_check = false;
      next_drift_check_ = Clock::now() + options_.drift_interval;
      StepDue();
    }
    pending_count_.store(pending_.size());
    // Sleep until the next thing is due, or a notice.
    auto until = std::min(next_poll, next_drift_check_);
    for (const auto& [entry, work] : pending_) until = std::min(until, work.next);
    std::unique_lock lock(wake_mu_);
    wake_cv_.wait_until(lock, std::min(until, Clock::now() + std::chrono::milliseconds(200)),
                        [&] { return woken_ || stop.load(); });
  }
  reporter_->Flush(std::chrono::seconds(3));
  spdlog::info("agent {}: stopped at slice {} (applied {}); {} steps, {} errors, {} refused",
               options_.satellite, target_commit().substr(0, 12), applied_commit().substr(0, 12),
               stats_.steps.load(), stats_.step_errors.load(), stats_.slices_refused.load());
  return Status::Ok();
}

}  // namespace strata::agent
