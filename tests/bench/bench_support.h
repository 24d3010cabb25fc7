// What the benchmarks share: child processes with their peak memory, and percentiles.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace strata::bench {

using Clock = std::chrono::steady_clock;

inline double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct ChildResult {
  int code = -1;
  double seconds = 0;
  long peak_kb = 0;
};

// Starts argv with its standard output and error going to `log`; -1 when it cannot.
inline pid_t StartProcess(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// The peak resident memory of a running process (VmHWM), in KiB; 0 when it cannot be read.
// (Not ru_maxrss: Linux carries that across exec, so a child would report its parent's peak.)
inline long PeakKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

// Runs argv to completion, output to `log` ("/dev/null" for none), sampling its peak memory.
inline ChildResult RunProcess(const std::vector<std::string>& argv, const std::string& log) {
  ChildResult result;
  auto start = Clock::now();
  pid_t pid = StartProcess(argv, log);
  if (pid < 0) return result;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    result.peak_kb = std::max(result.peak_kb, PeakKiB(pid));
    usleep(2000);
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

struct Percentiles {
  double median = 0;
  double p99 = 0;
};
inline Percentiles Summarise(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))]; };
  return {at(0.5), at(0.99)};
}

}  // namespace strata::bench
