// End to end: `strata up --separate-processes` on a generated fleet of 1,000 clusters over three
// clouds, driven the way people drive it — commits pushed from a clone with git — through a
// script of pull-request-like changes: add a cluster, scale one up and down quickly, move one to a
// new network, delete one, push an invalid file and a data-residency violation.
//
// Then: every resource the satellites run is Ready at its desired size (the scripted clusters at
// the size the script left them), both rejections are reported with file, line and field while the
// broken cluster keeps running at its last good state, `git fsck` is clean, and every controller
// commit carries its Strata-Controller and Strata-Cause trailers.
//
// The same script is run a second time on a fresh copy, with a kill -9 of every strata process in
// the middle — of strata up, whose parts (the reconciler, each controller, each agent) get SIGKILL
// as their parent dies — then `strata up` again on the same home: it converges to the same final
// state as the run that was never interrupted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/resource_status.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/controller_lag.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/topic_reader.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::testing::Eventually;
using ::strata::testing::FreshTestDir;
using ::strata::testing::Sh;
using ::testing::HasSubstr;
using nlohmann::json;

const std::string kStrata = STRATA_BINARY;
// Generous: CI runs this under AddressSanitizer next to another test.
constexpr auto kConverge = std::chrono::seconds(420);
const std::vector<std::string> kSatellites = {
    "aws-eu-central-1-1", "aws-us-east-1-1",    "aws-us-west-2-1",  "azure-eastus-1",
    "azure-westeurope-1", "gcp-europe-west1-1", "gcp-us-central1-1"};

std::string KafkaClusterFile(const std::string& org, const std::string& name, const std::string& cloud,
                             const std::string& region, int cku) {
  return "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: " + name +
         "\n  org: " + org + "\nspec:\n  sku: dedicated\n  cloud: " + cloud + "\n  region: " + region +
         "\n  availability: multi-zone\n  cku: " + std::to_string(cku) + "\n";
}

// What the satellites run at the end, as status reports it: key → "phase ready/desired version".
using FinalState = std::map<std::string, std::string>;

class UpEndToEnd {
 public:
  explicit UpEndToEnd(std::string dir) : dir_(std::move(dir)) {}
  ~UpEndToEnd() { Kill(); }

  const std::string& kafka() const { return kafka_; }
  std::string fleet() const { return dir_ + "/fleet.git"; }
  std::string work() const { return dir_ + "/work"; }

  void Generate() {
    auto gen = Sh(kStrata + " gen fleet --repo " + fleet() +
                  " --clusters 1000 --orgs 50 --seed 7 --bare");
    ASSERT_EQ(gen.code, 0) << gen.out;
    auto clone = Sh("git clone -q " + fleet() + " " + work());
    ASSERT_EQ(clone.code, 0) << clone.out;
  }

