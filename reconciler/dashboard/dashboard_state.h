// DashboardState: what the dashboard knows, kept current while it runs — the StatusBoard fed from
// strata.status, and the FleetIndex of the fleet branch's head — plus a version that moves on
// every change of either, which the live event stream waits on.
//
// Thread-safe. The status follower and the head watcher (dashboard.h) write; HTTP handlers read
// through ReadBoard / ReadIndex, whose callbacks run under a shared lock and must not call back
// into the state.
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

  // Moves the index to `head` (building it the first time, else reading only what changed).
  // Errors from git are returned and the index stays where it was.
  Status AdvanceTo(const Repository& repo, const git_oid& head);
  // The head the index is at; "" before the first AdvanceTo.
  std::string head() const;

  uint64_t version() const;
  // Returns the version once it is past `seen`, or after `timeout` (or when Wake is called).
  uint64_t WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const;
  // Wakes every waiter (the dashboard is stopping).
  void Wake() const;

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
};

}  // namespace strata::dashboard
