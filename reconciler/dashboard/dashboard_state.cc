#include "reconciler/dashboard/dashboard_state.h"

#include <optional>

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
  {
    std::unique_lock lock(board_mu_);
    caught_up_ = true;
  }
  Bump();  // the page may show "still reading strata.status" until told
}

bool DashboardState::status_caught_up() const {
  std::shared_lock lock(board_mu_);
  return caught_up_;
}

Status DashboardState::AdvanceTo(const Repository& repo, const git_oid& head, int64_t now_millis) {
  // Only this caller writes the index, so reading it here without the lock races with nothing.
  if (index_ != nullptr && git_oid_equal(&index_->commit(), &head)) return Status::Ok();
  std::optional<FleetIndex::Change> change;
  if (index_ != nullptr) {
    Result<FleetIndex::Change> read = index_->ReadChange(repo, head);
    if (read.ok()) change = std::move(*read);
  }
  if (change.has_value()) {
    std::unique_lock lock(index_mu_);
    index_->Apply(*change, now_millis);
  } else {
    ASSIGN_OR_RETURN(FleetIndex built, FleetIndex::Build(repo, head, now_millis));
    std::unique_lock lock(index_mu_);
    index_ = std::make_unique<FleetIndex>(std::move(built));
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
  version_cv_.wait_for(lock, timeout, [&] { return version_ > seen || stopping_; });
  return version_;
}

void DashboardState::Stop() {
  {
    std::lock_guard lock(version_mu_);
    stopping_ = true;
  }
  version_cv_.notify_all();
}

bool DashboardState::stopping() const {
  std::lock_guard lock(version_mu_);
  return stopping_;
}

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