  void Up() {
    up_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kStrata, "--log-level", "info", "up", "--home", dir_ + "/home",
                                 "--fleet", fleet(), "--separate-processes", "--port", "0",
                                 "--sim-time-scale", "0", "--agent-poll-ms", "500"},
        dir_ + "/up-" + std::to_string(++starts_) + ".log");
    ASSERT_TRUE(up_->WaitForLog("the control plane is running", std::chrono::seconds(60)))
        << up_->Log();
    std::ifstream in(dir_ + "/home/kafka");
    std::getline(in, kafka_);
    kafka_ = kafka_.substr(0, kafka_.find(','));
    ASSERT_FALSE(kafka_.empty());
    lag_.reset();  // a new Kafka
  }

  // A pattern for pkill and pgrep matching every process of this run by the paths on its command
  // line, but not the shell that runs pkill ("[/]tmp/…" does not match itself).
  std::string Processes() const { return "'[" + dir_.substr(0, 1) + "]" + dir_.substr(1) + "/'"; }

  // kill -9 of strata up: every part it started dies with it (each gets SIGKILL when its parent
  // goes), leaving nothing that holds a port or the state. Then a check that none is left.
  void Kill() {
    if (up_ == nullptr) return;
    lag_.reset();
    up_->Signal(SIGKILL);
    up_->Wait();
    up_.reset();
    EXPECT_TRUE(Eventually([&] { return Sh("pgrep -f -- " + Processes()).code != 0; },
                           std::chrono::seconds(10)))
        << "parts outlived a kill -9 of strata up: " << Sh("pgrep -af -- " + Processes()).out;
    Sh("pkill -9 -f -- " + Processes());
    EXPECT_TRUE(Eventually([&] { return Sh("pgrep -f -- " + Processes()).code != 0; },
                           std::chrono::seconds(10)))
        << Sh("pgrep -af -- " + Processes()).out;
  }

  void Stop() {
    lag_.reset();
    up_->Signal(SIGINT);
    EXPECT_EQ(up_->Wait(), 0) << up_->Log();
    up_.reset();
  }

  // The people's side: the clone they edit, commit in and push from (see fleet_repo.h).
  testing::FleetRepo People() const { return testing::FleetRepo::Attach(fleet(), work()); }

  // The script, in two halves so that a run can be killed between them.
  void FirstHalf() {
    testing::FleetRepo people = People();
    // Add a cluster (checked the way a pull request is, before it is pushed).
    people.Write("tenants/org-00004/kafka/e2e-added.yaml",
                 KafkaClusterFile("org-00004", "e2e-added", "aws", "us-east-1", 2));
    auto check = Sh("cd " + work() + " && " + kStrata + " validate tenants/org-00004/kafka/e2e-added.yaml");
    ASSERT_EQ(check.code, 0) << check.out;
    people.Push("org-00004: add e2e-added");
    // Scale up, then down again before the first has gone far.
    people.Edit("tenants/org-00004/kafka/c-0341.yaml", "cku: 7", "cku: 8");
    people.Push("org-00004/c-0341: 8 CKU");
    people.Edit("tenants/org-00004/kafka/c-0341.yaml", "cku: 8", "cku: 5");
    people.Push("org-00004/c-0341: 5 CKU after all");
    // Move a cluster to a new network.
    people.Write("tenants/org-00000/networks/e2e-peering.yaml",
                 "apiVersion: strata.dev/v1alpha1\nkind: Network\nmetadata:\n  name: e2e-peering\n"
                 "  org: org-00000\nspec:\n  type: vpc-peering\n  cloud: aws\n  region: eu-central-1\n"
                 "  cidr: 10.30.0.0/16\n  peer:\n    account: \"123456789012\"\n"
                 "    vpc: vpc-0123456789abcdef0\n");
    people.Edit("tenants/org-00000/kafka/c-0229.yaml", "network: c-0229-pl", "network: e2e-peering");
    people.Push("org-00000/c-0229: onto e2e-peering");
  }

  void SecondHalf() {
    testing::FleetRepo people = People();
    people.Remove("tenants/org-00001/kafka/c-0096.yaml");
    people.Push("org-00001: delete c-0096");
    people.Edit("tenants/org-00002/kafka/c-0136.yaml", "cku: ", "cku: lots # was ");
    people.Push("org-00002/c-0136: a typo");
    people.Write("tenants/org-00003/kafka/e2e-us.yaml",
                 KafkaClusterFile("org-00003", "e2e-us", "aws", "us-east-1", 1));
    people.Push("org-00003: a cluster in the US");
  }

  json StatusJson(const std::string& args) {
    auto out = Sh("{ " + kStrata + " status --kafka " + kafka_ + " --repo " + fleet() + " " + args +
                  " -o json 2>/dev/null; }");
    if (out.code != 0) return json();
    return json::parse(out.out, nullptr, false);
  }

  std::string Rev(const std::string& rev) {
    auto out = Sh("git -C " + fleet() + " rev-parse -q --verify '" + rev + "'");
    return out.code == 0 ? out.out.substr(0, 40) : "";
  }

  // The newest report of every key on strata.status.
  std::map<std::string, ResourceStatus> Statuses() {
    std::map<std::string, ResourceStatus> newest;
    auto records = testing::ReadAllRecords(kafka_, "strata.status");
    if (!records.ok()) return newest;
    for (const auto& r : *records) {
      auto s = DecodeResourceStatus(r.value);
      if (s.ok()) newest[s->key] = *s;
    }
    return newest;
  }

  // Everything published and reconciled by every controller, every satellite's applied slice at
  // its ref's tip, every resource Ready (or Deleted) — and still so a second later, same heads.
  bool Converged() {
    auto once = [&]() -> std::string {
      std::string head = Rev("refs/heads/main");
      if (head.empty() || Rev("refs/strata/reconciled/main^") != head) return "";
      if (lag_ == nullptr) lag_ = std::make_unique<testing::ControllerLag>(kafka_);
      if (!lag_->CaughtUp()) return "";
      auto statuses = Statuses();
      std::string heads = head;
      for (const std::string& satellite : kSatellites) {
        std::string tip = Rev("refs/heads/satellites/" + satellite);
        auto it = statuses.find("Satellite/" + satellite);
        if (tip.empty() || it == statuses.end() || it->second.phase != "Ready" ||
            it->second.slice_commit != tip) {
          return "";
        }
        heads += tip;
      }
      for (const auto& [key, s] : statuses) {
        if (s.phase != "Ready" && s.phase != "Deleted") return "";
      }
      return heads;
    };
    std::string first = once();
    if (first.empty()) return false;
    std::this_thread::sleep_for(std::chrono::seconds(1));
    return once() == first;
  }

  FinalState Final() {
    FinalState state;
    for (const auto& [key, s] : Statuses()) {
      if (key.rfind("Satellite/", 0) == 0 || s.phase == "Deleted") continue;
      state[key] = s.phase + " " + std::to_string(s.brokers_ready) + "/" +
                   std::to_string(s.brokers_desired) + " " + s.version;
    }
    return state;
  }

  // The physical cluster of a logical one, as `strata status KEY` shows it.
  json Physical(const std::string& key) {
    json out = StatusJson(key);
    if (!out.is_object() || !out.contains("physical") || out["physical"].empty()) return json();
    return out["physical"][0];
  }

  std::string dir_;

 private:
  std::string kafka_;
  std::unique_ptr<testing::ControllerLag> lag_;
  std::unique_ptr<ChildProcess> up_;
  int starts_ = 0;
};

