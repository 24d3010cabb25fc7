#include "reconciler/controller/runtime.h"

#include "core/status_follower.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "core/change_event.h"
#include "core/event_consumer.h"
#include "core/log.h"
#include "core/metrics.h"
#include "reconciler/controller/rewrite.h"
#include "reconciler/reconcile/wake.h"

namespace strata::controller {
namespace {

constexpr size_t kMaxCauseTrailers = 16;
constexpr auto kPollTimeout = std::chrono::milliseconds(100);
constexpr auto kStatusTimeout = std::chrono::seconds(10);
// How often an idle controller looks whether its branch was rewritten under it, and how long a
// batch waits for the reconciler to publish a rewritten branch before it backs off.
constexpr auto kRewriteCheckEvery = std::chrono::seconds(1);
constexpr auto kPublishWait = std::chrono::seconds(5);
constexpr auto kPublishPoll = std::chrono::milliseconds(50);

std::string Describe(const std::vector<EventError>& errors) {
  std::string out;
  for (const EventError& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.file;
    if (e.line > 0) out += ":" + std::to_string(e.line) + ":" + std::to_string(e.column);
    out += ": ";
    if (!e.field.empty()) out += e.field + ": ";
    out += e.message;
  }
  return out;
}

}  // namespace

std::string ControllerCommitMessage(const std::string& controller, size_t added, size_t updated,
                                    size_t removed, const std::vector<std::string>& causes) {
  std::vector<std::string> parts;
  if (added > 0) parts.push_back(std::to_string(added) + " added");
  if (updated > 0) parts.push_back(std::to_string(updated) + " updated");
  if (removed > 0) parts.push_back(std::to_string(removed) + " removed");
  std::string message = controller + ": ";
  for (size_t i = 0; i < parts.size(); ++i) message += (i > 0 ? ", " : "") + parts[i];
  message += added + updated + removed == 1 ? " file\n\n" : " files\n\n";
  if (causes.size() > kMaxCauseTrailers) {
    message += "Caused by " + std::to_string(causes.size()) + " commits; the first " +
               std::to_string(kMaxCauseTrailers) + " are named below.\n\n";
  }
  message += "Strata-Controller: " + controller + "\n";
  for (size_t i = 0; i < causes.size() && i < kMaxCauseTrailers; ++i) {
    message += "Strata-Cause: " + causes[i] + "\n";
  }
  return message;
}

ControllerRuntime::ControllerRuntime(std::unique_ptr<Controller> controller,
                                     RuntimeOptions options, Repository repo,
                                     std::shared_ptr<const specs::SchemaSet> schemas)
    : controller_(std::move(controller)),
      options_(std::move(options)),
      ref_("refs/heads/" + options_.branch),
      view_(std::move(repo), std::move(schemas)),
      queue_(options_.backoff) {}

ControllerRuntime::~ControllerRuntime() { queue_.ShutDown(); }

Result<std::unique_ptr<ControllerRuntime>> ControllerRuntime::Create(
    std::unique_ptr<Controller> controller, RuntimeOptions options,
    std::shared_ptr<const specs::SchemaSet> schemas) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(options.repo));
  if (options.group_id.empty()) options.group_id = "strata-controller-" + controller->info().name;
  std::unique_ptr<ControllerRuntime> runtime(new ControllerRuntime(
      std::move(controller), std::move(options), std::move(repo), std::move(schemas)));
  if (!runtime->options_.kafka.empty()) {
    ASSIGN_OR_RETURN(runtime->status_producer_, Producer::Create(runtime->options_.kafka));
  }
  return runtime;
}

Status ControllerRuntime::Start() {
  if (started_) return Status::Ok();
  view_.SetWatches(controller_->Watches());
  Result<git_oid> head = view_.repo().ReadRef(ref_);
  if (head.ok()) {
    RETURN_IF_ERROR(view_.Advance(*head));
  } else if (head.status().code() != StatusCode::kNotFound) {
    return head.status();
  }
  RETURN_IF_ERROR(controller_->AfterStart(view_));
  for (const std::string& path : controller_->StartPaths()) queue_.Add(path);
  if (live_ && head.ok()) RETURN_IF_ERROR(RederiveAfterRewriteWhileAway(*head));
  SendNotices();
  started_ = true;
  return Status::Ok();
}

