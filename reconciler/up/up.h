// Up: the whole control plane on one machine — what `strata up` runs.
//
// In order: the fleet repo (see up_home.h), the operator's endpoint on `port` (/metrics, /healthz
// and /readyz for the whole), Kafka (librdkafka's mock cluster, embedded; or a given one), the
// wake-up hooks, every controller bottom layer first and one agent per satellite the fleet
// declares (sim driver) — consumers before producers — the reconciler, and last the dashboard on
// `dashboard_port` (reconciler/dashboard/; without it when the port is taken). An agent is added
// as soon as a new satellite appears in policy/satellites.
//
// In one process (the default) every part runs on its own threads. With separate_processes each
// part is its own `strata` process, as a real deployment runs them, supervised (restarted when it
// dies; see supervisor.h), with its own endpoint on the next ports and its log under
// <home>/logs/. Stopping (the `stop` flag: Ctrl-C) stops every part cleanly; running it again
// resumes, because the fleet repo, the checkpoints and the agents' state are all in <home>. An
// embedded Kafka is rebuilt from git: the reconciler's checkpoint is removed at start, so it
// publishes the fleet again, and every agent reports all it runs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include "core/kafka.h"
#include "core/status.h"

namespace strata::up {

struct UpOptions {
  std::string home = "strata-up";
  std::string fleet;              // "" : <home>/fleet.git from the example fleet
  std::string branch = "main";
  KafkaProperties kafka;          // empty: an embedded Kafka
  std::string kafka_config_file;  // passed on to child processes with the bootstrap servers
  int kafka_brokers = 3;          // of the embedded one
  int port = 7070;                // the operator's endpoint; 0 picks free ports
  int dashboard_port = 7080;      // the dashboard on 127.0.0.1; 0 a free port, -1 none
  bool separate_processes = false;
  double sim_time_scale = 1.0;    // the agents' sim driver: 1 realistic, 0 instant
  std::chrono::milliseconds agent_poll{2000};
  std::chrono::milliseconds reconcile_poll{2000};
  std::string strata;             // the strata binary (children, hooks); default: this one
  std::string log_level = "warn";  // for the children
  std::string log_format = "human";
};

// Runs until `stop` is set, writing what runs where and a short guide to `out`. Errors before
// everything runs are returned (a port in use, a fleet repo that is not one, another up on the
// home). Afterwards a failing part is logged and restarted (a process by the supervisor, the
// reconciler's loop on its thread); a controller on a thread that fails for good stops up with
// kInternal, as it would stop its own process.
Status RunUp(const UpOptions& options, const std::atomic<bool>& stop, std::FILE* out);

}  // namespace strata::up
