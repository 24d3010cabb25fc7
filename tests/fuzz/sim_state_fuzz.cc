// libFuzzer target: the sim driver's per-resource state files (<state>/sim/<kind>/<name>.json),
// which anyone may edit behind the agent's back: that is drift, and the driver must find it and
// heal it, never crash or hang on it. The first byte of an input picks the resource (a Kafka
// cluster, a Kubernetes cluster or another kind) and whether it is being removed; the rest is the
// state file. The driver then does what the agent would: a drift check, steps toward the desired
// state (instant, time scale 0) and, once it reports Ready, a drift check that must find nothing
// and agree that it is Ready; or, for a removal, steps until the resource is gone.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "agents/sim/sim_driver.h"

namespace {

using nlohmann::json;
using strata::agent::Driver;
using strata::agent::Observed;
using strata::agent::Phase;
using strata::agent::SliceResource;

SliceResource Resource(const std::string& kind, const std::string& name, json spec) {
  SliceResource r;
  r.entry = "k8s-1/" + name + ".yaml";
  r.key = kind + "/" + name;
  r.kind = kind;
  r.name = name;
  r.k8s_cluster = "k8s-1";
  r.resource = {{"apiVersion", "strata.dev/v1alpha1"},
                {"kind", kind},
                {"metadata", {{"name", name}}},
                {"spec", std::move(spec)}};
  return r;
}

const SliceResource& Desired(uint8_t pick) {
  static const SliceResource kResources[] = {
      Resource("PhysicalKafkaCluster", "pkc-a",
               {{"brokers", 3}, {"kafkaVersion", "3.7.0"}, {"config", {{"num.partitions", 6}}}}),
      Resource(
          "K8sCluster", "k8s-1",
          {{"nodePools", {{{"name", "system"}, {"nodes", 3}}, {{"name", "kafka"}, {"nodes", 6}}}}}),
      Resource("NetworkAttachment", "net-a", {{"network", "peering"}, {"cidr", "10.0.0.0/16"}}),
  };
  return kResources[pick % 3];
}

// The simulated cloud: a directory of its own, removed at exit.
struct Cloud {
  Cloud()
      : dir(std::filesystem::temp_directory_path() /
            ("sim_state_fuzz." + std::to_string(getpid()))) {}
  ~Cloud() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
};

[[noreturn]] void Fail(const std::string& what, std::string_view state) {
  std::fprintf(stderr, "%s\nstate file: %.*s\n", what.c_str(), static_cast<int>(state.size()),
               state.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static Cloud cloud;
  const SliceResource& desired = Desired(data[0] & 3);
  const bool removing = (data[0] & 4) != 0;
  std::string_view state(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::filesystem::path file = cloud.dir / "sim" / desired.kind / (desired.name + ".json");
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << state;

  int64_t now = 1'800'000'000'000;
  strata::agent::SimOptions options;
  options.state_dir = cloud.dir.string();
  options.time_scale = 0;
  options.unhealthy_brokers = {"pkc-a/4"};  // one the desired cluster does not keep
  options.now_ms = [&now] { return now; };
  std::unique_ptr<Driver> driver = strata::agent::MakeSimDriver(options);

  std::vector<std::string> drift;
  (void)driver->Observe(desired, &drift);
  for (int step = 0; step < 8; ++step, now += 60'000) {
    strata::Result<Observed> observed = removing ? driver->Remove(desired) : driver->Apply(desired);
    if (!observed.ok()) Fail("a step failed: " + observed.status().ToString(), state);
    if (removing && observed->phase == Phase::kDeleted) break;
    if (!removing && observed->phase == Phase::kReady) {
      drift.clear();
      strata::Result<Observed> after = driver->Observe(desired, &drift);
      if (!after.ok()) Fail("the drift check failed: " + after.status().ToString(), state);
      if (!drift.empty()) Fail("Ready, yet the drift check finds: " + drift.front(), state);
      if (after->phase != Phase::kReady) Fail("Ready, yet the drift check says otherwise", state);
      break;
    }
  }
  return 0;
}
