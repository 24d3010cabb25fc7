// The webhook flood of the load benchmark: client threads sending push webhooks to a reconciler
// as fast as it answers — unsigned, badly signed (GitHub's HMAC and GitLab's token), validly
// signed, and bodies over the size limit — while one more thread probes the reconciler's /healthz
// every 100 ms with a 1 s timeout (Kubernetes' default for a probe). Each request opens its own
// connection, as a git host's deliveries do. Blocks for the flood's duration; call from one thread.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace strata::bench {

struct FloodOptions {
  int webhook_port = 0;
  int ops_port = 0;
  std::string secret;
  std::string branch = "main";
  std::string head;           // hex, for the push payloads' "after"
  int clients = 32;
  std::chrono::milliseconds duration{5000};
  bool valid_pushes = true;   // false: only requests that must be refused
  size_t oversize_bytes = 26u << 20;  // over the 25 MB GitHub caps a payload at
};

struct FloodReport {
  // Request kind ("unsigned", "bad signature", …) → HTTP status → how many; a negative status
  // counts the requests that got no answer, by minus httplib's Error (connection, write, read…).
  std::map<std::string, std::map<int, long>> answers;
  long answered = 0;  // with any HTTP status
  double seconds = 0;
  std::vector<double> healthz_ms;  // the latency of each probe that answered 200 in time
  long healthz_failures = 0;       // probes with another status, no answer, or over 1 s
};

FloodReport RunFlood(const FloodOptions& options);
// "HTTP 401", or "no answer (<httplib's error>)" for a negative status.
std::string Outcome(int status);

}  // namespace strata::bench
