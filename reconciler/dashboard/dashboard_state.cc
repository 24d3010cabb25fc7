#include "reconciler/dashboard/dashboard_state.h"

namespace strata::dashboard {

void DashboardState::ApplyStatus(std::string_view value) {
  bool changed = false;
  {
    std::unique_lock lock(board_mu_);
    changed = board_.Apply(value);
  }
  if (changed) Bump();
}

void DashboardState::MarkStatusCaughtUp() {
  std::unique_lock lock(board_mu_);
  caught_up_ = true;
}

bool DashboardState::status_caught_up() const {
  std::shared_lock lock(board_mu_);
  return caught_up_;
}

Status DashboardState::AdvanceTo(const Repository& repo, const git_oid& head) {
  {
    std::shared_lock lock(index_mu_);
    if (index_ != nullptr && git_oid_equal(&index_->commit(), &head)) return Status::Ok();
  }
  bool first = false;
  {
    std::shared_lock lock(index_mu_);
    first = index_ == nullptr;
  }
  if (first) {
    // The first build reads the whole fleet: off the lock (only this thread writes the index).
    ASSIGN_OR_RETURN(FleetIndex built, FleetIndex::Build(repo, head));
    std::unique_lock lock(index_mu_);
    index_ = std::make_unique<FleetIndex>(std::move(built));
  } else {
    // Readers wait for as long as the change takes to read, which follows its size.
    std::unique_lock lock(index_mu_);
    RETURN_IF_ERROR(index_->Advance(repo, head));
  }
  Bump();
  return Status::Ok();
}

std::string DashboardState::head() const {
  std::shared_lock lock(index_mu_);
  return index_ == nullptr ? "" : OidToHex(index_->commit());
}

uint64_t DashboardState::version() const {
  std::lock_guard lock(version_mu_);
  return version_;
}

uint64_t DashboardState::WaitForChange(uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(version_mu_);
  version_cv_.wait_for(lock, timeout, [&] { return version_ > seen; });
  return version_;
}

void DashboardState::Wake() const { version_cv_.notify_all(); }

void DashboardState::ReadBoard(const std::function<void(const status::StatusBoard&)>& read) const {
  std::shared_lock lock(board_mu_);
  read(board_);
}

void DashboardState::ReadIndex(const std::function<void(const FleetIndex*)>& read) const {
  std::shared_lock lock(index_mu_);
  read(index_.get());
}

void DashboardState::Bump() {
  {
    std::lock_guard lock(version_mu_);
    ++version_;
  }
  version_cv_.notify_all();
}

}  // namespace strata::dashboard
