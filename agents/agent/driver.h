// Driver: how an agent acts on its data plane. The agent decides what must change (from its
// verified slice); a driver makes one resource so, a step at a time, and says what it observes.
//
// The contract is level-based, like a Kubernetes controller's:
//   - Apply(desired) moves the resource one step toward `desired` and returns at once with what is
//     observed after the step. A step that takes time (provisioning a cluster, restarting a broker)
//     is started and reported as kProvisioning; the next call sees how far it got. The agent calls
//     again until the phase is kReady.
//   - A newer desired state simply replaces the older in the next call: a driver moves from where
//     the data plane is toward whatever it is given now (4 → 6 while 2 → 4 is rolling goes on to 6
//     without going back).
//   - Errors are transient (kUnavailable: a cloud API answering 429, a timeout) and retried by the
//     agent with backoff; a resource that cannot get healthy is reported kDegraded or kFailed
//     with a reason, and retried as well.
// Drivers keep whatever they need across restarts in the state directory they are given.
// A driver is used from the agent's one apply thread; it need not be thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agents/agent/slice.h"
#include "core/status.h"

namespace strata::agent {

enum class Phase { kPending, kProvisioning, kReady, kDegraded, kFailed, kDeleting, kDeleted };
std::string_view PhaseName(Phase phase);  // "Ready", …
Result<Phase> ParsePhase(std::string_view name);

struct Condition {
  std::string type;    // "Healthy", "Rolled", "Drift", "Signature", …
  bool status = true;
  std::string reason;  // "BrokerUnhealthy", "CloudApiThrottled", …
  std::string message;
};

struct Observed {
  Phase phase = Phase::kPending;
  int brokers_ready = 0;
  int brokers_desired = 0;
  // Brokers already running the desired version and config, and ready: how far a roll has got.
  int brokers_updated = 0;
  std::string version;
  std::string endpoint;  // a bootstrap address, where the driver has one
  std::vector<Condition> conditions;
  // While not done: how long until the step in flight should be over (the agent calls again
  // then). Zero: call again when convenient.
  std::chrono::milliseconds retry_after{0};
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual std::string name() const = 0;
  // One step toward `desired`; see above.
  virtual Result<Observed> Apply(const SliceResource& desired) = 0;
  // One step toward `last` being gone from the data plane: kDeleting until it is, then kDeleted.
  virtual Result<Observed> Remove(const SliceResource& last) = 0;
  // Compares the data plane with `desired` without changing anything, for the periodic drift
  // check: each difference is one line in `drift` ("brokers: 5, want 6"). A driver that cannot
  // read its data plane back reports none.
  virtual Result<Observed> Observe(const SliceResource& desired, std::vector<std::string>* drift) = 0;
};

}  // namespace strata::agent