// The checks on a converged run; `*state` is its final state.
void CheckConverged(UpEndToEnd& run, FinalState* state) {
  EXPECT_TRUE(Eventually([&] { return run.Converged(); }, kConverge))
      << run.StatusJson("").dump(2).substr(0, 4000);

  // The scripted clusters, at the size the script left them (3 brokers per CKU).
  json added = run.Physical("KafkaCluster/org-00004/e2e-added");
  EXPECT_EQ(added["status"]["phase"], "Ready") << added.dump(2);
  EXPECT_EQ(added["status"]["brokersReady"], 6) << added.dump(2);
  json scaled = run.Physical("KafkaCluster/org-00004/c-0341");
  EXPECT_EQ(scaled["status"]["phase"], "Ready") << scaled.dump(2);
  EXPECT_EQ(scaled["status"]["brokersReady"], 15) << scaled.dump(2);
  EXPECT_EQ(scaled["status"]["brokersDesired"], 15) << scaled.dump(2);
  json moved = run.Physical("KafkaCluster/org-00000/c-0229");
  EXPECT_EQ(moved["status"]["phase"], "Ready") << moved.dump(2);
  EXPECT_THAT(moved["k8sCluster"]["key"].get<std::string>(), HasSubstr("e2e-peering")) << moved.dump(2);
  EXPECT_TRUE(run.Physical("KafkaCluster/org-00001/c-0096").is_null())
      << "the deleted cluster still has a physical cluster";
  EXPECT_EQ(Sh("git -C " + run.fleet() + " grep -q c-0096 refs/heads/satellites/aws-eu-central-1-1 "
               "refs/heads/satellites/gcp-europe-west1-1 -- .").code,
            1)
      << "the deleted cluster is still in a slice";
  // The broken file: rejected with file, line and field; its cluster runs at its last good size.
  json broken = run.Physical("KafkaCluster/org-00002/c-0136");
  EXPECT_EQ(broken["status"]["phase"], "Ready") << broken.dump(2);
  json fleet = run.StatusJson("");
  std::map<std::string, json> rejected;
  for (const auto& r : fleet["rejected"]) rejected[r["key"]] = r;
  ASSERT_TRUE(rejected.count("KafkaCluster/org-00002/c-0136")) << fleet["rejected"].dump(2);
  json typo = rejected["KafkaCluster/org-00002/c-0136"]["errors"][0];
  EXPECT_EQ(typo["file"], "tenants/org-00002/kafka/c-0136.yaml") << typo.dump();
  EXPECT_EQ(typo["field"], "spec.cku") << typo.dump();
  EXPECT_GT(typo["line"].get<int>(), 0) << typo.dump();
  ASSERT_TRUE(rejected.count("KafkaCluster/org-00003/e2e-us")) << fleet["rejected"].dump(2);
  json residency = rejected["KafkaCluster/org-00003/e2e-us"]["errors"][0];
  EXPECT_EQ(residency["file"], "tenants/org-00003/kafka/e2e-us.yaml") << residency.dump();
  EXPECT_THAT(residency["message"].get<std::string>(), HasSubstr("residency")) << residency.dump();
  EXPECT_TRUE(run.Physical("KafkaCluster/org-00003/e2e-us").is_null());
  // Everything the satellites run is Ready at its desired size.
  EXPECT_TRUE(fleet["notReady"].empty()) << fleet["notReady"].dump(2).substr(0, 4000);
  *state = run.Final();
  size_t kafka_clusters = 0;
  for (const auto& [key, value] : *state) {
    if (key.rfind("PhysicalKafkaCluster/", 0) != 0) continue;
    ++kafka_clusters;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(value, m, std::regex(R"(Ready (\d+)/(\d+) .*)"))) << key << ": " << value;
    EXPECT_EQ(m[1], m[2]) << key << ": " << value;
  }
  EXPECT_GT(kafka_clusters, 100u);

  // git agrees, and every controller commit says who made it and why.
  auto fsck = Sh("git -C " + run.fleet() + " fsck --no-progress");
  EXPECT_EQ(fsck.code, 0) << fsck.out;
  EXPECT_THAT(fsck.out, ::testing::Not(HasSubstr("error"))) << fsck.out;
  auto log = Sh("git -C " + run.fleet() +
                " log --branches --format='%H %ae|%(trailers:key=Strata-Controller,valueonly,separator=%x2C)"
                "|%(trailers:key=Strata-Cause,valueonly,separator=%x2C)'");
  ASSERT_EQ(log.code, 0) << log.out;
  std::istringstream lines(log.out);
  int controller_commits = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("@controllers.strata.local|") == std::string::npos) continue;
    ++controller_commits;
    std::vector<std::string> parts;
    std::stringstream fields(line);
    for (std::string f; std::getline(fields, f, '|');) parts.push_back(f);
    ASSERT_EQ(parts.size(), 3u) << line;
    EXPECT_FALSE(parts[1].empty()) << "no Strata-Controller trailer: " << line;
    EXPECT_FALSE(parts[2].empty()) << "no Strata-Cause trailer: " << line;
  }
  EXPECT_GT(controller_commits, 10);
}