Status ControllerRuntime::RederiveAfterRewriteWhileAway(const git_oid& head) {
  const std::string seen_ref = SeenRef(options_.branch, controller_->info().name);
  Result<git_oid> seen = view_.repo().ReadRef(seen_ref);
  if (!seen.ok()) {
    if (seen.status().code() == StatusCode::kNotFound) return Status::Ok();
    return seen.status();
  }
  seen_written_ = *seen;
  ASSIGN_OR_RETURN(std::vector<std::string> paths,
                   PathsToRederive(view_.repo(), *controller_, *seen, head));
  if (paths.empty()) return Status::Ok();
  spdlog::warn("{}: {} was rewritten while it was away ({} is no longer in its history); "
               "reconciling the {} inputs the rewrite touched",
               controller_->info().name, ref_, OidToHex(*seen).substr(0, 12), paths.size());
  for (const std::string& path : paths) {
    rederive_pending_.insert(path);
    queue_.Add(path);
  }
  return Status::Ok();
}

Status ControllerRuntime::AwaitPublished(git_oid* head) {
  auto deadline = std::chrono::steady_clock::now() + kPublishWait;
  while (true) {
    ASSIGN_OR_RETURN(bool published, ReconcilerHasPublished(view_.repo(), options_.branch, *head));
    if (published) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable(ref_ + " was rewritten and the reconciler has not published " +
                                 OidToHex(*head).substr(0, 12) + " yet; not reconciling on it");
    }
    std::this_thread::sleep_for(kPublishPoll);
    ASSIGN_OR_RETURN(*head, view_.repo().ReadRef(ref_));
  }
}

void ControllerRuntime::RecordSeen() {
  const git_oid& at = view_.commit();
  if (IsZeroOid(at) || git_oid_equal(&at, &seen_written_)) return;
  // Paths a rewrite touched are still to be reconciled: a restart must find that rewrite again.
  if (!rederive_pending_.empty()) return;
  const std::string seen_ref = SeenRef(options_.branch, controller_->info().name);
  Status moved = view_.repo().CompareAndSwapRef(seen_ref, seen_written_, at,
                                                "strata controller " + controller_->info().name);
  if (moved.ok()) {
    seen_written_ = at;
    return;
  }
  // Another instance of this controller moved it (they share the work): take its value.
  if (Result<git_oid> now = view_.repo().ReadRef(seen_ref); now.ok()) seen_written_ = *now;
  spdlog::debug("{}: {} not moved: {}", controller_->info().name, seen_ref, moved.ToString());
}

Result<bool> ControllerRuntime::RewrittenUnderUs() {
  ASSIGN_OR_RETURN(git_oid head, view_.repo().ReadRef(ref_));
  const git_oid& at = view_.commit();
  if (IsZeroOid(at) || git_oid_equal(&head, &at)) return false;
  ASSIGN_OR_RETURN(bool forward, view_.repo().Descends(head, at));
  return !forward;
}

Result<git_oid> ControllerRuntime::Commit(const OutputBatch& out, const git_oid& head,
                                          const std::vector<std::string>& causes) {
  std::vector<Repository::TreeUpdate> updates;
  size_t added = 0, updated = 0, removed = 0;
  for (const auto& [path, content] : out.changes()) {
    if (!content.has_value()) {
      ++removed;
    } else {
      Result<std::optional<Blob>> existing = view_.ReadBlob(path);
      ((existing.ok() && existing->has_value()) ? updated : added)++;
    }
    updates.push_back({path, content});
  }
  ASSIGN_OR_RETURN(git_oid tree, view_.repo().UpdateTree(view_.tree(), updates));
  const std::string& name = controller_->info().name;
  std::vector<git_oid> parents;
  if (!IsZeroOid(head)) parents.push_back(head);
  ASSIGN_OR_RETURN(git_oid commit,
                   view_.repo().Commit("", tree, parents,
                                       ControllerCommitMessage(name, added, updated, removed, causes),
                                       "strata " + name, name + "@controllers.strata.local"));
  RETURN_IF_ERROR(view_.repo().CompareAndSwapRef(ref_, head, commit, "strata controller " + name));
  return commit;
}

