// Supervisor: the child processes of `strata up --separate-processes`, each a `strata` command
// as a real deployment runs it.
//
// A child's standard output and error are appended to its log file. A child that exits while the
// supervisor runs (a crash, a kill -9) is started again after a backoff: 500 ms, doubling to 30 s,
// back to 500 ms once it has run for a minute. Children get SIGKILL when the supervisor's thread
// dies (PR_SET_PDEATHSIG), so a kill -9 of `strata up` leaves no orphans holding ports and state.
// Not thread-safe: one thread calls everything, and it must live as long as the children (the
// death signal follows the thread that forked).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"

namespace strata::up {

struct ChildSpec {
  std::string name;               // "reconciler", "controller pkc", "agent aws-us-west-2-1"
  std::vector<std::string> argv;  // argv[0] is the program
  std::string log_path;
  std::string ops_url;            // where it serves /metrics, /healthz, /readyz ("" none)
  // Called before every start, the first and each restart, to adjust the spec (a fresh port).
  std::function<void(ChildSpec&)> prepare;
};

struct ChildState {
  ChildSpec spec;
  pid_t pid = -1;        // -1 while waiting to be restarted
  int restarts = 0;
  int last_exit = -1;    // exit code, 128+signal when killed; -1 never exited
  std::chrono::steady_clock::time_point started{};
  std::chrono::steady_clock::time_point restart_at{};
  std::chrono::milliseconds backoff{0};
};

class Supervisor {
 public:
  Supervisor() = default;
  ~Supervisor();  // stops every child (StopAll with a 5 s grace)
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Starts `spec` now. kInternal when fork or the log file fails.
  Status Start(ChildSpec spec);
  // Reaps children that exited, logging each, and starts again those whose backoff is over.
  // Does nothing after StopAll.
  void Tick();
  // SIGTERM to every child, then SIGKILL to the process group of those still running after
  // `grace`; waits for all.
  void StopAll(std::chrono::milliseconds grace);

  const std::vector<ChildState>& children() const { return children_; }

 private:
  Status Spawn(ChildState& child);
  std::vector<ChildState> children_;
  bool stopped_ = false;
};

}  // namespace strata::up
