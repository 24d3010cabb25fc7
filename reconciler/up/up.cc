#include "reconciler/up/up.h"

#include <git2.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "core/metrics.h"
#include "core/mock_kafka.h"
#include "core/ops_server.h"
#include "reconciler/dashboard/dashboard.h"
#include "reconciler/reconcile/hooks.h"
#include "reconciler/up/in_process_parts.h"
#include "reconciler/up/parts.h"
#include "reconciler/up/process_parts.h"
#include "reconciler/up/up_home.h"
#include "specs/kinds.h"

namespace strata::up {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr auto kSatelliteRescan = std::chrono::seconds(5);

std::string Bootstrap(const KafkaProperties& kafka) {
  for (const auto& [key, value] : kafka) {
    if (key == "bootstrap.servers") return value;
  }
  return "";
}

// Files other commands read while up runs, written whole (a reader never sees half of one) and
// removed when up stops: they would name a Kafka that is gone.
class PublishedFiles {
 public:
  ~PublishedFiles() {
    std::error_code ec;
    for (const std::string& path : paths_) std::filesystem::remove(path, ec);
  }
  // kInternal naming the file when it cannot be written.
  Status Write(const std::string& path, const std::string& content) {
    std::string temporary = path + ".tmp";
    {
      std::ofstream file(temporary, std::ios::trunc);
      file << content;
      file.close();
      if (!file) return Status::Internal("cannot write " + temporary);
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) return Status::Internal("cannot write " + path + ": " + ec.message());
    paths_.push_back(path);
    return Status::Ok();
  }

 private:
  std::vector<std::string> paths_;
};

void PrintGuide(const Plan& plan, const std::string& kafka, bool embedded, const OpsServer& ops,
                const dashboard::Dashboard* board, const Parts& parts, std::FILE* out) {
  const UpOptions& o = plan.options;
  std::fprintf(out, "strata up: the control plane is running (%s)\n",
               o.separate_processes ? "each part a process of its own" : "in this process");
  std::fprintf(out, "  home         %s\n", plan.home.root.c_str());
  std::fprintf(out, "  kafka        %s%s\n", kafka.c_str(),
               embedded ? " (embedded; rebuilt from git at every start)" : "");
  std::fprintf(out, "  fleet repo   %s, branch %s (a push wakes the reconciler)\n",
               plan.home.fleet_repo.c_str(), o.branch.c_str());
  if (!plan.home.work_tree.empty()) std::fprintf(out, "  work tree    %s\n", plan.home.work_tree.c_str());
  std::fprintf(out, "  operator     %s/metrics  /healthz  /readyz\n", ops.url().c_str());
  if (board != nullptr) std::fprintf(out, "  dashboard    %s\n", board->url().c_str());
  parts.Describe(out);
  std::string strata = o.strata;
  std::fprintf(out, "\nTry it:\n");
  if (!plan.home.work_tree.empty()) {
    std::fprintf(out,
                 "  cd %s\n"
                 "  # scale a cluster: change spec.cku from 2 to 4 in tenants/acme/kafka/orders.yaml\n"
                 "  git commit -qam 'acme/orders: 4 CKU' && git pull -q --rebase && git push -q\n",
                 plan.home.work_tree.c_str());
  }
  std::string status = strata + " status --up " + plan.home.root;
  std::fprintf(out, "  %s KafkaCluster/acme/orders   # one cluster, layer by layer\n", status.c_str());
  std::fprintf(out, "  %s                            # the whole fleet\n", status.c_str());
  std::fprintf(out, "More in examples/README.md. Ctrl-C stops everything; the same command resumes.\n");
  std::fflush(out);
}

}  // namespace

