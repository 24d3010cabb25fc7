#include "reconciler/up/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstring>
#include <thread>

#include "core/metrics.h"

namespace strata::up {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFirstBackoff = std::chrono::milliseconds(500);
constexpr auto kMaxBackoff = std::chrono::milliseconds(30000);
constexpr auto kHealthyRun = std::chrono::minutes(1);

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

Supervisor::~Supervisor() { StopAll(std::chrono::seconds(5)); }

Status Supervisor::Start(ChildSpec spec) {
  ChildState child;
  child.spec = std::move(spec);
  RETURN_IF_ERROR(Spawn(child));
  children_.push_back(std::move(child));
  return Status::Ok();
}

Status Supervisor::Spawn(ChildState& child) {
  if (child.spec.prepare) child.spec.prepare(child.spec);
  int log = ::open(child.spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) {
    return Status::Internal("cannot open " + child.spec.log_path + ": " + std::strerror(errno));
  }
  std::vector<char*> args;  // built before fork: the child only execs
  for (const std::string& a : child.spec.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);  // the supervisor died before prctl took effect
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    // Nothing of the supervisor's stays open in the child (its HTTP connections, the embedded
    // Kafka's sockets): a connection would otherwise live as long as the child.
    ::close_range(3, ~0U, 0);
    ::setpgid(0, 0);  // Ctrl-C on the terminal reaches the supervisor only; it stops the children
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(log);
  if (pid < 0) return Status::Internal("cannot fork " + child.spec.name + ": " + std::strerror(errno));
  ::setpgid(pid, pid);  // both sides, so a kill of the group cannot come before the group exists
  child.pid = pid;
  child.started = Clock::now();
  return Status::Ok();
}

void Supervisor::Tick() {
  if (stopped_) return;
  auto now = Clock::now();
  for (ChildState& child : children_) {
    if (child.pid > 0) {
      int status = 0;
      pid_t reaped = ::waitpid(child.pid, &status, WNOHANG);
      if (reaped != child.pid) continue;
      child.last_exit = ExitCode(status);
      child.pid = -1;
      child.backoff = now - child.started >= kHealthyRun
                          ? kFirstBackoff
                          : std::min<std::chrono::milliseconds>(
                                std::max<std::chrono::milliseconds>(child.backoff * 2, kFirstBackoff),
                                kMaxBackoff);
      child.restart_at = now + child.backoff;
      spdlog::warn("{} exited with {} (see {}); starting it again in {} ms", child.spec.name,
                   child.last_exit, child.spec.log_path, child.backoff.count());
      continue;
    }
    if (now < child.restart_at) continue;
    if (Status s = Spawn(child); !s.ok()) {
      spdlog::error("{}", s.ToString());
      child.restart_at = now + kMaxBackoff;
      continue;
    }
    ++child.restarts;
    metrics::DefaultRegistry()
        .GetCounter("strata_up_restarts_total", "Child processes started again after they exited",
                    {{"part", child.spec.name}})
        .Inc();
  }
}

void Supervisor::StopAll(std::chrono::milliseconds grace) {
  stopped_ = true;
  for (ChildState& child : children_) {
    if (child.pid > 0) ::kill(child.pid, SIGTERM);
  }
  auto deadline = Clock::now() + grace;
  for (ChildState& child : children_) {
    while (child.pid > 0) {
      int status = 0;
      pid_t reaped = ::waitpid(child.pid, &status, WNOHANG);
      if (reaped == child.pid || reaped < 0) {
        child.last_exit = reaped == child.pid ? ExitCode(status) : -1;
        child.pid = -1;
        break;
      }
      if (Clock::now() >= deadline) {
        spdlog::warn("{} did not stop within {} ms; killing it", child.spec.name, grace.count());
        ::kill(-child.pid, SIGKILL);  // its process group: whatever it started goes too
        ::waitpid(child.pid, &status, 0);
        child.pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

}  // namespace strata::up