Result<BatchResult> ControllerRuntime::ProcessBatch(const std::vector<std::string>& paths_in,
                                                    const std::vector<std::string>& causes) {
  RETURN_IF_ERROR(Start());
  std::vector<std::string> paths = paths_in;
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  BatchResult result;
  OutputBatch out(controller_->info().prefix, &view_);
  ++stats_.batches;
  stats_.paths += paths.size();
  // Paths added because the branch was rewritten under the view: nobody else queues them, so a
  // failed batch queues them again itself.
  std::vector<std::string> rederived;
  auto requeue_rederived = [&](Status failure) {
    for (const std::string& path : rederived) queue_.AddRateLimited(path);
    return failure;
  };
  while (true) {
    Result<git_oid> head = view_.repo().ReadRef(ref_);
    if (!head.ok()) return requeue_rederived(head.status());
    if (live_) {
      if (Status published = AwaitPublished(&*head); !published.ok()) {
        return requeue_rederived(published);
      }
    }
    Result<std::vector<std::string>> rewrite =
        PathsToRederive(view_.repo(), *controller_, view_.commit(), *head);
    if (!rewrite.ok()) return requeue_rederived(rewrite.status());
    if (!rewrite->empty()) {
      spdlog::warn("{}: {} was rewritten ({} is no longer in its history); reconciling the {} "
                   "inputs the rewrite touched",
                   controller_->info().name, ref_, view_.commit_hex().substr(0, 12), rewrite->size());
      rederived.insert(rederived.end(), rewrite->begin(), rewrite->end());
      rederive_pending_.insert(rewrite->begin(), rewrite->end());
      paths.insert(paths.end(), rewrite->begin(), rewrite->end());
      std::sort(paths.begin(), paths.end());
      paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
      stats_.paths += rewrite->size();
      ++stats_.rewrites;
    }
    if (Status advanced = view_.Advance(*head); !advanced.ok()) return requeue_rederived(advanced);
    out.Clear();
    Result<std::map<std::string, Outcome>> outcomes = controller_->Reconcile(paths, view_, out);
    if (!outcomes.ok()) {
      // Half a batch may have changed indexes it never staged: rebuild them from the head.
      controller_->Reset();
      view_.Rewind();
      Status reread = view_.Advance(*head);
      return requeue_rederived(reread.ok() ? outcomes.status() : reread);
    }
    result.outcomes = std::move(*outcomes);
    if (out.changes().empty()) break;
    Result<git_oid> commit = Commit(out, *head, causes);
    if (commit.ok()) {
      LogFields commit_field{{"commit", OidToHex(*commit)}};
      result.commit = *commit;
      result.files = out.changes().size();
      ++stats_.commits;
      stats_.files_written += result.files;
      std::vector<std::string> changed;
      for (const auto& [path, content] : out.changes()) changed.push_back(path);
      RETURN_IF_ERROR(view_.Advance(*commit));
      if (options_.notify_reconcilers) reconcile::NotifyReconcilers(view_.repo().path());
      if (Status s = controller_->AfterCommit(view_, *commit, changed); !s.ok()) {
        spdlog::warn("{}: after commit {}: {}", controller_->info().name, OidToHex(*commit),
                     s.ToString());
      }
      SendNotices();
      break;
    }
    // Another writer moved the branch: undo what the watchers were told, then reconcile the same
    // paths again on the new head. Only this batch's files are written there.
    if (Status undone = view_.Reannounce(out.touched()); !undone.ok()) {
      return requeue_rederived(undone);
    }
    if (commit.status().code() != StatusCode::kAborted) return requeue_rederived(commit.status());
    ++result.races_lost;
    ++stats_.races_lost;
    spdlog::debug("{}: lost the race for {} ({}); reconciling again", controller_->info().name,
                  ref_, commit.status().message());
    if (result.races_lost >= options_.max_races) {
      return requeue_rederived(Status::Aborted(controller_->info().name + " lost " +
                                               std::to_string(result.races_lost) +
                                               " races in a row for " + ref_));
    }
  }
  Report(result.outcomes);
  if (!rederived.empty()) {
    if (Status s = controller_->AfterRewrite(view_); !s.ok()) {
      spdlog::warn("{}: after the rewrite of {}: {}", controller_->info().name, ref_, s.ToString());
    }
    SendNotices();
  }
  for (const std::string& path : paths) {
    auto it = result.outcomes.find(path);
    if (it == result.outcomes.end() || it->second.type != Outcome::Type::kRetry) {
      rederive_pending_.erase(path);
    }
  }
  if (live_) RecordSeen();
  return result;
}

