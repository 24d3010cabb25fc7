#include "reconciler/up/in_process_parts.h"

#include <spdlog/spdlog.h>

#include "agents/sim/sim_driver.h"
#include "reconciler/controllers/registry.h"
#include "reconciler/reconcile/watch.h"

namespace strata::up {

using std::chrono::milliseconds;

Status InProcessParts::StartReconciler() {
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

Status InProcessParts::StartControllers() {
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

Status InProcessParts::StartAgent(const std::string& satellite) {
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

void InProcessParts::Stop() {
  stop_.store(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void InProcessParts::Describe(std::FILE* out) const {
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

}  // namespace strata::up
