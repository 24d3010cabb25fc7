#include "reconciler/up/up.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "agents/agent/agent.h"
#include "agents/sim/sim_driver.h"
#include "core/metrics.h"
#include "core/mock_kafka.h"
#include "core/ops_server.h"
#include "reconciler/controller/layers.h"
#include "reconciler/controllers/registry.h"
#include "reconciler/reconcile/hooks.h"
#include "reconciler/reconcile/watch.h"
#include "reconciler/up/supervisor.h"
#include "reconciler/up/up_home.h"
#include "specs/kinds.h"

namespace strata::up {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr auto kSatelliteRescan = std::chrono::seconds(5);

// A TCP port on loopback that was free a moment ago (for children that are told their port).
int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string Bootstrap(const KafkaProperties& kafka) {
  for (const auto& [key, value] : kafka) {
    if (key == "bootstrap.servers") return value;
  }
  return "";
}

// What every part needs to know, decided before any starts.
struct Plan {
  UpOptions options;
  UpHome home;
  std::vector<std::string> kafka_args;  // for child command lines
  std::shared_ptr<const specs::SchemaSet> schemas;
};

// The parts of the control plane, however they run.
class Parts {
 public:
  virtual ~Parts() = default;
  virtual Status StartReconciler() = 0;
  virtual Status StartControllers() = 0;
  virtual Status StartAgent(const std::string& satellite) = 0;
  virtual void Tick() {}
  virtual void Stop() = 0;  // after the stop flag is set
  // One line per part: "  reconciler   …".
  virtual void Describe(std::FILE* out) const = 0;
};

// Every part on threads of this process, sharing the endpoint of `ops`.
class InProcessParts : public Parts {
 public:
  InProcessParts(const Plan& plan, OpsServer* ops) : plan_(plan), ops_(ops) {}
  ~InProcessParts() override { Stop(); }

  Status StartReconciler() override {
    reconcile::WatchOptions watch;
    watch.reconciler.repo_path = plan_.home.fleet_repo;
    watch.reconciler.branch = plan_.options.branch;
    watch.kafka = plan_.options.kafka;
    watch.poll = plan_.options.reconcile_poll;
    watch.on_report = [](const reconcile::ReconcileReport& r) {
      spdlog::info("reconciler: published {} commit(s), {} events, {} rejected; checkpoint at {}",
                   r.commits, r.events, r.rejected, r.head.substr(0, 12));
    };
    ops_->AddReadinessCheck("reconciler", [this] {
      return caught_up_.load() ? Status::Ok()
                               : Status::Unavailable("the last pass did not reach Kafka (or none ran yet)");
    });
    threads_.emplace_back([this, watch] {
      while (!stop_.load()) {
        Status s = reconcile::Watch(watch, plan_.schemas, stop_, &caught_up_);
        if (s.ok()) break;
        spdlog::error("reconciler: {}; starting it again in 5 s", s.ToString());
        for (int i = 0; i < 100 && !stop_.load(); ++i) std::this_thread::sleep_for(milliseconds(50));
      }
    });
    return Status::Ok();
  }

  Status StartControllers() override {
    ASSIGN_OR_RETURN(ssh::SigningKey key, ssh::SigningKey::Load(plan_.home.signing_key));
    controllers::ControllerConfig config;
    config.signing_key = std::make_shared<const ssh::SigningKey>(std::move(key));
    controller::RuntimeOptions options;
    options.repo = plan_.home.fleet_repo;
    options.branch = plan_.options.branch;
    options.kafka = plan_.options.kafka;
    ASSIGN_OR_RETURN(controllers_, controllers::MakeRuntimes({}, config, options, plan_.schemas));
    for (auto& runtime : controllers_) {
      controller::ControllerRuntime* r = runtime.get();
      const std::string name = r->controller().info().name;
      ops_->AddReadinessCheck("controller " + name, [r] {
        return r->running() ? Status::Ok() : Status::Unavailable("not consuming");
      });
      threads_.emplace_back([this, r, name] {
        Status s = r->Run(stop_);
        // A controller that fails for good takes the process down, as `strata controller` does
        // (its supervisor restarts it): a control plane half running is worse than one stopped.
        if (!s.ok() && !stop_.load()) {
          spdlog::critical("controller {} failed: {}; stopping strata up", name, s.ToString());
          failed_.store(true);
        }
      });
    }
    return Status::Ok();
  }

