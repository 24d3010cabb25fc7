// The load benchmark's memory sampler: a thread that reads the resident memory (VmRSS) of a set of
// processes every 10 ms and keeps each one's highest, so a burst's peak can be told apart from
// the high-water mark (VmHWM) a process set long before, at its cold start. Header-only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace strata::bench {

// A field of /proc/PID/status in KiB ("VmRSS", "VmHWM"); 0 when it cannot be read.
inline long ProcStatusKiB(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return 0;
}

class RssSampler {
 public:
  explicit RssSampler(std::vector<pid_t> pids) : pids_(std::move(pids)) {
    for (pid_t p : pids_) peak_[p] = ProcStatusKiB(p, "VmRSS");
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        for (pid_t p : pids_) peak_[p] = std::max(peak_[p], ProcStatusKiB(p, "VmRSS"));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  }
  ~RssSampler() { Stop(); }
  // Stops sampling; returns each process's highest VmRSS seen, in KiB.
  const std::map<pid_t, long>& Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return peak_;
  }

 private:
  std::vector<pid_t> pids_;
  std::map<pid_t, long> peak_;  // written by thread_ only until Stop joins it
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace strata::bench
