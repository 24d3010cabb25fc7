#include "tests/chaos/fault_injector.h"

#include <httplib.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "core/test_support.h"
#include "reconciler/reconcile/checkpoint.h"
#include "tests/bench/bench_support.h"

namespace strata::chaos {
namespace {

using testing::Sh;

// The value of `--ops-listen` on a process's command line ("" when it has none).
std::string OpsAddress(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--ops-listen") return args[i + 1];
  }
  return "";
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

FaultInjector::FaultInjector(ChaosTarget target, uint64_t seed, std::chrono::milliseconds mean_gap)
    : target_(std::move(target)), random_(seed), mean_gap_(mean_gap) {}

void FaultInjector::Run(Clock::time_point until) {
  std::exponential_distribution<double> gap(1.0 / static_cast<double>(mean_gap_.count()));
  Clock::time_point next = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(gap(random_)));
  Clock::time_point next_scrape = Clock::now();
  while (Clock::now() < until) {
    if (Clock::now() >= next) {
      InjectOne();
      next = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(gap(random_)));
    }
    if (Clock::now() >= next_scrape) {
      ScrapeRaces();
      next_scrape = Clock::now() + std::chrono::seconds(1);
    }
    RunDueHeals(/*all=*/false);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  RunDueHeals(/*all=*/true);
  ScrapeRaces();
}

void FaultInjector::InjectOne() {
  int dice = std::uniform_int_distribution<int>(0, 99)(random_);
  if (dice < 24) KillPart();
  else if (dice < 36) BrokerDown();
  else if (dice < 54) RequestErrors();
  else if (dice < 70) CasRace();
  else if (dice < 81) Throttle();
  else if (dice < 92 || !target_.force_push) CutOff();
  else ForcePushBackAndForth();
}

void FaultInjector::Heal(Clock::time_point at, std::function<void()> heal) {
  heals_.emplace_back(at, std::move(heal));
}

void FaultInjector::RunDueHeals(bool all) {
  for (size_t i = 0; i < heals_.size();) {
    if (all || heals_[i].first <= Clock::now()) {
      heals_[i].second();
      last_healed_ = Clock::now();
      heals_.erase(heals_.begin() + static_cast<long>(i));
    } else {
      ++i;
    }
  }
}

void FaultInjector::KillPart() {
  std::vector<bench::Part> parts;
  for (const bench::Part& part : bench::UpParts(target_.up)) {
    // Only the parts: not a process up has just forked and not yet named by its exec.
    if (part.name.rfind("pid ", 0) != 0) parts.push_back(part);
  }
  if (parts.empty()) return;
  const bench::Part& victim = parts[std::uniform_int_distribution<size_t>(0, parts.size() - 1)(random_)];
  if (::kill(victim.pid, SIGKILL) != 0) return;
  std::string kind = victim.name.substr(0, victim.name.find(' '));
  ++counts_["kill-9 " + kind];
  last_healed_ = Clock::now();  // up's supervisor heals it, 0.5 s later or more (its backoff)
}

void FaultInjector::BrokerDown() {
  if (broker_down_) return;
  int32_t broker = std::uniform_int_distribution<int32_t>(1, target_.brokers)(random_);
  if (!target_.kafka->SetBrokerDown(broker).ok()) return;
  broker_down_ = true;
  ++counts_["broker-down"];
  auto lasting = std::chrono::milliseconds(std::uniform_int_distribution<int>(2000, 6000)(random_));
  Heal(Clock::now() + lasting, [this, broker] {
    (void)target_.kafka->SetBrokerUp(broker);
    broker_down_ = false;
  });
}

void FaultInjector::RequestErrors() {
  struct Api {
    const char* name;
    int16_t key;
    std::vector<rd_kafka_resp_err_t> errors;
  };
  static const std::vector<Api> apis = {
      {"produce", kKafkaApiProduce,
       {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS}},
      {"fetch", kKafkaApiFetch,
       {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT}},
      {"offset-commit", kKafkaApiOffsetCommit,
       {RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT}},
  };
  const Api& api = apis[std::uniform_int_distribution<size_t>(0, apis.size() - 1)(random_)];
  std::vector<rd_kafka_resp_err_t> errors;
  int n = std::uniform_int_distribution<int>(1, 5)(random_);
  for (int i = 0; i < n; ++i) {
    errors.push_back(api.errors[std::uniform_int_distribution<size_t>(0, api.errors.size() - 1)(random_)]);
  }
  target_.kafka->PushRequestErrors(api.key, errors);
  ++counts_[std::string("request-errors ") + api.name];
  last_healed_ = Clock::now();  // answered by the next requests, at once
}

void FaultInjector::CasRace() {
  // Land right behind people's last push, while the controllers work on it.
  std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 600)(random_)));
  const std::string& clone = target_.admin_clone;
  // The generated fleet may have no docs/ yet (a missing directory made every race a no-op).
  std::filesystem::create_directories(clone + "/docs");
  std::ofstream(clone + "/docs/chaos-races.md", std::ios::app) << "race " << ++race_commits_ << "\n";
  auto pushed = Sh("cd " + clone + " && git add -A && git -c user.name='Grace Hopper' "
                   "-c user.email=grace@example.com commit -q -m 'docs: race " +
                   std::to_string(race_commits_) + "' && git pull -q --rebase origin main && "
                   "git push -q origin HEAD:main");
  if (pushed.code == 0) ++counts_["cas-race commit"];
  last_healed_ = Clock::now();
}

