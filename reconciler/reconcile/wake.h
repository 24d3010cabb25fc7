// Wake-ups for a `--watch` reconciler: the git hooks that `strata hook install` writes, and the
// webhook, tell every reconciler watching a repository that a branch moved, so it publishes at
// once instead of at its next poll.
//
// The channel is a Linux abstract Unix datagram socket named after the repository's git directory
// (no file to clean up, no path-length limit, nothing left behind by a kill -9). Up to kWakeSlots
// reconcilers can listen on one repository. A notification is one datagram, sent without blocking;
// with nobody listening it is simply lost, and the poll catches up.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/status.h"

namespace strata::reconcile {

inline constexpr int kWakeSlots = 8;

class WakeListener {
 public:
  ~WakeListener();
  // Listens for `git_dir` (any path to the repository's git directory). kResourceExhausted when
  // every slot is taken; kInternal when the socket cannot be made.
  static Result<std::unique_ptr<WakeListener>> Listen(const std::string& git_dir);

  // Returns true as soon as a notification arrives (draining any others queued), false when
  // `timeout` passes or `stop` becomes true first.
  bool Wait(std::chrono::milliseconds timeout, const std::atomic<bool>& stop);

 private:
  explicit WakeListener(int fd) : fd_(fd) {}
  int fd_;
};

// Wakes every reconciler listening on `git_dir`. Never blocks, never fails: returns how many
// listeners the datagram reached.
int NotifyReconcilers(const std::string& git_dir);

}  // namespace strata::reconcile
