#include "reconciler/dashboard/dashboard_api.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconciler/audit/history.h"
#include "reconciler/audit/history_report.h"
#include "reconciler/dashboard/fleet_rows.h"
#include "reconciler/reconcile/checkpoint.h"
#include "reconciler/rollout_cli/rollout_snapshot.h"
#include "reconciler/rollout_cli/status_report.h"
#include "reconciler/status/status_views.h"

namespace strata::dashboard {
namespace {

using nlohmann::ordered_json;

constexpr size_t kMaxProblems = 200;
constexpr size_t kHistoryEntries = 20;

ApiResponse Json(const ordered_json& body) { return {200, body.dump()}; }

ApiResponse Error(int http_status, const std::string& message) {
  return {http_status, ordered_json{{"error", message}}.dump()};
}

ApiResponse Error(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return Error(400, status.message());
    case StatusCode::kNotFound:
      return Error(404, status.message());
    default:
      return Error(500, status.ToString());
  }
}

std::string Param(const ApiParams& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

// A whole number in [low, high]; `fallback` when absent.
Result<size_t> Count(const ApiParams& params, const std::string& name, size_t fallback, size_t low,
                     size_t high) {
  std::string text = Param(params, name);
  if (text.empty()) return fallback;
  size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || value > high) {
      return Status::InvalidArgument(name + " must be a whole number from " + std::to_string(low) +
                                     " to " + std::to_string(high) + ", not " + text);
    }
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  if (value < low || value > high) {
    return Status::InvalidArgument(name + " must be a whole number from " + std::to_string(low) +
                                   " to " + std::to_string(high) + ", not " + text);
  }
  return value;
}

// The repository, opened for one request, and the branch head in it.
struct AtHead {
  Repository repo;
  git_oid head;
};

Result<AtHead> OpenAtHead(const std::string& repo_path, const std::string& branch) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(repo_path));
  ASSIGN_OR_RETURN(git_oid head, repo.ResolveCommit("refs/heads/" + branch));
  return AtHead{std::move(repo), head};
}

}  // namespace

DashboardApi::DashboardApi(std::string repo_path, std::string branch, const DashboardState& state,
                           std::function<int64_t()> now_millis)
    : repo_path_(std::move(repo_path)),
      branch_(std::move(branch)),
      state_(state),
      now_millis_(std::move(now_millis)) {}

ApiResponse DashboardApi::Handle(const std::string& path, const ApiParams& params) const {
  if (path == "/api/fleet") return Fleet();
  if (path == "/api/clusters") return Clusters(params);
  if (path == "/api/cluster") return Cluster(params);
  if (path == "/api/change") return Change(params);
  if (path == "/api/commits") return Commits(params);
  if (path == "/api/rollouts") return Rollouts();
  if (path == "/api/rollout") return Rollout(params);
  return Error(404, "no such API: " + path);
}

