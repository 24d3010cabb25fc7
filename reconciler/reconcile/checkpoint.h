// Checkpoint: how far the reconciler has published a branch, kept in the fleet repo itself as
// `refs/strata/reconciled/<branch>`.
//
// The ref points at a small commit the reconciler writes (never on any branch):
//   parent  the fleet commit reconciled up to, so `git log refs/strata/reconciled/main` reads as
//           the branch's history and `git merge-base --is-ancestor` works on it;
//   tree    the tree whose state Kafka now holds (normally that commit's own tree, so no new
//           objects); the next commit is diffed against it, which makes a force push and a
//           skipped commit the same case as any other;
//   message trailers: Strata-Sequence (the last sequence number used; event numbers continue from
//           it, so they stay monotonic across force pushes) and Strata-Skipped (commits that could
//           not be read after retries, newest last).
// One ref holds all of it, so a single compare-and-swap moves position, tree and sequence together:
// two reconcilers racing compute the same events with the same numbers, and the loser's swap
// fails (kAborted) without harm.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/git.h"
#include "core/status.h"

namespace strata::reconcile {

struct Checkpoint {
  bool exists = false;
  git_oid ref_target{};  // the checkpoint commit the ref points at now (for the swap)
  git_oid commit{};      // the fleet commit reconciled up to
  git_oid tree{};        // the tree Kafka holds
  uint64_t sequence = 0;
  std::vector<std::string> skipped;
};

std::string CheckpointRef(const std::string& branch);

// The branch's checkpoint; `exists` false when there is none yet (a bootstrap follows).
// kInvalidArgument when the ref points at something that is not a checkpoint commit.
Result<Checkpoint> ReadCheckpoint(const Repository& repo, const std::string& branch);

// Writes the checkpoint commit that records `to` (without moving any ref) and returns its id.
// Split from the move so that the write can overlap the wait for Kafka's acknowledgements.
Result<git_oid> WriteCheckpointCommit(const Repository& repo, const std::string& branch,
                                      const Checkpoint& to);

// Moves the checkpoint ref from `from` to `checkpoint_commit` (written by WriteCheckpointCommit for
// `to`) and returns `to` as now stored. kAborted when another reconciler moved it first; the ref is
// then left as that one wrote it.
Result<Checkpoint> MoveCheckpoint(const Repository& repo, const std::string& branch,
                                  const Checkpoint& from, const Checkpoint& to,
                                  const git_oid& checkpoint_commit);

// Both in one: write the checkpoint commit for `to`, then move the ref to it.
Result<Checkpoint> AdvanceCheckpoint(const Repository& repo, const std::string& branch,
                                     const Checkpoint& from, const Checkpoint& to);

}  // namespace strata::reconcile
