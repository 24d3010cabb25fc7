#include "agents/sim/sim_driver.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "agents/agent/state_file.h"

namespace strata::agent {
namespace {

using nlohmann::json;

// Base durations at time scale 1, in milliseconds.
constexpr int64_t kCreateK8sMs = 3000;
constexpr int64_t kResizePoolMs = 1000;
constexpr int64_t kStartBrokerMs = 1000;
constexpr int64_t kRollBrokerMs = 800;
constexpr int64_t kStopBrokerMs = 500;
constexpr int64_t kProvisionOtherMs = 1000;
constexpr int64_t kDeleteMs = 1000;

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ConfigOf(const json& spec) {
  auto it = spec.find("config");
  return it == spec.end() ? "{}" : it->dump();
}

// The integer at `key` of a state file's `object`, else `fallback`: someone may have edited
// anything in there, and json::value throws on a string and casts a float out of range (UB).
int64_t IntegerOr(const json& object, const std::string& key, int64_t fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

int IdOf(const json& broker) { return static_cast<int>(IntegerOr(broker, "id", 0)); }

std::string RollProgress(const Observed& o) {
  return std::to_string(o.brokers_updated) + " of " + std::to_string(o.brokers_desired) +
         " updated";
}

class SimDriver : public Driver {
 public:
  explicit SimDriver(SimOptions options)
      : options_(std::move(options)), root_(options_.state_dir + "/sim"), random_(options_.seed) {
    if (!options_.now_ms) options_.now_ms = WallClockMs;
  }

  std::string name() const override { return "sim"; }

  Result<Observed> Apply(const SliceResource& desired) override {
    if (Throttled()) {
      return Status::Unavailable("cloud API answered 429 Too Many Requests for " + desired.key);
    }
    ASSIGN_OR_RETURN(json state, Load(desired));
    int64_t now = options_.now_ms();
    Observed observed;
    try {
      observed = Step(desired, state, now);
    } catch (const json::exception&) {
      // The state file was edited into a shape we do not know (drift of the worst kind): the
      // simulated cloud rebuilds that resource from nothing, as a real one would re-provision it.
      state = json::object();
      observed = Step(desired, state, now);
    }
    RETURN_IF_ERROR(Save(desired, state));
    return observed;
  }

  Result<Observed> Remove(const SliceResource& last) override {
    if (Throttled()) return Status::Unavailable("cloud API answered 429 Too Many Requests for " + last.key);
    std::string path = PathOf(last);
    ASSIGN_OR_RETURN(std::optional<std::string> text, ReadFileIfExists(path));
    Observed observed;
    if (!text.has_value()) {
      observed.phase = Phase::kDeleted;
      return observed;
    }
    json state = json::parse(*text, nullptr, false);
    if (!state.is_object()) state = json::object();
    int64_t now = options_.now_ms();
    if (!state.contains("deleting") || state["deleting"] != true) {
      state["deleting"] = true;
      state["busyUntil"] = now + Scaled(kDeleteMs);
      RETURN_IF_ERROR(WriteFileAtomically(path, state.dump()));
    }
    if (IntegerOr(state, "busyUntil", 0) > now) {
      observed.phase = Phase::kDeleting;
      return observed;
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) return Status::Internal("cannot remove " + path + ": " + ec.message());
    observed.phase = Phase::kDeleted;
    return observed;
  }

  Result<Observed> Observe(const SliceResource& desired, std::vector<std::string>* drift) override {
    try {
      return ObserveState(desired, drift);
    } catch (const json::exception& e) {
      drift->push_back(std::string("its state is malformed: ") + e.what());
      return Observed{};
    }
  }

 private:
  Observed Step(const SliceResource& desired, json& state, int64_t now) {
    if (desired.kind == "PhysicalKafkaCluster") return StepKafka(desired, state, now);
    if (desired.kind == "K8sCluster") return StepK8s(desired, state, now);
    return StepOther(desired, state, now);
  }

  Result<Observed> ObserveState(const SliceResource& desired, std::vector<std::string>* drift) {
    ASSIGN_OR_RETURN(std::optional<std::string> text, ReadFileIfExists(PathOf(desired)));
    Observed observed;
    if (!text.has_value()) {
      drift->push_back("missing from the data plane");
      return observed;
    }
    json state = json::parse(*text, nullptr, false);
    if (state.is_discarded()) {
      drift->push_back("its state cannot be read");
      return observed;
    }
    const json& spec = desired.spec();
    if (desired.kind == "PhysicalKafkaCluster") {
      int want = spec.value("brokers", 0);
      const json& brokers = state["brokers"];
      int have = brokers.is_array() ? static_cast<int>(brokers.size()) : 0;
      if (have != want) drift->push_back("brokers: " + std::to_string(have) + ", want " + std::to_string(want));
      std::string version = spec.value("kafkaVersion", "");
      for (const json& b : brokers.is_array() ? brokers : json::array()) {
        if (b.value("version", "") != version) {
          drift->push_back("broker " + std::to_string(IdOf(b)) + " runs " +
                           b.value("version", "") + ", want " + version);
        }
      }
      observed = Describe(desired, state);
      if (drift->empty() && observed.brokers_ready == want) observed.phase = Phase::kReady;
    } else if (desired.kind == "K8sCluster") {
      for (const json& pool : spec.value("nodePools", json::array())) {
        std::string name = pool.value("name", "");
        int want = pool.value("nodes", 0);
        int have = static_cast<int>(IntegerOr(state["pools"], name, -1));
        if (have != want) {
          drift->push_back("node pool " + name + ": " + (have < 0 ? "missing" : std::to_string(have) + " nodes") +
                           ", want " + std::to_string(want));
        }
      }
      observed.phase = Phase::kReady;
    } else {
      if (state.value("spec", json()) != spec) drift->push_back("spec differs from the desired one");
      observed.phase = Phase::kReady;
    }
    return observed;
  }

  bool Throttled() {
    double rate = std::max(options_.throttle_rate, ApiThrottleRate());
    if (rate <= 0) return false;
    return std::uniform_real_distribution<double>(0, 1)(random_) < rate;
  }

  // The rate <sim>/api.json sets now, looked at no more than once a second (it is a fault
  // switched on and off while the agent runs, not configuration).
  double ApiThrottleRate() {
    int64_t now = options_.now_ms();
    if (api_checked_ms_ != 0 && now - api_checked_ms_ < 1000) return api_throttle_rate_;
    api_checked_ms_ = now;
    api_throttle_rate_ = 0;
    auto text = ReadFileIfExists(root_ + "/api.json");
    if (!text.ok() || !text->has_value()) return 0;
    json api = json::parse(**text, nullptr, false);
    if (api.is_object() && api.contains("throttle_rate") && api["throttle_rate"].is_number()) {
      api_throttle_rate_ = std::clamp(api["throttle_rate"].get<double>(), 0.0, 1.0);
    }
    return api_throttle_rate_;
  }
  int64_t Scaled(int64_t ms) const { return static_cast<int64_t>(static_cast<double>(ms) * options_.time_scale); }

  std::string PathOf(const SliceResource& r) const { return root_ + "/" + r.kind + "/" + r.name + ".json"; }

  Result<json> Load(const SliceResource& r) {
    ASSIGN_OR_RETURN(std::optional<std::string> text, ReadFileIfExists(PathOf(r)));
    if (!text.has_value()) return json::object();
    json state = json::parse(*text, nullptr, false);
    // A state file someone broke behind our back is drift like any other: start that resource over.
    if (!state.is_object()) return json::object();
    return state;
  }
  Status Save(const SliceResource& r, const json& state) { return WriteFileAtomically(PathOf(r), state.dump()); }

  // What a Kafka cluster's state says, without changing it. A broker counts as updated when it
  // is ready on the desired version and config and is one the cluster keeps.
  Observed Describe(const SliceResource& desired, const json& state) const {
    Observed o;
    o.brokers_desired = desired.spec().value("brokers", 0);
    o.version = desired.spec().value("kafkaVersion", "");
    const std::string config = ConfigOf(desired.spec());
    for (const json& b : state.value("brokers", json::array())) {
      if (b.value("state", "ready") != "ready") continue;
      ++o.brokers_ready;
      if (IdOf(b) < o.brokers_desired && b.value("version", "") == o.version &&
          b.value("config", "") == config) {
        ++o.brokers_updated;
      }
    }
    o.endpoint = desired.name + "." + desired.k8s_cluster + ".svc:9092";
    o.phase = Phase::kProvisioning;
    return o;
  }

  // Rolls a Kafka cluster toward `desired`, one broker at a time, as far as time allows now.
  Observed StepKafka(const SliceResource& desired, json& state, int64_t now) {
    const json& spec = desired.spec();
    const int want = spec.value("brokers", 0);
    const std::string version = spec.value("kafkaVersion", "");
    const std::string config = ConfigOf(spec);
    if (!state.contains("brokers") || !state["brokers"].is_array()) state["brokers"] = json::array();
    json& brokers = state["brokers"];
    state.erase("deleting");
    while (true) {
      // The broker in flight, if any, must be healthy before anything else moves.
      for (size_t i = 0; i < brokers.size(); ++i) {
        json& b = brokers[i];
        std::string s = b.value("state", "ready");
        if (s == "ready") continue;
        int id = IdOf(b);
        if (int64_t busy = IntegerOr(b, "busyUntil", 0); busy > now) {
          Observed o = Describe(desired, state);
          o.retry_after = std::chrono::milliseconds(busy - now);
          if (b.contains("rollingTo")) {
            o.conditions.push_back({"Rolled", false, "BrokerRolling",
                                    "rolling broker " + std::to_string(id) + " of " +
                                        std::to_string(want) + " to " + b.value("rollingTo", "") +
                                        " (" + RollProgress(o) + ")"});
          } else {
            o.conditions.push_back({"Rolled", false,
                                    s == "stopping" ? "BrokerStopping" : "BrokerStarting",
                                    "broker " + std::to_string(id) + " is " + s});
          }
          return o;
        }
        if (s == "stopping") {
          brokers.erase(brokers.begin() + static_cast<long>(i));
          --i;
          continue;
        }
        bool unhealthy = options_.unhealthy_brokers.count(desired.name + "/" + std::to_string(id)) != 0;
        if (unhealthy && id >= want) {  // no longer wanted: stop it rather than wait for it
          b["state"] = "stopping";
          b["busyUntil"] = now + Scaled(kStopBrokerMs);
          --i;
          continue;
        }
        if (unhealthy) {
          Observed o = Describe(desired, state);
          o.phase = Phase::kDegraded;
          o.retry_after = std::chrono::milliseconds(std::max<int64_t>(Scaled(kStartBrokerMs), 100));
          std::string what =
              b.contains("rollingTo")
                  ? " was rolled to " + b.value("rollingTo", "") + " but is not healthy"
                  : " started but is not healthy";
          o.conditions.push_back({"Healthy", false, "BrokerUnhealthy",
                                  "broker " + std::to_string(id) + what +
                                      "; the roll waits for it (" + RollProgress(o) + ")"});
          return o;
        }
        b["state"] = "ready";
        b.erase("rollingTo");
      }
      int have = static_cast<int>(brokers.size());
      if (have < want) {
        brokers.push_back({{"id", have}, {"version", version}, {"config", config}, {"state", "starting"},
                           {"busyUntil", now + Scaled(kStartBrokerMs)}});
        continue;
      }
      if (have > want) {
        json& last = brokers.back();
        last["state"] = "stopping";
        last["busyUntil"] = now + Scaled(kStopBrokerMs);
        continue;
      }
      bool rolled = false;
      for (json& b : brokers) {
        const bool new_version = b.value("version", "") != version;
        const bool new_config = b.value("config", "") != config;
        if (new_version || new_config) {
          // What the broker rolls to, for the condition that reports the roll.
          std::string to = new_version ? version : "the new config";
          if (new_version && new_config) to += " with the new config";
          b["rollingTo"] = to;
          b["version"] = version;
          b["config"] = config;
          b["state"] = "starting";
          b["busyUntil"] = now + Scaled(kRollBrokerMs);
          rolled = true;
          break;
        }
      }
      if (rolled) continue;
      Observed o = Describe(desired, state);
      o.phase = Phase::kReady;
      return o;
    }
  }

  Observed StepK8s(const SliceResource& desired, json& state, int64_t now) {
    Observed o;
    o.phase = Phase::kProvisioning;
    state.erase("deleting");
    if (!state.contains("pools") || !state["pools"].is_object()) {
      state["pools"] = json::object();
      state["busyUntil"] = now + Scaled(kCreateK8sMs);
    }
    while (true) {
      int64_t busy = IntegerOr(state, "busyUntil", 0);
      if (busy > now) {
        o.retry_after = std::chrono::milliseconds(busy - now);
        return o;
      }
      bool resized = false;
      std::set<std::string> wanted;
      for (const json& pool : desired.spec().value("nodePools", json::array())) {
        std::string name = pool.value("name", "");
        wanted.insert(name);
        int nodes = pool.value("nodes", 0);
        if (IntegerOr(state["pools"], name, -1) != nodes) {
          state["pools"][name] = nodes;
          state["busyUntil"] = now + Scaled(kResizePoolMs);
          resized = true;
          break;
        }
      }
      if (!resized) {
        for (auto it = state["pools"].begin(); it != state["pools"].end(); ++it) {
          if (wanted.count(it.key()) == 0) {
            state["pools"].erase(it.key());
            state["busyUntil"] = now + Scaled(kResizePoolMs);
            resized = true;
            break;
          }
        }
      }
      if (!resized) {
        o.phase = Phase::kReady;
        return o;
      }
    }
  }

  Observed StepOther(const SliceResource& desired, json& state, int64_t now) {
    Observed o;
    o.phase = Phase::kProvisioning;
    state.erase("deleting");
    if (state.value("spec", json()) != desired.spec()) {
      state["spec"] = desired.spec();
      state["busyUntil"] = now + Scaled(kProvisionOtherMs);
    }
    int64_t busy = IntegerOr(state, "busyUntil", 0);
    if (busy > now) {
      o.retry_after = std::chrono::milliseconds(busy - now);
      return o;
    }
    o.phase = Phase::kReady;
    return o;
  }

  SimOptions options_;
  std::string root_;
  std::mt19937_64 random_;
  int64_t api_checked_ms_ = 0;
  double api_throttle_rate_ = 0;
};

}  // namespace

std::unique_ptr<Driver> MakeSimDriver(SimOptions options) {
  return std::make_unique<SimDriver>(std::move(options));
}

}  // namespace strata::agent