void FaultInjector::Throttle() {
  const std::string& satellite =
      target_.satellites[std::uniform_int_distribution<size_t>(0, target_.satellites.size() - 1)(random_)];
  std::string dir = target_.home + "/agents/" + satellite + "/sim";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/api.json") << "{\"throttle_rate\": 0.6}\n";
  ++counts_["throttle-429"];
  auto lasting = std::chrono::milliseconds(std::uniform_int_distribution<int>(3000, 8000)(random_));
  Heal(Clock::now() + lasting, [dir] { std::filesystem::remove(dir + "/api.json"); });
}

pid_t FaultInjector::AgentPid(const std::string& satellite) const {
  for (const bench::Part& part : bench::UpParts(target_.up)) {
    if (part.name == "agent " + satellite) return part.pid;
  }
  return -1;
}

void FaultInjector::CutOff() {
  const std::string& satellite =
      target_.satellites[std::uniform_int_distribution<size_t>(0, target_.satellites.size() - 1)(random_)];
  pid_t pid = AgentPid(satellite);
  if (pid < 0 || ::kill(pid, SIGSTOP) != 0) return;
  ++counts_["cut-off"];
  auto lasting = std::chrono::milliseconds(std::uniform_int_distribution<int>(3000, 8000)(random_));
  Heal(Clock::now() + lasting, [pid] { ::kill(pid, SIGCONT); });
}

void FaultInjector::ForcePushBackAndForth() {
  std::lock_guard lock(*target_.push_mu);
  const std::string& clone = target_.admin_clone;
  if (Sh("git -C " + clone + " fetch -q origin main").code != 0) return;
  std::string head = Trimmed(Sh("git -C " + clone + " rev-parse origin/main").out);
  int back = std::uniform_int_distribution<int>(2, 6)(random_);
  std::string older = Trimmed(Sh("git -C " + clone + " rev-parse origin/main~" + std::to_string(back)).out);
  std::string published;
  if (auto fleet = Repository::Open(Trimmed(Sh("git -C " + clone + " remote get-url origin").out)); fleet.ok()) {
    auto checkpoint = reconcile::ReadCheckpoint(*fleet, "main");
    if (checkpoint.ok() && checkpoint->exists) published = OidToHex(checkpoint->commit);
  }
  if (Sh("git -C " + clone + " push -q -f origin " + older + ":refs/heads/main").code != 0) return;
  force_pushes_.push_back({head, published});
  ++counts_["force-push"];
  std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(2000, 5000)(random_)));
  // A force push still swaps the ref: a controller committing meanwhile makes it fail; again.
  testing::Outcome forward{-1, ""};
  for (int attempt = 0; attempt < 50 && forward.code != 0; ++attempt) {
    forward = Sh("git -C " + clone + " push -q -f origin " + head + ":refs/heads/main");
  }
  if (forward.code != 0) std::fprintf(stderr, "chaos: the forward push failed: %s\n", forward.out.c_str());
  Sh("git -C " + clone + " reset -q --hard " + head);
  last_healed_ = Clock::now();
}

void FaultInjector::ScrapeRaces() {
  static const std::regex line(R"(^strata_controller_races_lost_total(\{[^}]*\})? ([0-9.e+]+))");
  for (const bench::Part& part : bench::UpParts(target_.up)) {
    if (part.name.rfind("controller ", 0) != 0) continue;
    std::string address = OpsAddress(part.pid);
    size_t colon = address.rfind(':');
    if (colon == std::string::npos) continue;
    httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
    client.set_connection_timeout(std::chrono::milliseconds(200));
    client.set_read_timeout(std::chrono::milliseconds(500));
    auto response = client.Get("/metrics");
    if (!response || response->status != 200) continue;
    std::istringstream in(response->body);
    for (std::string text; std::getline(in, text);) {
      std::smatch m;
      if (std::regex_search(text, m, line)) {
        races_by_pid_[part.pid] = static_cast<long>(std::stod(m[2].str()));
      }
    }
  }
}

long FaultInjector::races_lost() const {
  long total = 0;
  for (const auto& [pid, races] : races_by_pid_) total += races;
  return total;
}

}  // namespace strata::chaos