  Status StartAgent(const std::string& satellite) override {
    agent::AgentOptions options;
    options.satellite = satellite;
    options.repo_url = plan_.home.fleet_repo;
    options.state_dir = plan_.home.agents_dir + "/" + satellite;
    options.trusted_keys = plan_.home.trusted_keys;
    options.kafka = plan_.options.kafka;
    options.poll = plan_.options.agent_poll;
    agent::SimOptions sim;
    sim.state_dir = options.state_dir;
    sim.time_scale = plan_.options.sim_time_scale;
    ASSIGN_OR_RETURN(std::unique_ptr<agent::Agent> made,
                     agent::Agent::Create(options, agent::MakeSimDriver(std::move(sim))));
    agent::Agent* a = made.get();
    agents_.push_back(std::move(made));
    satellites_.push_back(satellite);
    ops_->AddReadinessCheck("agent " + satellite, [a] {
      return a->synced() ? Status::Ok() : Status::Unavailable("the first sync has not run yet");
    });
    threads_.emplace_back([this, a] {
      if (Status s = a->Run(stop_); !s.ok()) spdlog::error("{}", s.ToString());
    });
    return Status::Ok();
  }

  void Stop() override {
    stop_.store(true);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

  bool failed() const { return failed_.load(); }

  void Describe(std::FILE* out) const override {
    std::string names;
    for (const auto& r : controllers_) names += (names.empty() ? "" : ", ") + r->controller().info().name;
    std::fprintf(out, "  reconciler   watching %s (threads of this process)\n",
                 plan_.options.branch.c_str());
    std::fprintf(out, "  controllers  %s (bottom layer first)\n", names.c_str());
    std::string agents;
    for (const auto& s : satellites_) agents += (agents.empty() ? "" : ", ") + s;
    std::fprintf(out, "  agents       %s (sim driver, time scale %g)\n", agents.c_str(),
                 plan_.options.sim_time_scale);
  }

 private:
  const Plan& plan_;
  OpsServer* ops_;
  std::atomic<bool> stop_{false};  // every part's; set by Stop
  std::atomic<bool> caught_up_{false};
  std::atomic<bool> failed_{false};
  std::vector<std::unique_ptr<controller::ControllerRuntime>> controllers_;
  std::vector<std::unique_ptr<agent::Agent>> agents_;
  std::vector<std::string> satellites_;
  std::vector<std::thread> threads_;
};

// Every part a `strata` process of its own, supervised; `ops` checks their /readyz.
class ProcessParts : public Parts {
 public:
  ProcessParts(const Plan& plan, OpsServer* ops) : plan_(plan), ops_(ops) {
    next_port_ = plan.options.port == 0 ? 0 : plan.options.port + 1;
  }

  Status StartReconciler() override {
    std::vector<std::string> args = {"reconcile", "--watch", "--repo", plan_.home.fleet_repo,
                                     "--branch", plan_.options.branch, "--poll-interval",
                                     std::to_string(plan_.options.reconcile_poll.count() / 1000.0)};
    return Start("reconciler", "reconciler", std::move(args));
  }

  Status StartControllers() override {
    std::vector<controller::ControllerInfo> infos;
    for (const auto& c : controllers::MakeAllControllers()) infos.push_back(c->info());
    ASSIGN_OR_RETURN(controller::LayerCake cake, controller::ComputeLayers(infos));
    for (const std::string& name : cake.StartOrder()) {
      std::vector<std::string> args = {"controller", name, "--repo", plan_.home.fleet_repo,
                                       "--branch", plan_.options.branch};
      if (name == "sync") {
        args.push_back("--signing-key");
        args.push_back(plan_.home.signing_key);
      }
      RETURN_IF_ERROR(Start("controller " + name, "controller-" + name, std::move(args)));
    }
    return Status::Ok();
  }

