#include "reconciler/reconcile/reconciler.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/log.h"
#include "specs/kinds.h"
#include <thread>

namespace strata::reconcile {
namespace {

std::string Short(const std::string& hex) { return hex.substr(0, 12); }

// How often a checkpoint swap may fail with nobody having moved the ref before we give up.
constexpr int kMaxStuckPasses = 5;

// The strata.status record that says a commit was skipped.
KafkaMessage SkippedCommitRecord(const std::string& source, const std::string& branch,
                                 const std::string& commit, const Status& why) {
  nlohmann::ordered_json event;
  event["specversion"] = "1.0";
  event["id"] = commit + ":skipped";
  event["source"] = source;
  event["type"] = "dev.strata.reconciler.commit-skipped";
  event["subject"] = "Commit/" + commit;
  event["datacontenttype"] = "application/json";
  event["data"] = {{"branch", branch}, {"commit", commit}, {"reason", why.ToString()}};
  return {std::string(kStatusTopic), "Commit/" + commit,
          event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace

Reconciler::Reconciler(ReconcilerOptions options, Repository repo,
                       std::shared_ptr<const specs::SchemaSet> schemas, Producer* producer)
    : options_(std::move(options)),
      repo_(std::move(repo)),
      builder_(options_.repo_path, std::move(schemas),
               options_.threads > 0 ? options_.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
      producer_(producer) {}

Result<std::unique_ptr<Reconciler>> Reconciler::Create(
    const ReconcilerOptions& options, std::shared_ptr<const specs::SchemaSet> schemas,
    Producer* producer) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(options.repo_path));
  std::vector<std::string> topics = {std::string(kStatusTopic)};
  for (const auto& kind : specs::AllKinds()) topics.push_back(DesiredTopic(kind.name));
  auto prepare_timeout = std::min<std::chrono::milliseconds>(options.ack_timeout, std::chrono::seconds(5));
  if (Status s = producer->PrepareTopics(topics, prepare_timeout); !s.ok()) {
    spdlog::warn("{}; the first events may wait for librdkafka to find their topics", s.ToString());
  }
  ReconcilerOptions filled = options;
  if (filled.source.empty()) filled.source = "/strata/" + filled.branch;
  return std::unique_ptr<Reconciler>(
      new Reconciler(std::move(filled), std::move(repo), std::move(schemas), producer));
}

Result<ReconcileReport> Reconciler::RunOnce() {
  ReconcileReport report;
  git_oid stuck_at{};  // the checkpoint a swap failed from without anyone having moved it
  int stuck_passes = 0;
  for (int pass = 0;; ++pass) {
    ASSIGN_OR_RETURN(Checkpoint checkpoint, ReadCheckpoint(repo_, options_.branch));
    ASSIGN_OR_RETURN(git_oid head, repo_.ResolveCommit("refs/heads/" + options_.branch));
    report.head = OidToHex(checkpoint.commit);
    if (checkpoint.exists && git_oid_equal(&checkpoint.commit, &head)) return report;
    if (pass > 0 && git_oid_equal(&checkpoint.ref_target, &stuck_at)) {
      // Nobody moved the ref, yet the swap failed: a lock left behind, or a writer mid-way.
      if (++stuck_passes > kMaxStuckPasses) {
        return Status::Unavailable(CheckpointRef(options_.branch) +
                                   " cannot be moved: it stays locked (remove its .lock file if "
                                   "no git process or reconciler is writing it)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * stuck_passes));
    }

    std::vector<git_oid> commits;
    if (!checkpoint.exists) {
      report.bootstrap = true;
      commits.push_back(head);  // the whole fleet at its head; history is in git
    } else {
      Result<std::vector<git_oid>> line = repo_.FirstParentRange(checkpoint.commit, head);
      if (line.ok()) {
        commits = std::move(*line);
      } else if (line.status().code() == StatusCode::kFailedPrecondition) {
        report.force_push = true;
        std::string head_hex = OidToHex(head);
        if (warned_force_push_ != head_hex) {
          spdlog::warn("{} was force-pushed: {} is no longer on it; publishing the net change to {}",
                       options_.branch, Short(OidToHex(checkpoint.commit)), Short(head_hex));
          warned_force_push_ = head_hex;
        }
        // Events of the abandoned line may be in Kafka beyond the checkpoint's number (a run that
        // failed or was killed half-way). Numbering the new line above any such event keeps a
        // consumer from taking a newer state for an older one.
        checkpoint.sequence += kForcePushSequenceGap;
        commits.push_back(head);
      } else {
        return line.status();
      }
    }
    bool race_lost = false;
    for (const git_oid& commit : commits) {
      Result<Checkpoint> next = PublishCommit(checkpoint, commit, &report);
      if (next.status().code() == StatusCode::kAborted) {
        ++report.races_lost;
        spdlog::info("the checkpoint of {} moved under us ({}); reading it again", options_.branch,
                     next.status().message());
        stuck_at = checkpoint.ref_target;
        race_lost = true;
        break;
      }
      if (!next.ok()) return next.status();
      checkpoint = std::move(*next);
      report.head = OidToHex(checkpoint.commit);
    }
    if (!race_lost) return report;
  }
}

Result<Checkpoint> Reconciler::PublishCommit(const Checkpoint& checkpoint, const git_oid& commit,
                                             ReconcileReport* report) {
  LogFields commit_field{{"commit", OidToHex(commit)}};
  // Reads are retried (an object may be arriving with a fetch); Kafka and checkpoint errors go to
  // the caller, who retries the whole run.
  Status read_error;
  uint64_t produced_up_to = checkpoint.sequence;  // numbers some attempt has put on Kafka
  for (int attempt = 1; attempt <= options_.read_attempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(options_.read_retry_delay * (1 << (attempt - 2)));
    read_error = Status();
    Result<Checkpoint> next =
        TryPublishCommit(checkpoint, commit, report, &read_error, &produced_up_to);
    if (read_error.ok()) return next;
    spdlog::warn("cannot read commit {} (attempt {} of {}): {}", Short(OidToHex(commit)), attempt,
                 options_.read_attempts, read_error.ToString());
  }
  return SkipCommit(checkpoint, commit, read_error, produced_up_to, report);
}

Result<Checkpoint> Reconciler::TryPublishCommit(const Checkpoint& checkpoint, const git_oid& commit,
                                                ReconcileReport* report, Status* read_error,
                                                uint64_t* produced_up_to) {
  using Clock = std::chrono::steady_clock;
  auto started = Clock::now();
  Clock::duration building{};
  Clock::duration producing{};
  auto unreadable = [&](const Status& s) -> Result<Checkpoint> {
    *read_error = s;
    return s;
  };
  Result<CommitInfo> info = repo_.ReadCommit(commit);
  if (!info.ok()) return unreadable(info.status());
  Result<std::vector<ChangedFile>> changes =
      repo_.DiffTrees(checkpoint.exists ? checkpoint.tree : git_oid{}, info->tree);
  if (!changes.ok()) return unreadable(changes.status());
  auto diffed = Clock::now();

  std::string commit_hex = OidToHex(commit);
  std::string parent = checkpoint.exists ? OidToHex(checkpoint.commit) : "";
  CommitContext context = ContextOf(*info, options_.branch, options_.source, parent);
  uint64_t next_sequence = checkpoint.sequence + 1;
  size_t batch = std::max<size_t>(1, options_.bootstrap_batch);
  size_t rejected = 0;
  Checkpoint to = checkpoint;
  to.commit = commit;
  to.tree = info->tree;
  to.sequence = checkpoint.sequence;
  Result<git_oid> checkpoint_commit = Status::Internal("checkpoint commit not written");
  // Big changes (a bootstrap) go out in batches, so memory stays bounded by the batch.
  for (size_t begin = 0; begin < changes->size() || begin == 0; begin += batch) {
    size_t end = std::min(begin + batch, changes->size());
    std::vector<ChangedFile> slice(changes->begin() + static_cast<ptrdiff_t>(begin),
                                   changes->begin() + static_cast<ptrdiff_t>(end));
    auto build_start = Clock::now();
    Result<std::vector<ChangeEvent>> events = builder_.Build(repo_, slice, context, next_sequence);
    if (events.ok() && !checkpoint.exists) {
      events = WithLastGoodStates(std::move(*events), *info, next_sequence);
    }
    if (!events.ok()) return unreadable(events.status());
    for (const auto& e : *events) {
      if (e.type != ChangeType::kRejected) continue;
      ++rejected;
      LogFields key_field{{"key", e.key}};
      for (const auto& err : e.errors) {
        spdlog::warn("rejected {} in {}: {}:{}:{}: {}{}{}", e.key, Short(commit_hex), err.file,
                     err.line, err.column, err.field, err.field.empty() ? "" : ": ", err.message);
      }
    }
    next_sequence += events->size();
    auto produce_start = Clock::now();
    building += produce_start - build_start;
    // Some of a batch may reach Kafka even when the call fails.
    *produced_up_to = std::max(*produced_up_to, next_sequence - 1);
    if (end < changes->size()) {
      RETURN_IF_ERROR(Produce(*events));
    } else {
      // The last batch: the checkpoint commit is known now. Writing it (a git object, no ref yet)
      // overlaps the wait for Kafka; nothing else touches the repository meanwhile.
      to.sequence = next_sequence - 1;
      Status produced;
      {
        std::jthread writer([&] { checkpoint_commit = WriteCheckpointCommit(repo_, options_.branch, to); });
        produced = Produce(*events);
      }
      RETURN_IF_ERROR(produced);
    }
    producing += Clock::now() - produce_start;
    if (options_.progress && !checkpoint.exists) options_.progress(end, changes->size());
    if (end >= changes->size()) break;
  }
  auto checkpoint_start = Clock::now();
  if (!checkpoint_commit.ok()) return checkpoint_commit.status();
  ASSIGN_OR_RETURN(Checkpoint stored,
                   MoveCheckpoint(repo_, options_.branch, checkpoint, to, *checkpoint_commit));
  auto done = Clock::now();
  size_t published = to.sequence - checkpoint.sequence;
  ++report->commits;
  report->events += published;
  report->rejected += rejected;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  spdlog::info("published {} on {}: {} events, {} rejected, sequence {}", Short(commit_hex),
               options_.branch, published, rejected, to.sequence);
  spdlog::debug("{} took {:.3f} ms: diff {:.3f}, build {:.3f}, Kafka {:.3f}, checkpoint move {:.3f}",
                Short(commit_hex), ms(done - started), ms(diffed - started), ms(building),
                ms(producing), ms(done - checkpoint_start));
  return stored;
}

Result<Checkpoint> Reconciler::SkipCommit(const Checkpoint& checkpoint, const git_oid& commit,
                                          const Status& why, uint64_t produced_up_to,
                                          ReconcileReport* report) {
  std::string commit_hex = OidToHex(commit);
  spdlog::error("skipping commit {} of {} after {} attempts: {}; its changes go out with the next "
                "commit that can be read",
                Short(commit_hex), options_.branch, options_.read_attempts, why.ToString());
  RETURN_IF_ERROR(producer_->ProduceAll(
      {SkippedCommitRecord(options_.source, options_.branch, commit_hex, why)}, options_.ack_timeout));
  Checkpoint to = checkpoint;
  to.commit = commit;  // the tree stays: Kafka still holds the state before this commit
  // Numbers an attempt used stay used: the next commit's events must come after them.
  to.sequence = std::max(checkpoint.sequence, produced_up_to);
  if (!checkpoint.exists) {
    ASSIGN_OR_RETURN(to.tree, repo_.WriteTree({}));
  }
  to.skipped.push_back(commit_hex);
  ASSIGN_OR_RETURN(Checkpoint stored, AdvanceCheckpoint(repo_, options_.branch, checkpoint, to));
  report->skipped.push_back(commit_hex);
  return stored;
}

Result<std::vector<ChangeEvent>> Reconciler::WithLastGoodStates(std::vector<ChangeEvent> events,
                                                                const CommitInfo& head,
                                                                uint64_t first_sequence) {
  std::vector<ChangeEvent> out;
  out.reserve(events.size());
  for (auto& event : events) {
    if (event.type == ChangeType::kRejected && !event.kind.empty()) {
      Result<std::optional<ChangeEvent>> good = LastGoodState(event.path, head);
      if (!good.ok()) {
        // History cut short (a shallow clone, a pruned object): publish the rejection alone.
        spdlog::warn("no last good state for {}: {}", event.key, good.status().ToString());
      } else if (good->has_value()) {
        spdlog::warn("{} is invalid at {}; keeping its last good state from {}", event.key,
                     Short(event.commit), Short((*good)->commit));
        out.push_back(std::move(**good));
      }
    }
    out.push_back(std::move(event));
  }
  for (size_t i = 0; i < out.size(); ++i) out[i].sequence = first_sequence + i;
  return out;
}

Result<std::optional<ChangeEvent>> Reconciler::LastGoodState(const std::string& path,
                                                            const CommitInfo& head) {
  git_oid tried{};
  const CommitInfo* current = &head;
  CommitInfo older;
  for (int step = 0; step < options_.last_good_lookback && !current->parents.empty(); ++step) {
    ASSIGN_OR_RETURN(older, repo_.ReadCommit(current->parents[0]));
    current = &older;
    Result<TreeFile> file = repo_.FindPath(older.tree, path);
    if (file.status().code() == StatusCode::kNotFound) break;  // it did not exist before
    if (!file.ok()) return file.status();
    if (git_oid_equal(&file->oid, &tried)) continue;
    tried = file->oid;
    ChangedFile added{path, git_oid{}, file->oid, static_cast<git_filemode_t>(0), file->mode};
    CommitContext context = ContextOf(older, options_.branch, options_.source, "");
    ASSIGN_OR_RETURN(std::vector<ChangeEvent> built, builder_.Build(repo_, {added}, context, 0));
    if (!built.empty() && built[0].type == ChangeType::kUpserted) {
      return std::optional<ChangeEvent>(std::move(built[0]));
    }
  }
  return std::optional<ChangeEvent>();
}

Status Reconciler::Produce(const std::vector<ChangeEvent>& events) {
  std::vector<KafkaMessage> messages;
  messages.reserve(events.size());
  for (const auto& e : events) messages.push_back({TopicOf(e), e.key, EncodeCloudEvent(e)});
  return producer_->ProduceAll(messages, options_.ack_timeout);
}

}  // namespace strata::reconcile
