#include "reconciler/up/process_parts.h"

#include <httplib.h>

#include <cstdio>
#include <filesystem>

#include "core/loopback_port.h"
#include "reconciler/controller/layers.h"
#include "reconciler/controllers/registry.h"

namespace strata::up {

ProcessParts::ProcessParts(const Plan& plan, OpsServer* ops) : plan_(plan), ops_(ops) {
  next_port_ = plan.options.port == 0 ? 0 : plan.options.port + 1;
  prober_ = std::thread([this] { ProbeLoop(); });
}

ProcessParts::~ProcessParts() { Stop(); }

void ProcessParts::Stop() {
  stop_probing_.store(true);
  if (prober_.joinable()) prober_.join();
  supervisor_.StopAll(std::chrono::seconds(10));
}

Status ProcessParts::StartReconciler() {
  std::vector<std::string> args = {"reconcile", "--watch", "--repo", plan_.home.fleet_repo,
                                   "--branch", plan_.options.branch, "--poll-interval",
                                   std::to_string(plan_.options.reconcile_poll.count() / 1000.0)};
  return Start("reconciler", "reconciler", std::move(args));
}

Status ProcessParts::StartControllers() {
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

Status ProcessParts::StartAgent(const std::string& satellite) {
  char scale[32];
  std::snprintf(scale, sizeof scale, "%g", plan_.options.sim_time_scale);
  std::vector<std::string> args = {
      "agent", "--satellite", satellite, "--repo", plan_.home.fleet_repo, "--state-dir",
      plan_.home.agents_dir + "/" + satellite, "--trusted-keys", plan_.home.trusted_keys,
      "--driver", "sim", "--sim-time-scale", scale, "--poll-ms",
      std::to_string(plan_.options.agent_poll.count())};
  return Start("agent " + satellite, "agent-" + satellite, std::move(args));
}

void ProcessParts::Describe(std::FILE* out) const {
  for (const ChildState& child : supervisor_.children()) {
    std::fprintf(out, "  %-34s pid %-7d %s  log %s\n", child.spec.name.c_str(),
                 static_cast<int>(child.pid), child.spec.ops_url.c_str(),
                 std::filesystem::relative(child.spec.log_path, plan_.home.root).c_str());
  }
}

Status ProcessParts::Start(const std::string& name, const std::string& log_name,
                           std::vector<std::string> args) {
  auto probe = std::make_shared<Probe>();
  probe->name = name;
  ChildSpec spec;
  spec.name = name;
  spec.argv = {plan_.options.strata, "--log-level", plan_.options.log_level, "--log-format",
               plan_.options.log_format};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.argv.insert(spec.argv.end(), plan_.kafka_args.begin(), plan_.kafka_args.end());
  spec.argv.push_back("--ops-listen");
  spec.argv.push_back("");  // set by prepare
  spec.log_path = plan_.home.logs_dir + "/" + log_name + ".log";
  // A port given by the operator stays; a free one is picked again at every restart, so a port
  // taken meanwhile costs one restart, not a crash loop.
  int fixed = next_port_ == 0 ? 0 : next_port_++;
  spec.prepare = [fixed, probe](ChildSpec& s) {
    int port = fixed != 0 ? fixed : FreeLoopbackPort();
    s.argv.back() = "127.0.0.1:" + std::to_string(port);
    s.ops_url = "http://127.0.0.1:" + std::to_string(port);
    probe->port.store(port);
  };
  RETURN_IF_ERROR(supervisor_.Start(std::move(spec)));
  {
    std::lock_guard lock(probes_mu_);
    probes_.push_back(probe);
  }
  ops_->AddReadinessCheck(name, [probe] {
    std::lock_guard lock(probe->mu);
    return probe->last;
  });
  return Status::Ok();
}

void ProcessParts::ProbeLoop() {
  while (!stop_probing_.load()) {
    std::vector<std::shared_ptr<Probe>> probes;
    {
      std::lock_guard lock(probes_mu_);
      probes = probes_;
    }
    for (const auto& probe : probes) {
      if (stop_probing_.load()) break;
      int port = probe->port.load();
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(std::chrono::milliseconds(300));
      client.set_read_timeout(std::chrono::milliseconds(700));
      auto response = client.Get("/readyz");
      Status heard = !response ? Status::Unavailable("not answering on port " + std::to_string(port))
                     : response->status != 200 ? Status::Unavailable(response->body)
                                                : Status::Ok();
      std::lock_guard lock(probe->mu);
      probe->last = heard;
    }
    for (int i = 0; i < 20 && !stop_probing_.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace strata::up