Status RunUp(const UpOptions& options_in, const std::atomic<bool>& stop, std::FILE* out) {
  Plan plan;
  plan.options = options_in;
  UpOptions& options = plan.options;
  if (options.strata.empty()) options.strata = reconcile::SelfExecutable();
  ASSIGN_OR_RETURN(HomeLock lock, HomeLock::Acquire(options.home));
  ASSIGN_OR_RETURN(plan.home, PrepareHome(options.home, options.fleet, options.branch));
  ASSIGN_OR_RETURN(plan.schemas, specs::SchemaSet::LoadEmbedded());
  ASSIGN_OR_RETURN(std::vector<std::string> satellites, SatellitesAt(plan.home.fleet_repo, options.branch));
  if (auto repo = Repository::Open(plan.home.fleet_repo); repo.ok() && !git_repository_is_bare(repo->raw())) {
    spdlog::warn("{} has a work tree: the controllers commit to its branch and the work tree will "
                 "not follow; a bare repository (as a git host keeps it) is the norm",
                 plan.home.fleet_repo);
  }
  // The operator's port first: the likeliest failure (in use) comes before anything is changed.
  OpsOptions ops_options;
  ops_options.port = options.port;
  ASSIGN_OR_RETURN(std::unique_ptr<OpsServer> ops, OpsServer::Start(ops_options, metrics::DefaultRegistry()));

  // Kafka: the embedded one is new and empty, so the reconciler must publish the fleet again.
  std::unique_ptr<MockKafka> embedded;
  if (options.kafka.empty()) {
    ASSIGN_OR_RETURN(embedded, MockKafka::Start(options.kafka_brokers));
    std::vector<std::string> kinds;
    for (const auto& kind : specs::AllKinds()) kinds.emplace_back(kind.name);
    RETURN_IF_ERROR(embedded->CreateStrataTopics(kinds));
    options.kafka = {{"bootstrap.servers", embedded->bootstrap_servers()}};
    ASSIGN_OR_RETURN(bool reset, ResetCheckpoint(plan.home.fleet_repo, options.branch));
    if (reset) spdlog::info("the embedded Kafka is new: the fleet is published again from git");
  }
  std::string kafka = Bootstrap(options.kafka);
  plan.kafka_args = {"--kafka", kafka};
  if (!options.kafka_config_file.empty()) {
    plan.kafka_args.push_back("--kafka-config");
    plan.kafka_args.push_back(options.kafka_config_file);
  }
  // Up made this fleet repo, so the hooks in it are its own to replace (an older binary's path).
  bool own_fleet_repo = !plan.home.work_tree.empty();
  auto hooks = reconcile::InstallWakeHooks(plan.home.fleet_repo, options.strata, /*force=*/own_fleet_repo);
  if (!hooks.ok()) {
    spdlog::warn("no wake-up hooks ({}); the reconciler polls every {} ms",
                 hooks.status().message(), options.reconcile_poll.count());
  }
  // Where Kafka and the repo are, for other commands; gone again when up stops, whatever the way.
  nlohmann::json state = {{"kafka", kafka.substr(0, kafka.find(','))},
                          {"fleetRepo", plan.home.fleet_repo},
                          {"branch", options.branch},
                          {"ops", ops->url()},
                          {"kafkaConfig", options.kafka_config_file},
                          {"pid", static_cast<int>(::getpid())}};
  PublishedFiles published;
  RETURN_IF_ERROR(published.Write(plan.home.kafka_file, kafka + "\n"));
  RETURN_IF_ERROR(published.Write(plan.home.state_file, state.dump(2) + "\n"));

  std::unique_ptr<Parts> parts;
  InProcessParts* in_process = nullptr;
  if (options.separate_processes) {
    parts = std::make_unique<ProcessParts>(plan, ops.get());
  } else {
    auto threads = std::make_unique<InProcessParts>(plan, ops.get());
    in_process = threads.get();
    parts = std::move(threads);
  }
  // Consumers first: controllers join their groups while the reconciler publishes, and agents
  // listen for notices before sync signs anything.
  std::set<std::string> running;
  Status started = parts->StartControllers();
  for (size_t i = 0; started.ok() && i < satellites.size(); ++i) {
    started = parts->StartAgent(satellites[i]);
    running.insert(satellites[i]);
  }
  if (started.ok()) started = parts->StartReconciler();
  if (!started.ok()) {
    parts->Stop();
    ops.reset();  // its checks point into the parts
    return started;
  }
  // The dashboard last, as it reads what the parts write; a dashboard that cannot start (its port
  // taken) is no reason to stop the control plane.
  std::unique_ptr<dashboard::Dashboard> board;
  if (options.dashboard_port >= 0) {
    dashboard::DashboardConfig config;
    config.repo = plan.home.fleet_repo;
    config.branch = options.branch;
    config.kafka = options.kafka;
    config.http.port = options.dashboard_port;
    Result<std::unique_ptr<dashboard::Dashboard>> started_board = dashboard::Dashboard::Start(config);
    if (started_board.ok()) {
      board = std::move(*started_board);
      state["dashboard"] = board->url();
      if (Status written = published.Write(plan.home.state_file, state.dump(2) + "\n"); !written.ok()) {
        spdlog::warn("{}", written.ToString());
      }
    } else {
      std::fprintf(out, "strata up: no dashboard: %s (--dashboard-port chooses another port)\n",
                   started_board.status().ToString().c_str());
    }
  }
  PrintGuide(plan, kafka, embedded != nullptr, *ops, board.get(), *parts, out);

  auto next_rescan = Clock::now() + kSatelliteRescan;
  while (!stop.load()) {
    parts->Tick();
    if (in_process != nullptr && in_process->failed()) break;
    if (Clock::now() >= next_rescan) {
      next_rescan = Clock::now() + kSatelliteRescan;
      auto now = SatellitesAt(plan.home.fleet_repo, options.branch);
      for (const std::string& satellite : now.ok() ? *now : std::vector<std::string>{}) {
        if (running.count(satellite) != 0) continue;
        if (Status s = parts->StartAgent(satellite); !s.ok()) {
          spdlog::error("agent {}: {}", satellite, s.ToString());
          continue;
        }
        running.insert(satellite);
        std::fprintf(out, "a new satellite: agent %s started\n", satellite.c_str());
        std::fflush(out);
      }
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  std::fprintf(out, "strata up: stopping\n");
  std::fflush(out);
  board.reset();
  parts->Stop();
  ops.reset();  // its checks point into the parts
  std::fprintf(out, "strata up: stopped\n");
  std::fflush(out);
  if (in_process != nullptr && in_process->failed()) {
    return Status::Internal("a controller failed; see the log above");
  }
  return Status::Ok();
}

}  // namespace strata::up
