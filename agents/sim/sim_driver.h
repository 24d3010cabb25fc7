// The `sim` driver: a simulated data plane with durable state, for demos, tests and benchmarks.
//
// It models what the real one has — Kubernetes clusters with node pools, Kafka clusters made of
// brokers, network attachments, Connect and ksqlDB clusters — in one JSON file per resource under
// <state dir>/sim/<kind>/<name>.json. That directory *is* the simulated cloud: editing a file
// behind the agent's back (removing a broker, shrinking a node pool) is drift, which the agent's
// drift check finds and heals.
//
// Timings are realistic at time scale 1 (a Kubernetes cluster takes 3 s to create, a broker 1 s to
// start, a roll 0.8 s per broker) and scale linearly: 0.1 is ten times faster, 0 is instant (for
// benchmarks). Changes to a Kafka cluster go one broker at a time: a broker is added, removed or
// restarted with the new version or config only once the one before it is healthy. A Kafka cluster
// reports how many brokers are ready on the desired version and config (brokers_updated) and, while
// a roll is in flight, a Rolled condition saying which broker rolls and how far the roll is:
// "rolling broker 2 of 6 to 3.8 (2 of 6 updated)".
//
// Faults: the cloud API answers 429 at `throttle_rate` (each step fails with kUnavailable before it
// changes anything), or at the rate <state dir>/sim/api.json sets while it runs ({"throttle_rate":
// 0.5}; read at most once a second, so a throttling cloud can be switched on and off), and brokers named in `unhealthy_brokers` ("pkc-acme-orders/2") start but never
// become healthy, which leaves their cluster Degraded.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "agents/agent/driver.h"

namespace strata::agent {

struct SimOptions {
  std::string state_dir;          // the simulated cloud lives in <state_dir>/sim
  double time_scale = 1.0;        // 0: instant
  double throttle_rate = 0.0;     // fraction of steps the cloud API refuses with 429
  std::set<std::string> unhealthy_brokers;  // "<cluster>/<broker id>"
  uint64_t seed = 1;
  // Milliseconds since the epoch; tests replace it to move time by hand.
  std::function<int64_t()> now_ms;
};

std::unique_ptr<Driver> MakeSimDriver(SimOptions options);

}  // namespace strata::agent