  Status StartAgent(const std::string& satellite) override {
    char scale[32];
    std::snprintf(scale, sizeof scale, "%g", plan_.options.sim_time_scale);
    std::vector<std::string> args = {
        "agent", "--satellite", satellite, "--repo", plan_.home.fleet_repo, "--state-dir",
        plan_.home.agents_dir + "/" + satellite, "--trusted-keys", plan_.home.trusted_keys,
        "--driver", "sim", "--sim-time-scale", scale, "--poll-ms",
        std::to_string(plan_.options.agent_poll.count())};
    return Start("agent " + satellite, "agent-" + satellite, std::move(args));
  }

  void Tick() override { supervisor_.Tick(); }
  void Stop() override { supervisor_.StopAll(std::chrono::seconds(10)); }

  void Describe(std::FILE* out) const override {
    for (const ChildState& child : supervisor_.children()) {
      std::fprintf(out, "  %-34s pid %-7d %s  log %s\n", child.spec.name.c_str(),
                   static_cast<int>(child.pid), child.spec.ops_url.c_str(),
                   std::filesystem::relative(child.spec.log_path, plan_.home.root).c_str());
    }
  }

 private:
  Status Start(const std::string& name, const std::string& log_name, std::vector<std::string> args) {
    int port = next_port_ == 0 ? FreeLoopbackPort() : next_port_++;
    ChildSpec spec;
    spec.name = name;
    spec.argv = {plan_.options.strata, "--log-level", plan_.options.log_level, "--log-format",
                 plan_.options.log_format};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.argv.insert(spec.argv.end(), plan_.kafka_args.begin(), plan_.kafka_args.end());
    spec.argv.push_back("--ops-listen");
    spec.argv.push_back("127.0.0.1:" + std::to_string(port));
    spec.log_path = plan_.home.logs_dir + "/" + log_name + ".log";
    spec.ops_url = "http://127.0.0.1:" + std::to_string(port);
    ops_->AddReadinessCheck(name, [port] {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(std::chrono::milliseconds(300));
      client.set_read_timeout(std::chrono::milliseconds(700));
      auto response = client.Get("/readyz");
      if (!response) return Status::Unavailable("not answering on port " + std::to_string(port));
      if (response->status != 200) return Status::Unavailable(response->body);
      return Status::Ok();
    });
    return supervisor_.Start(std::move(spec));
  }

  const Plan& plan_;
  OpsServer* ops_;
  int next_port_ = 0;
  Supervisor supervisor_;
};

void PrintGuide(const Plan& plan, const std::string& kafka, bool embedded, const OpsServer& ops,
                const Parts& parts, std::FILE* out) {
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
  std::string status = strata + " status --kafka " + kafka.substr(0, kafka.find(',')) + " --repo " +
                       plan.home.fleet_repo;
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
  {
    std::ofstream file(plan.home.kafka_file, std::ios::trunc);
    file << kafka << "\n";
  }
  auto hooks = reconcile::InstallWakeHooks(plan.home.fleet_repo, options.strata,
                                           /*force=*/!plan.home.work_tree.empty());
  if (!hooks.ok()) {
    spdlog::warn("no wake-up hooks ({}); the reconciler polls every {} ms",
                 hooks.status().message(), options.reconcile_poll.count());
  }

  OpsOptions ops_options;
  ops_options.port = options.port;
  ASSIGN_OR_RETURN(std::unique_ptr<OpsServer> ops, OpsServer::Start(ops_options, metrics::DefaultRegistry()));
  ASSIGN_OR_RETURN(std::vector<std::string> satellites, SatellitesAt(plan.home.fleet_repo, options.branch));

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
  PrintGuide(plan, kafka, embedded != nullptr, *ops, *parts, out);

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
  parts->Stop();
  ops.reset();  // its checks point into the parts
  if (in_process != nullptr && in_process->failed()) {
    return Status::Internal("a controller failed; see the log above");
  }
  return Status::Ok();
}

}  // namespace strata::up
