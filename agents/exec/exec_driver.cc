#include "agents/exec/exec_driver.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <vector>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "agents/agent/state_file.h"

namespace strata::agent {
namespace {

struct RunResult {
  int exit_code = -1;      // -1: did not run to completion
  std::string stderr_tail;
};

// Runs `command` with `input` on stdin and `env` added, collecting the end of its stderr.
Result<RunResult> RunCommand(const std::string& command, const std::string& input,
                             const std::map<std::string, std::string>& env,
                             std::chrono::seconds timeout) {
  // Everything the child needs is built before fork: between fork and exec a threaded process
  // may only make async-signal-safe calls (no malloc, so no setenv).
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    if (env.count(std::string(name)) == 0) env_strings.emplace_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* argv[] = {"sh", "-c", command.c_str(), nullptr};
  int in_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0) return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(in_pipe[0]);
    close(in_pipe[1]);
    return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    int error = errno;
    for (int fd : {in_pipe[0], in_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return Status::Internal(std::string("fork: ") + std::strerror(error));
  }
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(err_pipe[1], 2);
    signal(SIGPIPE, SIG_DFL);  // the agent ignores it; the command's pipelines must not
    setpgid(0, 0);
    execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(err_pipe[1]);
  size_t written = 0;
  fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  std::string err;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool in_open = true;
  while (true) {
    if (in_open && written < input.size()) {
      ssize_t n = write(in_pipe[1], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN) written = input.size();
    }
    if (in_open && written >= input.size()) {
      close(in_pipe[1]);
      in_open = false;
    }
    pollfd p{err_pipe[0], POLLIN, 0};
    int ready = poll(&p, 1, 20);
    if (ready > 0) {
      char buf[4096];
      ssize_t n = read(err_pipe[0], buf, sizeof buf);
      if (n > 0) {
        err.append(buf, static_cast<size_t>(n));
        if (err.size() > 8192) err.erase(0, err.size() - 8192);
      }
      if (n == 0) break;  // the command closed stderr: it is ending
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      break;
    }
  }
  if (in_open) close(in_pipe[1]);
  close(err_pipe[0]);
  int wstatus = 0;
  while (true) {
    pid_t done = waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return Status::Internal(std::string("waitpid: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() > deadline) kill(-pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  RunResult result;
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  // The last few lines say what went wrong.
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < err.size()) {
    size_t nl = err.find('\n', start);
    if (nl == std::string::npos) nl = err.size();
    if (nl > start) lines.push_back(err.substr(start, nl - start));
    start = nl + 1;
  }
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) {
    if (!result.stderr_tail.empty()) result.stderr_tail += " / ";
    result.stderr_tail += lines[i];
  }
  return result;
}

class ExecDriver : public Driver {
 public:
  explicit ExecDriver(ExecOptions options)
      : options_(std::move(options)), applied_path_(options_.state_dir + "/exec/applied.json") {
    // A command that exits without reading its whole manifest must not kill the agent.
    signal(SIGPIPE, SIG_IGN);
    Result<std::optional<std::string>> text = ReadFileIfExists(applied_path_);
    if (text.ok() && text->has_value()) {
      nlohmann::json j = nlohmann::json::parse(**text, nullptr, false);
      if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
          if (it->is_string()) applied_[it.key()] = it->get<std::string>();
        }
      } else {
        spdlog::warn("exec: {} is unreadable; every resource will be applied again", applied_path_);
      }
    }
  }

  std::string name() const override { return "exec"; }

  Result<Observed> Apply(const SliceResource& desired) override {
    Observed observed;
    auto it = applied_.find(desired.key);
    if (it == applied_.end() || it->second != desired.revision) {
      ASSIGN_OR_RETURN(RunResult run, RunCommand(options_.command, desired.Manifest(),
                                                 Env("apply", desired), options_.timeout));
      if (run.exit_code != 0) return Failed("apply", desired, run);
      applied_[desired.key] = desired.revision;
      RETURN_IF_ERROR(Persist());
    }
    observed.phase = Phase::kReady;
    observed.brokers_desired = desired.spec().value("brokers", 0);
    observed.brokers_ready = observed.brokers_desired;
    observed.version = desired.spec().value("kafkaVersion", "");
    return observed;
  }

  Result<Observed> Remove(const SliceResource& last) override {
    Observed observed;
    observed.phase = Phase::kDeleted;
    ASSIGN_OR_RETURN(RunResult run, RunCommand(options_.command, last.Manifest(),
                                               Env("delete", last), options_.timeout));
    if (run.exit_code != 0) return Failed("delete", last, run);
    applied_.erase(last.key);
    RETURN_IF_ERROR(Persist());
    return observed;
  }

  // The data plane cannot be read back, but what was last applied is known: a revision other than
  // the desired one (a change reverted while it was in flight) is drift, and is applied again.
  Result<Observed> Observe(const SliceResource& desired, std::vector<std::string>* drift) override {
    Observed observed;
    auto it = applied_.find(desired.key);
    if (it == applied_.end()) {
      drift->push_back("never applied");
    } else if (it->second != desired.revision) {
      drift->push_back("revision " + it->second.substr(0, 12) + " applied, want " + desired.revision.substr(0, 12));
    }
    observed.phase = drift->empty() ? Phase::kReady : Phase::kPending;
    return observed;
  }

 private:
  std::map<std::string, std::string> Env(const std::string& op, const SliceResource& r) const {
    return {{"STRATA_OPERATION", op}, {"STRATA_KIND", r.kind},           {"STRATA_KEY", r.key},
            {"STRATA_NAME", r.name},  {"STRATA_K8S_CLUSTER", r.k8s_cluster},
            {"STRATA_SATELLITE", options_.satellite}};
  }
  Status Failed(const std::string& op, const SliceResource& r, const RunResult& run) const {
    std::string how = run.exit_code < 0 ? "was killed or timed out" : "exited " + std::to_string(run.exit_code);
    std::string message = "exec " + op + " of " + r.key + ": the command " + how;
    if (!run.stderr_tail.empty()) message += ": " + run.stderr_tail;
    return Status::Unavailable(message);
  }
  Status Persist() const {
    nlohmann::json j(applied_);
    return WriteFileAtomically(applied_path_, j.dump());
  }

  ExecOptions options_;
  std::string applied_path_;
  std::map<std::string, std::string> applied_;  // key → revision applied
};

}  // namespace

std::unique_ptr<Driver> MakeExecDriver(ExecOptions options) {
  return std::make_unique<ExecDriver>(std::move(options));
}

}  // namespace strata::agent