TEST(UpEndToEndTest, AThousandClustersConvergeThroughTheScriptAndAgainAfterKillNineOfEveryProcess) {
  std::string dir = FreshTestDir("up-e2e");
  FinalState uninterrupted;
  {
    UpEndToEnd run(dir + "/a");
    ASSERT_NO_FATAL_FAILURE(run.Generate());
    ASSERT_NO_FATAL_FAILURE(run.Up());
    ASSERT_TRUE(Eventually([&] { return run.Converged(); }, kConverge)) << "the first start";
    ASSERT_NO_FATAL_FAILURE(run.FirstHalf());
    ASSERT_NO_FATAL_FAILURE(run.SecondHalf());
    ASSERT_NO_FATAL_FAILURE(CheckConverged(run, &uninterrupted));
    run.Stop();  // Ctrl-C stops everything cleanly (exit 0)
    EXPECT_EQ(Sh("pgrep -f -- " + run.Processes()).code, 1) << "a process outlived strata up";
  }
  {
    UpEndToEnd run(dir + "/b");
    ASSERT_NO_FATAL_FAILURE(run.Generate());
    ASSERT_NO_FATAL_FAILURE(run.Up());
    ASSERT_TRUE(Eventually([&] { return run.Converged(); }, kConverge)) << "the first start";
    ASSERT_NO_FATAL_FAILURE(run.FirstHalf());
    // Midway: the changes are pushed and nowhere near applied. Every process dies at once.
    run.Kill();
    ASSERT_NO_FATAL_FAILURE(run.Up());
    ASSERT_NO_FATAL_FAILURE(run.SecondHalf());
    FinalState recovered;
    ASSERT_NO_FATAL_FAILURE(CheckConverged(run, &recovered));
    EXPECT_EQ(recovered, uninterrupted);
  }
  // A failed run keeps its homes (logs, fleet repo, agents' state) for a post-mortem.
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata
