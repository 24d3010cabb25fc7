// `strata up` in one process, as the README's first command runs it: the example fleet made in a
// fresh home, every part running, the operator's endpoint answering, JSON logs with their fields,
// a second `strata up` on the same home refused, a satellite added by a push getting its agent,
// Ctrl-C stopping cleanly, and the same command resuming without redoing anything.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/fleet_repo.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::testing::Eventually;
using ::strata::testing::FreshTestDir;
using ::strata::testing::Sh;
using ::testing::HasSubstr;

const std::string kStrata = STRATA_BINARY;
constexpr auto kConverge = std::chrono::seconds(120);

class UpCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("up-cli");
    home_ = dir_ + "/home";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<ChildProcess> Up(const std::string& log) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{kStrata, "--log-level", "info", "--log-format", "json", "up", "--home",
                                 home_, "--port", "0", "--sim-time-scale", "0",
                                 "--agent-poll-ms", "300"},
        dir_ + "/" + log + ".log");
  }
  // Waits for the guide and reads the operator's port from it (up binds a free one: --port 0).
  bool Started(const ChildProcess& up) {
    if (!up.WaitForLog("the control plane is running", std::chrono::seconds(30))) return false;
    std::smatch m;
    std::string log = up.Log();
    if (!std::regex_search(log, m, std::regex(R"(operator +http://127\.0\.0\.1:(\d+)/metrics)"))) return false;
    port_ = std::stoi(m[1]);
    return true;
  }
  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(std::chrono::seconds(2));
    client.set_read_timeout(std::chrono::seconds(5));
    return client.Get(path);
  }
  bool Ready() {
    auto r = Get("/readyz");
    return r && r->status == 200;
  }
  // The value of one sample in /metrics; -1 when absent.
  double Metric(const std::string& series) {
    auto r = Get("/metrics");
    if (!r) return -1;
    std::smatch m;
    std::string pattern = std::regex_replace(series, std::regex(R"([{}\[\]\\.+*?()|^$])"), R"(\$&)");
    if (!std::regex_search(r->body, m, std::regex("\n" + pattern + " ([0-9.e+-]+)\n"))) return -1;
    return std::stod(m[1]);
  }
  // The clone strata up made, where a person edits, commits and pushes (see fleet_repo.h).
  testing::FleetRepo People() const {
    return testing::FleetRepo::Attach(home_ + "/fleet.git", home_ + "/fleet");
  }
  std::string Rev(const std::string& rev) {
    return Sh("git -C " + home_ + "/fleet.git rev-parse -q --verify " + rev).out;
  }
  // The head of main once the reconciler has published it and nothing has moved it for 2 s.
  std::string QuietHead() {
    std::string head;
    EXPECT_TRUE(Eventually([&] {
      std::string now = Rev("main");
      if (now != Rev("refs/strata/reconciled/main^")) return false;
      std::this_thread::sleep_for(std::chrono::seconds(2));
      if (Rev("main") != now) return false;
      head = now.substr(0, 40);
      return true;
    }, kConverge));
    return head;
  }

  std::string dir_, home_;
  int port_ = 0;
};

TEST_F(UpCliTest, RunsTheExampleFleetServesTheOperatorsViewAndResumesAfterCtrlC) {
  auto up = Up("up-1");
  ASSERT_TRUE(Started(*up)) << up->Log();
  EXPECT_THAT(up->Log(), HasSubstr("cd " + home_ + "/fleet"));

  // Every part ready, every satellite's slice applied.
  ASSERT_TRUE(Eventually([&] { return Ready(); }, kConverge)) << Get("/readyz")->body;
  auto healthz = Get("/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);
  EXPECT_EQ(healthz->body, "ok\n");
  ASSERT_TRUE(Eventually([&] {
    return Metric(R"(strata_agent_pending{satellite="aws-us-west-2-1"})") == 0 &&
           Metric(R"(strata_agent_slices_taken_total{satellite="aws-us-west-2-1"})") >= 1;
  }, kConverge)) << Get("/metrics")->body;
  EXPECT_GT(Metric(R"(strata_events_published_total{branch="main"})"), 30);
  EXPECT_GE(Metric(R"(strata_controller_commits_total{controller="pkc"})"), 1);
  EXPECT_GE(Metric(R"(strata_controller_batch_seconds_count{controller="pkc"})"), 1);
  EXPECT_GE(Metric(R"(strata_agent_apply_results_total{result="done",satellite="aws-us-west-2-1"})"), 1);

  // A person's push through the clone strata up made; the cluster ends Ready at 12 brokers.
  testing::FleetRepo people = People();
  people.Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  people.Push("acme/orders: 4 CKU");
  std::string status = kStrata + " status --up " + home_;
  ASSERT_TRUE(Eventually([&] {
    return Sh(status + " KafkaCluster/acme/orders").out.find("Ready 12/12 brokers") != std::string::npos;
  }, kConverge)) << Sh(status + " KafkaCluster/acme/orders").out;

  // A broken file is rejected with its file, line and field, the cluster keeps running, and the
  // rejection goes once the file is fixed.
  people.Edit("tenants/acme/kafka/orders.yaml", "cku: 4", "cku: lots");
  people.Push("acme/orders: a typo");
  ASSERT_TRUE(Eventually([&] {
    return Sh(status + " KafkaCluster/acme/orders").out.find(
               "rejected: tenants/acme/kafka/orders.yaml:15:3: spec.cku: ") != std::string::npos;
  }, kConverge)) << Sh(status + " KafkaCluster/acme/orders").out;
  EXPECT_THAT(Sh(status + " KafkaCluster/acme/orders").out, HasSubstr("Ready 12/12 brokers"));
  people.Edit("tenants/acme/kafka/orders.yaml", "cku: lots", "cku: 4");
  people.Push("acme/orders: the typo fixed");
  EXPECT_TRUE(Eventually([&] {
    std::string out = Sh(status + " KafkaCluster/acme/orders").out;
    return out.find("rejected") == std::string::npos && out.find("Ready 12/12 brokers") != std::string::npos;
  }, kConverge)) << Sh(status + " KafkaCluster/acme/orders").out;
  EXPECT_EQ(Sh(status).out.find("rejected"), std::string::npos) << Sh(status).out;

  // JSON logs, one object per line, with the fields of what a line concerns.
  std::string log = up->Log();
  EXPECT_THAT(log, HasSubstr(R"("controller":"pkc",)"));
  EXPECT_THAT(log, ::testing::ContainsRegex(R"("satellite":"aws-us-west-2-1",)"));
  EXPECT_THAT(log, ::testing::ContainsRegex(R"("commit":"[0-9a-f]{40}",)"));
  for (std::istringstream lines(log); !lines.eof();) {
    std::string line;
    std::getline(lines, line);
    if (line.empty() || line[0] != '{') continue;  // the guide on standard output
    EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded()) << line;
  }

  // One strata up per home.
  auto second = Sh(kStrata + " up --home " + home_ + " --port 0");
  EXPECT_EQ(second.code, 2);
  EXPECT_THAT(second.out, HasSubstr("another strata up runs on " + home_ + " (pid " +
                                    std::to_string(up->pid()) + ")"));

  // A satellite added by a push gets its agent.
  people.Write("policy/satellites/aws-us-west-2-2.yaml",
               "apiVersion: strata.dev/v1alpha1\nkind: Satellite\nmetadata:\n  name: aws-us-west-2-2\n"
               "spec:\n  cloud: aws\n  region: us-west-2\n  zones:\n    - us-west-2a\n    - us-west-2b\n"
               "    - us-west-2c\n  capacity:\n    maxK8sClusters: 20\n    maxNodes: 600\n");
  people.Push("a second us-west-2 satellite");
  EXPECT_TRUE(up->WaitForLog("a new satellite: agent aws-us-west-2-2 started", std::chrono::seconds(30)))
      << up->Log();

  // Ctrl-C: every part stops, exit 0.
  std::string head = QuietHead();
  up->Signal(SIGINT);
  EXPECT_EQ(up->Wait(), 0) << up->Log();
  EXPECT_THAT(up->Log(), HasSubstr("strata up: stopped\n"));
  EXPECT_FALSE(std::filesystem::exists(home_ + "/up.json")) << "it names a Kafka that is gone";

  // The same command resumes: Kafka is rebuilt from git, nothing is derived again.
  auto again = Up("up-2");
  ASSERT_TRUE(Started(*again)) << again->Log();
  EXPECT_THAT(again->Log(), HasSubstr("the embedded Kafka is new: the fleet is published again from git"));
  ASSERT_TRUE(Eventually([&] { return Ready(); }, kConverge)) << Get("/readyz")->body;
  EXPECT_TRUE(Eventually([&] {
    return Sh(status + " KafkaCluster/acme/orders").out.find("Ready 12/12 brokers") != std::string::npos;
  }, kConverge)) << Sh(status + " KafkaCluster/acme/orders").out;
  EXPECT_EQ(Sh("git -C " + home_ + "/fleet.git log --format=%an " + head + "..main").out, "")
      << "commits after the restart: the controllers derived something again";
  again->Signal(SIGINT);
  EXPECT_EQ(again->Wait(), 0) << again->Log();
}

TEST_F(UpCliTest, ARepositoryThatIsNotAFleetIsRefusedBeforeAnythingStarts) {
  std::filesystem::create_directories(dir_ + "/empty");
  auto up = Sh(kStrata + " up --home " + home_ + " --fleet " + dir_ + "/empty --port 0");
  EXPECT_EQ(up.code, 2);
  EXPECT_THAT(up.out, HasSubstr("no fleet repository at " + dir_ + "/empty"));
}

}  // namespace
}  // namespace strata