void ControllerRuntime::SendNotices() {
  std::vector<KafkaMessage> notices = controller_->TakeNotices();
  if (notices.empty() || status_producer_ == nullptr) return;
  if (Status s = status_producer_->ProduceAll(notices, kStatusTimeout); !s.ok()) {
    spdlog::warn("{}: {} notices not sent (agents will find the change when they poll): {}",
                 controller_->info().name, notices.size(), s.ToString());
  }
}

KafkaMessage ControllerRuntime::StatusEvent(ChangeType type, const std::string& key,
                                            const std::string& path,
                                            const std::vector<EventError>& errors) const {
  ChangeEvent event;
  event.type = type;
  event.key = key;
  event.kind = key.substr(0, key.find('/'));
  event.path = path;
  event.source = "/strata/controller/" + controller_->info().name;
  event.branch = options_.branch;
  event.commit = view_.commit_hex();
  event.controller = controller_->info().name;
  event.errors = errors;
  return {std::string(kStatusTopic), key, EncodeCloudEvent(event)};
}

void ControllerRuntime::Report(const std::map<std::string, Outcome>& outcomes) {
  std::vector<KafkaMessage> messages;
  // What this call reports, so that a failed send can be undone and done again next time.
  std::vector<std::pair<std::string, Reported>> accepted_now;
  std::vector<std::string> rejected_now;
  for (const auto& [path, outcome] : outcomes) {
    if (outcome.type != Outcome::Type::kInvalid) {
      // A path reported invalid is valid again: say so, so that status drops the rejection.
      auto was = reported_.find(path);
      if (was == reported_.end()) continue;
      accepted_now.emplace_back(path, was->second);
      std::string key = was->second.key;
      reported_.erase(was);
      if (status_producer_ != nullptr) messages.push_back(StatusEvent(ChangeType::kAccepted, key, path, {}));
      continue;
    }
    std::string what = Describe(outcome.errors);
    std::string key = outcome.key.empty() ? "File/" + path : outcome.key;
    auto [it, inserted] = reported_.try_emplace(path, Reported{key, what});
    if (!inserted && it->second.what == what) continue;  // reported once
    it->second = Reported{key, what};
    rejected_now.push_back(path);
    ++stats_.invalid_reported;
    LogFields key_field{{"key", key}};
    spdlog::warn("{}: {} is invalid, keeping its last good output: {}", controller_->info().name,
                 outcome.key.empty() ? path : outcome.key, what);
    if (status_producer_ != nullptr) {
      messages.push_back(StatusEvent(ChangeType::kRejected, key, path, outcome.errors));
    }
  }
  if (!messages.empty()) {
    if (Status s = status_producer_->ProduceAll(messages, kStatusTimeout); !s.ok()) {
      spdlog::warn("{}: reporting {} rejections and acceptances on {}: {}; they go out when their "
                   "files are reconciled again", controller_->info().name, messages.size(),
                   kStatusTopic, s.ToString());
      for (const std::string& path : rejected_now) reported_.erase(path);
      for (auto& [path, reported] : accepted_now) reported_.emplace(path, std::move(reported));
    }
  }
}

std::vector<std::string> ControllerRuntime::NextBatch() {
  std::vector<std::string> batch;
  std::optional<std::string> first = queue_.Get(kPollTimeout);
  if (!first.has_value()) return batch;
  batch.push_back(std::move(*first));
  auto deadline = std::chrono::steady_clock::now() + options_.linger;
  while (batch.size() < options_.max_batch) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    std::optional<std::string> next = queue_.Get(std::max(left, std::chrono::milliseconds(0)));
    if (!next.has_value()) break;
    batch.push_back(std::move(*next));
  }
  return batch;
}

