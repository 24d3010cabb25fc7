#include "reconciler/reconcile/checkpoint.h"

#include <charconv>

namespace strata::reconcile {
namespace {

constexpr const char* kSequenceTrailer = "Strata-Sequence";
constexpr const char* kSkippedTrailer = "Strata-Skipped";
constexpr size_t kMaxSkippedKept = 100;  // the message stays small; the oldest drop off

}  // namespace

std::string CheckpointRef(const std::string& branch) { return "refs/strata/reconciled/" + branch; }

Result<Checkpoint> ReadCheckpoint(const Repository& repo, const std::string& branch) {
  Checkpoint checkpoint;
  Result<git_oid> target = repo.ReadRef(CheckpointRef(branch));
  if (target.status().code() == StatusCode::kNotFound) return checkpoint;
  if (!target.ok()) return target.status();
  ASSIGN_OR_RETURN(CommitInfo info, repo.ReadCommit(*target));
  bool has_sequence = false;
  for (const auto& [key, value] : info.trailers) {
    if (key == kSequenceTrailer) {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), checkpoint.sequence);
      has_sequence = ec == std::errc() && end == value.data() + value.size();
    } else if (key == kSkippedTrailer) {
      checkpoint.skipped.push_back(value);
    }
  }
  if (info.parents.size() != 1 || !has_sequence) {
    return Status::InvalidArgument(CheckpointRef(branch) + " points at " + OidToHex(*target) +
                                   ", which is not a strata checkpoint commit");
  }
  checkpoint.exists = true;
  checkpoint.ref_target = *target;
  checkpoint.commit = info.parents[0];
  checkpoint.tree = info.tree;
  return checkpoint;
}

Result<git_oid> WriteCheckpointCommit(const Repository& repo, const std::string& branch,
                                      const Checkpoint& to) {
  std::string message = "strata: reconciled " + branch + " at " + OidToHex(to.commit).substr(0, 12) +
                        "\n\n" + kSequenceTrailer + ": " + std::to_string(to.sequence) + "\n";
  size_t first = to.skipped.size() > kMaxSkippedKept ? to.skipped.size() - kMaxSkippedKept : 0;
  for (size_t i = first; i < to.skipped.size(); ++i) {
    message += std::string(kSkippedTrailer) + ": " + to.skipped[i] + "\n";
  }
  return repo.Commit("", to.tree, {to.commit}, message, "strata reconciler",
                     "reconciler@strata.invalid");
}

Result<Checkpoint> MoveCheckpoint(const Repository& repo, const std::string& branch,
                                  const Checkpoint& from, const Checkpoint& to,
                                  const git_oid& checkpoint_commit) {
  git_oid expected = from.exists ? from.ref_target : git_oid{};
  RETURN_IF_ERROR(repo.CompareAndSwapRef(CheckpointRef(branch), expected, checkpoint_commit,
                                         "strata: reconciled " + OidToHex(to.commit)));
  Checkpoint stored = to;
  stored.exists = true;
  stored.ref_target = checkpoint_commit;
  return stored;
}

Result<Checkpoint> AdvanceCheckpoint(const Repository& repo, const std::string& branch,
                                     const Checkpoint& from, const Checkpoint& to) {
  ASSIGN_OR_RETURN(git_oid checkpoint_commit, WriteCheckpointCommit(repo, branch, to));
  return MoveCheckpoint(repo, branch, from, to, checkpoint_commit);
}

}  // namespace strata::reconcile
