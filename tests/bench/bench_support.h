// What the benchmarks share: child processes with their peak memory, and percentiles.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
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

// Runs argv to completion, output to `log` ("/dev/null" for none).
inline ChildResult RunProcess(const std::vector<std::string>& argv, const std::string& log) {
  ChildResult result;
  auto start = Clock::now();
  pid_t pid = StartProcess(argv, log);
  if (pid < 0) return result;
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.peak_kb = usage.ru_maxrss;
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