void ControllerRuntime::ConsumeLoop(const std::atomic<bool>& stop, Status* failure) {
  LogFields fields{{"controller", controller_->info().name}};
  EventConsumerOptions options;
  // A controller is one hop of several between a push and a satellite: it must not sit on an
  // empty fetch for librdkafka's default 500 ms. (Given properties still override this.)
  options.properties = {{"fetch.wait.max.ms", "10"}};
  options.properties.insert(options.properties.end(), options_.kafka.begin(), options_.kafka.end());
  options.kinds = controller_->info().inputs;
  const auto& observes = controller_->info().observes;
  options.kinds.insert(options.kinds.end(), observes.begin(), observes.end());
  options.group_id = options_.group_id;
  options.keep_latest = false;
  options.manual_offsets = true;
  Result<std::unique_ptr<EventConsumer>> consumer = EventConsumer::Create(options);
  if (!consumer.ok()) {
    *failure = consumer.status();
    return;
  }
  bool unstored = false;
  auto next_lag_sample = std::chrono::steady_clock::now();
  while (!stop.load()) {
    if (std::chrono::steady_clock::now() >= next_lag_sample) {
      consumer_lag_.store((*consumer)->Lag());
      next_lag_sample = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    Result<std::optional<ChangeEvent>> event = (*consumer)->Next(kPollTimeout);
    if (!event.ok()) {
      *failure = event.status();
      return;
    }
    if (event->has_value()) {
      const ChangeEvent& e = **event;
      ++stats_.events;
      unstored = true;
      if (!e.path.empty()) {
        {
          std::lock_guard lock(causes_mu_);
          causes_[e.path].insert(e.commit);
        }
        queue_.Add(e.path);
      }
    }
    // Every event handed out so far has been reconciled: its offset may be committed.
    if (unstored && queue_.Idle()) {
      (*consumer)->StoreConsumedOffsets();
      unstored = false;
    }
  }
}

metrics::CollectorHandle ControllerRuntime::ExportMetrics() {
  metrics::Labels labels = {{"controller", controller_->info().name}};
  return metrics::DefaultRegistry().AddCollector([this, labels](metrics::Sink& sink) {
    sink.Counter("strata_controller_events_total", "Change events consumed from Kafka", labels,
                 static_cast<double>(stats_.events.load()));
    sink.Counter("strata_controller_commits_total", "Commits made on the fleet branch", labels,
                 static_cast<double>(stats_.commits.load()));
    sink.Counter("strata_controller_files_written_total", "Files added, changed or removed by commits",
                 labels, static_cast<double>(stats_.files_written.load()));
    sink.Counter("strata_controller_races_lost_total",
                 "Commits that lost the compare-and-swap and were reconciled again", labels,
                 static_cast<double>(stats_.races_lost.load()));
    sink.Counter("strata_controller_rejected_total",
                 "Input specs reported invalid on strata.status (rejected specs)", labels,
                 static_cast<double>(stats_.invalid_reported.load()));
    sink.Counter("strata_controller_retries_total", "Paths queued again with backoff", labels,
                 static_cast<double>(stats_.retries.load()));
    sink.Counter("strata_controller_rewrites_total",
                 "Rewrites of the branch (force pushes) whose touched inputs were reconciled again",
                 labels, static_cast<double>(stats_.rewrites.load()));
    sink.Gauge("strata_controller_queue_depth", "Paths waiting to be reconciled (ready now)", labels,
               static_cast<double>(queue_.Length()));
    sink.Gauge("strata_controller_queue_waiting", "Paths waiting for a backoff to end", labels,
               static_cast<double>(queue_.Waiting()));
    int64_t lag = consumer_lag_.load();
    if (lag >= 0) {
      sink.Gauge("strata_controller_consumer_lag", "Records on the input topics not yet consumed",
                 labels, static_cast<double>(lag));
    }
  });
}

Status ControllerRuntime::Run(const std::atomic<bool>& stop) {
  live_ = true;
  RETURN_IF_ERROR(Start());
  LogFields fields{{"controller", controller_->info().name}};
  metrics::CollectorHandle exported = ExportMetrics();
  metrics::Histogram& batch_seconds = metrics::DefaultRegistry().GetHistogram(
      "strata_controller_batch_seconds", "Time to reconcile and commit one batch of paths",
      {{"controller", controller_->info().name}});
  running_.store(true);
  Status consume_failure;
  std::atomic<bool> consumer_done{false};
  std::jthread consumer([&] {
    ConsumeLoop(stop, &consume_failure);
    consumer_done = true;
  });
  std::atomic<bool> stop_following{false};  // set once the loop below ends, whatever ends it
  std::jthread status_follower;
  if (controller_->FollowsStatus()) {
    status_follower = std::jthread([&] {
      Status followed = FollowStatus(options_.kafka, stop_following, [this](const ResourceStatus& status) {
        for (const std::string& path : controller_->OnStatus(status)) queue_.Add(path);
      });
      if (!followed.ok()) {
        spdlog::error("{}: cannot follow {}: {}", controller_->info().name, kStatusTopic,
                      followed.ToString());
      }
    });
  }
  const std::string& name = controller_->info().name;
  spdlog::info("controller {} running on {} ({}), inputs from Kafka as group {}", name,
               options_.repo, ref_, options_.group_id);
  auto next_rewrite_check = std::chrono::steady_clock::now() + kRewriteCheckEvery;
  while (!stop.load() && !consumer_done.load()) {
    std::vector<std::string> batch = NextBatch();
    if (batch.empty()) {
      // A rewrite that only undid this controller's own commits names none of its inputs, so no
      // event comes: look at the branch now and then, and run a batch of no paths, which
      // reconciles what the rewrite touched.
      if (std::chrono::steady_clock::now() < next_rewrite_check) continue;
      next_rewrite_check = std::chrono::steady_clock::now() + kRewriteCheckEvery;
      Result<bool> rewritten = RewrittenUnderUs();
      if (!rewritten.ok() || !*rewritten) continue;
    }
    std::vector<std::string> causes;
    {
      std::lock_guard lock(causes_mu_);
      std::set<std::string> all;
      for (const std::string& path : batch) {
        auto it = causes_.find(path);
        if (it == causes_.end()) continue;
        all.insert(it->second.begin(), it->second.end());
        causes_.erase(it);
      }
      causes.assign(all.begin(), all.end());
    }
    auto started = std::chrono::steady_clock::now();
    Result<BatchResult> result = ProcessBatch(batch, causes);
    if (!result.ok()) {
      spdlog::warn("{}: batch of {} paths failed, retrying with backoff: {}", name, batch.size(),
                   result.status().ToString());
      for (const std::string& path : batch) {
        queue_.AddRateLimited(path);
        ++stats_.retries;
        queue_.Done(path);
      }
      continue;
    }
    // Retries (of the batch's paths or of paths a policy change fanned out to) back off; the
    // rest start afresh.
    for (const auto& [path, outcome] : result->outcomes) {
      if (outcome.type != Outcome::Type::kRetry) continue;
      auto delay = queue_.AddRateLimited(path);
      ++stats_.retries;
      spdlog::debug("{}: {} again in {} ms: {}", name, path, delay.count(), outcome.reason);
    }
    for (const std::string& path : batch) {
      auto it = result->outcomes.find(path);
      if (it == result->outcomes.end() || it->second.type != Outcome::Type::kRetry) {
        queue_.Forget(path);
      }
      queue_.Done(path);
    }
    for (const auto& [path, outcome] : result->outcomes) {
      if (outcome.type != Outcome::Type::kRetry && outcome.requeue_after.count() > 0) {
        queue_.AddAfter(path, outcome.requeue_after);
      }
    }
    auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    batch_seconds.Observe(static_cast<double>(took.count()) / 1e6);
    if (!IsZeroOid(result->commit)) {
      LogFields commit_field{{"commit", OidToHex(result->commit)}};
      spdlog::info("{}: {} paths → commit {} ({} files) in {:.1f} ms", name, batch.size(),
                   OidToHex(result->commit).substr(0, 12), result->files, took.count() / 1000.0);
    } else {
      spdlog::debug("{}: {} paths, nothing to commit ({:.1f} ms)", name, batch.size(),
                    took.count() / 1000.0);
    }
  }
  queue_.ShutDown();
  stop_following.store(true);
  consumer.join();
  if (status_follower.joinable()) status_follower.join();
  running_.store(false);
  spdlog::info("{}: stopping after {} events, {} paths in {} batches, {} commits ({} files), {} "
               "races lost, {} rejections reported, {} retries",
               name, stats_.events.load(), stats_.paths.load(), stats_.batches.load(),
               stats_.commits.load(), stats_.files_written.load(), stats_.races_lost.load(),
               stats_.invalid_reported.load(), stats_.retries.load());
  if (!consume_failure.ok()) return consume_failure;
  return Status::Ok();
}

}  // namespace strata::controller
