#include "reconciler/dashboard/dashboard.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/git.h"
#include "core/status_follower.h"

namespace strata::dashboard {
namespace {

constexpr auto kHeadPoll = std::chrono::milliseconds(500);

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Dashboard::Dashboard(DashboardConfig config)
    : config_(std::move(config)), api_(config_.repo, config_.branch, state_, NowMillis) {}

Result<std::unique_ptr<Dashboard>> Dashboard::Start(DashboardConfig config) {
  {
    ASSIGN_OR_RETURN(Repository repo, Repository::Open(config.repo));
    Result<git_oid> head = repo.ResolveCommit("refs/heads/" + config.branch);
    if (!head.ok()) return Status::NotFound("no branch " + config.branch + " in " + config.repo);
  }
  RETURN_IF_ERROR(MakeKafkaConf(config.kafka).status());
  std::unique_ptr<Dashboard> self(new Dashboard(std::move(config)));
  Dashboard* me = self.get();
  me->follower_ = std::thread([me] {
    Status followed = FollowStatusRecords(
        me->config_.kafka, me->stop_, [me](std::string_view value) { me->state_.ApplyStatus(value); },
        [me] { me->state_.MarkStatusCaughtUp(); });
    if (!followed.ok()) spdlog::error("dashboard: cannot follow strata.status: {}", followed.ToString());
  });
  me->watcher_ = std::thread([me] { me->WatchHead(); });
  Result<std::unique_ptr<DashboardServer>> server = DashboardServer::Start(me->config_.http, me->api_, me->state_);
  if (!server.ok()) return server.status();  // the destructor stops the threads
  me->server_ = std::move(*server);
  return self;
}

Dashboard::~Dashboard() {
  stop_ = true;
  state_.Stop();  // event streams end now, not at their next ping
  server_.reset();
  if (follower_.joinable()) follower_.join();
  if (watcher_.joinable()) watcher_.join();
}

void Dashboard::WatchHead() {
  std::string last_error;
  while (!stop_.load()) {
    Status moved = [&]() -> Status {
      ASSIGN_OR_RETURN(Repository repo, Repository::Open(config_.repo));
      ASSIGN_OR_RETURN(git_oid head, repo.ResolveCommit("refs/heads/" + config_.branch));
      return state_.AdvanceTo(repo, head, NowMillis());
    }();
    if (!moved.ok() && moved.ToString() != last_error) {
      spdlog::warn("dashboard: cannot read {} of {}: {} (showing the last state read)", config_.branch,
                   config_.repo, moved.ToString());
    }
    last_error = moved.ok() ? "" : moved.ToString();
    for (auto waited = std::chrono::milliseconds(0); waited < kHeadPoll && !stop_.load();
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace strata::dashboard