ApiResponse DashboardApi::Fleet() const {
  auto started = std::chrono::steady_clock::now();
  int64_t now = now_millis_();
  ordered_json out;
  bool indexed = false;
  state_.ReadIndex([&](const FleetIndex* index) {
    if (index == nullptr) return;
    indexed = true;
    state_.ReadBoard([&](const status::StatusBoard& board) {
      std::vector<FleetRow> rows;
      rows.reserve(index->clusters().size());
      for (const auto& [key, cluster] : index->clusters()) rows.push_back(MakeRow(cluster, *index, board, now));
      out = FleetSummary(rows, board, now, kMaxProblems);
    });
  });
  if (!indexed) return Error(503, "the fleet branch has not been read yet");
  out["branch"] = branch_;
  out["head"] = state_.head();
  out["reconciled"] = "";
  if (Result<Repository> repo = Repository::Open(repo_path_); repo.ok()) {
    Result<reconcile::Checkpoint> checkpoint = reconcile::ReadCheckpoint(*repo, branch_);
    if (checkpoint.ok() && checkpoint->exists) out["reconciled"] = OidToHex(checkpoint->commit);
  }
  out["statusCaughtUp"] = state_.status_caught_up();
  out["tookMillis"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return Json(out);
}

ApiResponse DashboardApi::Clusters(const ApiParams& params) const {
  Result<size_t> offset = Count(params, "offset", 0, 0, SIZE_MAX / 16);
  if (!offset.ok()) return Error(offset.status());
  Result<size_t> limit = Count(params, "limit", 50, 1, 500);
  if (!limit.ok()) return Error(limit.status());
  RowFilter filter{Param(params, "org"),    Param(params, "sku"),    Param(params, "phase"),
                   Param(params, "cloud"),  Param(params, "region"), Param(params, "satellite"),
                   Param(params, "q")};
  int64_t now = now_millis_();
  ordered_json items = ordered_json::array();
  size_t total = 0;
  bool indexed = false;
  state_.ReadIndex([&](const FleetIndex* index) {
    if (index == nullptr) return;
    indexed = true;
    state_.ReadBoard([&](const status::StatusBoard& board) {
      if (filter.empty()) {  // no row needs joining with the board but the page's own
        total = index->clusters().size();
        auto it = index->clusters().begin();
        std::advance(it, std::min(*offset, total));
        for (; it != index->clusters().end() && items.size() < *limit; ++it) {
          items.push_back(RowJson(MakeRow(it->second, *index, board, now)));
        }
        return;
      }
      for (const auto& [key, cluster] : index->clusters()) {
        FleetRow row = MakeRow(cluster, *index, board, now);
        if (!filter.Matches(row)) continue;
        if (total >= *offset && items.size() < *limit) items.push_back(RowJson(row));
        ++total;
      }
    });
  });
  if (!indexed) return Error(503, "the fleet branch has not been read yet");
  return Json({{"total", total}, {"offset", *offset}, {"limit", *limit}, {"items", items}});
}

ApiResponse DashboardApi::Cluster(const ApiParams& params) const {
  std::string key = Param(params, "key");
  if (key.empty()) return Error(400, "give key=KafkaCluster/ORG/NAME");
  Result<Repository> repo = Repository::Open(repo_path_);
  if (!repo.ok()) return Error(repo.status());
  std::string head_hex = state_.head();
  Result<git_oid> head = repo->ResolveCommit(head_hex.empty() ? "refs/heads/" + branch_ : head_hex);
  if (!head.ok()) return Error(head.status());
  Result<git_oid> tree = repo->TreeOfCommit(*head);
  if (!tree.ok()) return Error(tree.status());
  // Git first, with no lock held; then what the board and the index say, under theirs.
  Result<ordered_json> layers = status::ClusterLayersInGit(*repo, *tree, key);
  if (!layers.ok()) return Error(layers.status());
  ordered_json out = std::move(*layers);
  int64_t now = now_millis_();
  ordered_json row;
  state_.ReadIndex([&](const FleetIndex* index) {
    state_.ReadBoard([&](const status::StatusBoard& board) {
      status::AddLayerStatuses(out, board);
      if (index == nullptr) return;
      auto cluster = index->clusters().find(key);
      if (cluster != index->clusters().end()) row = RowJson(MakeRow(cluster->second, *index, board, now));
    });
  });
  out["row"] = row;
  out["phase"] = row.is_object() ? row["phase"] : ordered_json("");
  out["reason"] = row.is_object() ? row["reason"] : ordered_json("");
  // History reads git only: no lock held.
  audit::HistoryRequest request;
  request.key = key;
  request.branch = branch_;
  request.limit = kHistoryEntries;
  Result<audit::History> history = audit::ReadHistory(*repo, request);
  if (!history.ok()) return Error(history.status());
  out["commit"] = history->entries.empty() ? "" : history->entries.front().commit;
  out["history"] = audit::HistoryJson(*history);
  return Json(out);
}

ApiResponse DashboardApi::Change(const ApiParams& params) const {
  std::string commit = Param(params, "commit");
  if (commit.empty()) return Error(400, "give commit=SHA");
  Result<AtHead> at = OpenAtHead(repo_path_, branch_);
  if (!at.ok()) return Error(at.status());
  const Repository& repo = at->repo;
  const git_oid& head = at->head;
  // The satellites' reports are all it needs of the board: copied, so that the walk along the
  // branch holds no lock.
  status::StatusBoard satellites;
  state_.ReadBoard([&](const status::StatusBoard& board) {
    for (auto it = board.observed.lower_bound("Satellite/");
         it != board.observed.end() && it->first.rfind("Satellite/", 0) == 0; ++it) {
      satellites.observed.insert(*it);
    }
  });
  Result<ordered_json> progress = status::ChangeProgress(repo, branch_, head, satellites, commit);
  if (!progress.ok()) {
    switch (progress.status().code()) {
      case StatusCode::kFailedPrecondition:  // a merged branch's commit, or one a force push dropped
        return Error(404, commit + " is not on the first-parent line of " + branch_);
      case StatusCode::kInternal:
        return Error(progress.status());
      default:  // an unknown revision, whatever git calls it
        return Error(404, "no commit " + commit + " in the fleet repository");
    }
  }
  return Json(*progress);
}

ApiResponse DashboardApi::Commits(const ApiParams& params) const {
  Result<size_t> limit = Count(params, "limit", 20, 1, 200);
  if (!limit.ok()) return Error(limit.status());
  Result<AtHead> at = OpenAtHead(repo_path_, branch_);
  if (!at.ok()) return Error(at.status());
  const Repository& repo = at->repo;
  ordered_json items = ordered_json::array();
  git_oid commit = at->head;
  while (items.size() < *limit) {
    Result<CommitInfo> info = repo.ReadCommit(commit);
    if (!info.ok()) return Error(info.status());
    items.push_back({{"commit", OidToHex(commit)},
                     {"subject", status::CommitSubject(*info)},
                     {"author", info->author_name},
                     {"time", info->author_time},
                     {"controller", status::CommitTrailer(*info, "Strata-Controller")}});
    if (info->parents.empty()) break;
    commit = info->parents[0];
  }
  return Json({{"items", items}});
}

ApiResponse DashboardApi::Rollouts() const {
  Result<AtHead> at = OpenAtHead(repo_path_, branch_);
  if (!at.ok()) return Error(at.status());
  const Repository& repo = at->repo;
  const git_oid& head = at->head;
  Result<git_oid> tree = repo.TreeOfCommit(head);
  if (!tree.ok()) return Error(tree.status());
  ordered_json items = ordered_json::array();
  Result<std::vector<TreeFile>> files = repo.ListFilesUnder(*tree, "rollouts");
  for (const TreeFile& f : files.ok() ? *files : std::vector<TreeFile>{}) {
    std::string name = f.path.substr(f.path.rfind('/') + 1);
    if (name.size() <= 5 || name.substr(name.size() - 5) != ".yaml") continue;
    name.resize(name.size() - 5);
    Result<rollout_cli::RolloutSnapshot> snapshot = rollout_cli::ReadRollout(repo, head, name);
    ordered_json item = {{"name", name}};
    if (!snapshot.ok()) {
      item["phase"] = "Unreadable";
      item["reason"] = snapshot.status().message();
      items.push_back(item);
      continue;
    }
    item["state"] = snapshot->rollout.state;
    item["kafkaVersion"] = snapshot->rollout.kafka_version;
    int64_t clusters = 0, done = 0, failed = 0, in_progress = 0;
    if (snapshot->progress.has_value()) {
      item["phase"] = snapshot->progress->phase;
      item["waitingFor"] = snapshot->progress->waiting_for;
      item["reason"] = snapshot->progress->reason;
      for (const rollout_cli::WaveProgress& wave : snapshot->progress->waves) {
        clusters += wave.clusters;
        done += wave.done;
        failed += wave.failed;
        in_progress += wave.in_progress;
      }
    } else {
      item["phase"] = "NotStarted";
      item["waitingFor"] = "";
      item["reason"] = "not started by the rollout controller yet";
    }
    item["clusters"] = clusters;
    item["done"] = done;
    item["failed"] = failed;
    item["inProgress"] = in_progress;
    items.push_back(item);
  }
  return Json({{"items", items}});
}

ApiResponse DashboardApi::Rollout(const ApiParams& params) const {
  std::string name = Param(params, "name");
  if (name.empty()) return Error(400, "give name=ROLLOUT");
  Result<AtHead> at = OpenAtHead(repo_path_, branch_);
  if (!at.ok()) return Error(at.status());
  const Repository& repo = at->repo;
  const git_oid& head = at->head;
  Result<rollout_cli::RolloutSnapshot> snapshot = rollout_cli::ReadRollout(repo, head, name);
  if (!snapshot.ok()) return Error(snapshot.status());
  return Json(rollout_cli::StatusJson(*snapshot));
}

}  // namespace strata::dashboard
