// DashboardState: what the dashboard knows, kept current while it runs — the StatusBoard fed from
// strata.status, and the FleetIndex of the fleet branch's head — plus a version that moves on
// every change of either, which the live event stream waits on.
//
// Thread-safe. The status follower and the head watcher (dashboard.h) write; HTTP handlers read
// through ReadBoard / ReadIndex, whose callbacks run under a shared lock: keep them short (no git
// reads), and when both are needed take the index first, then the board inside it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "core/git.h"
#include "reconciler/dashboard/fleet_index.h"
#include "reconciler/status/status_board.h"

namespace strata::dashboard {

class DashboardState {
 public:
  // One record of strata.status.
  void ApplyStatus(std::string_view value);
  // The follower has read everything strata.status held when it started.
  void MarkStatusCaughtUp();
  bool status_caught_up() const;

  // Moves the index to `head`: built the first time, else only what changed is read (off the
  // lock) and applied; built again when the change cannot be read (the old tree gone after a force
  // push and a gc). Errors from git are returned and the index stays where it was. One caller at a
  // time (the head watcher).
  Status AdvanceTo(const Repository& repo, const git_oid& head, int64_t now_millis);
  // The head the index is at; "" before the first AdvanceTo.
  std::string head() const;

  uint64_t version() const;
  // Returns the version once it is past `seen`, or after `timeout`, or at once after Stop.
  uint64_t WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const;
  // The dashboard is stopping: every waiter returns now, and later ones at once.
  void Stop();
  bool stopping() const;

  void ReadBoard(const std::function<void(const status::StatusBoard&)>& read) const;
  // `read` gets null before the first AdvanceTo.
  void ReadIndex(const std::function<void(const FleetIndex*)>& read) const;

 private:
  void Bump();

  mutable std::shared_mutex board_mu_;
  status::StatusBoard board_;  // guarded by board_mu_
  bool caught_up_ = false;     // guarded by board_mu_

  mutable std::shared_mutex index_mu_;
  std::unique_ptr<FleetIndex> index_;  // guarded by index_mu_

  mutable std::mutex version_mu_;
  mutable std::condition_variable version_cv_;
  uint64_t version_ = 0;  // guarded by version_mu_
  bool stopping_ = false;  // guarded by version_mu_
};

}  // namespace strata::dashboard
