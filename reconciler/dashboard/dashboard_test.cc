// The dashboard's data and endpoint, over a real fleet repository that the real controllers have
// derived (InProcessCake), with status records as agents and controllers put them on
// strata.status, and real HTTP requests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "core/change_event.h"
#include "core/resource_status.h"
#include "core/status_matchers.h"
#include "reconciler/controllers/in_process_cake.h"
#include "core/kafka.h"
#include "core/mock_kafka.h"
#include "reconciler/dashboard/dashboard.h"
#include "reconciler/dashboard/dashboard_api.h"
#include "reconciler/dashboard/dashboard_server.h"
#include "reconciler/dashboard/dashboard_state.h"
#include "reconciler/dashboard/fleet_index.h"
#include "tests/support/fleet_repo.h"

namespace strata::dashboard {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kOrders[] = "KafkaCluster/acme/orders";
constexpr int64_t kNow = 1'800'000'000'000;  // 2027-01-15

constexpr char kNewDedicated[] = R"(apiVersion: strata.dev/v1alpha1
kind: KafkaCluster
metadata:
  name: dash-new
  org: acme
spec:
  sku: dedicated
  cloud: aws
  region: us-east-1
  availability: single-zone
  cku: 1
)";

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("dashboard");
    fleet_ = std::make_unique<testing::FleetRepo>(dir_);
    people_commit_ = fleet_->Git("rev-parse main");
    Settle();
    ASSERT_THAT(Advance(), IsOk());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Settle() {
    auto cake = controllers::InProcessCake::Create(fleet_->bare());
    ASSERT_THAT(cake.status(), IsOk());
    ASSERT_THAT((*cake)->Settle().status(), IsOk());
  }
  // `seen_at`: when the index says it saw the branch head.
  Status Advance(int64_t seen_at = kNow) {
    ASSIGN_OR_RETURN(Repository repo, Repository::Open(fleet_->bare()));
    ASSIGN_OR_RETURN(git_oid head, repo.ResolveCommit("refs/heads/main"));
    return state_.AdvanceTo(repo, head, seen_at);
  }
  json Get(const std::string& path, const ApiParams& params = {}, int expect = 200) {
    DashboardApi api(fleet_->bare(), "main", state_, [] { return kNow; });
    ApiResponse answer = api.Handle(path, params);
    EXPECT_EQ(answer.status, expect) << path << ": " << answer.body;
    return json::parse(answer.body);
  }
  // The physical key and computed-at the branch holds for a logical cluster.
  std::pair<std::string, std::string> PhysicalOf(const std::string& key) {
    std::pair<std::string, std::string> out;
    state_.ReadIndex([&](const FleetIndex* index) {
      out.first = index->PhysicalOf(key);
      if (const FleetIndex::Physical* p = index->FindPhysical(out.first)) out.second = p->computed_at;
    });
    return out;
  }
  void Report(const std::string& key, const std::string& phase, const std::string& computed_at,
              const std::string& observed_at = "2027-01-15T08:00:00.000Z") {
    ResourceStatus s;
    s.key = key;
    s.satellite = "aws-us-west-2-1";
    s.phase = phase;
    s.computed_at = computed_at;
    s.observed_at = observed_at;
    s.reporter = "agent/aws-us-west-2-1";
    state_.ApplyStatus(EncodeResourceStatus(s));
  }
  json Row(const std::string& key) {
    json page = Get("/api/clusters", {{"q", key}});
    for (const json& item : page["items"]) {
      if (item["key"] == key) return item;
    }
    ADD_FAILURE() << key << " is not listed";
    return json::object();
  }

  std::string dir_;
  std::unique_ptr<testing::FleetRepo> fleet_;
  std::string people_commit_;
  DashboardState state_;
};

TEST_F(DashboardTest, AdvancingAlongTheBranchGivesWhatABuildFromScratchGives) {
  fleet_->Write("tenants/acme/kafka/dash-new.yaml", kNewDedicated);
  fleet_->Remove("tenants/globex/kafka/events.yaml");    // a tenant of a shared cluster
  fleet_->Remove("tenants/globex/kafka/ledger.yaml");    // a dedicated one: its physical goes too
  fleet_->Edit("tenants/acme/kafka/sandbox.yaml", "region: us-central1", "region: europe-west1");
  fleet_->Edit("tenants/initech/kafka/staging.yaml", "spec:", "spec: [");  // no longer YAML
  fleet_->Push("a new cluster, two gone, one moved, one broken");
  Settle();
  ASSERT_THAT(Advance(), IsOk());

  auto repo = Repository::Open(fleet_->bare());
  ASSERT_THAT(repo.status(), IsOk());
  auto head = repo->ResolveCommit("refs/heads/main");
  ASSERT_THAT(head.status(), IsOk());
  auto fresh = FleetIndex::Build(*repo, *head, kNow);
  ASSERT_THAT(fresh.status(), IsOk());
  state_.ReadIndex([&](const FleetIndex* advanced) {
    ASSERT_NE(advanced, nullptr);
    EXPECT_TRUE(git_oid_equal(&advanced->commit(), &*head));
    ASSERT_EQ(advanced->clusters().size(), fresh->clusters().size());
    for (const auto& [key, cluster] : fresh->clusters()) {
      auto it = advanced->clusters().find(key);
      ASSERT_NE(it, advanced->clusters().end()) << key;
      EXPECT_EQ(it->second.region, cluster.region) << key;
      EXPECT_EQ(it->second.sku, cluster.sku) << key;
      EXPECT_EQ(advanced->PhysicalOf(key), fresh->PhysicalOf(key)) << key;
      const FleetIndex::Physical* a = advanced->FindPhysical(advanced->PhysicalOf(key));
      const FleetIndex::Physical* f = fresh->FindPhysical(fresh->PhysicalOf(key));
      ASSERT_EQ(a == nullptr, f == nullptr) << key;
      if (a == nullptr) continue;
      EXPECT_EQ(a->computed_at, f->computed_at) << key;
      EXPECT_EQ(a->shared, f->shared) << key;
      EXPECT_EQ(a->cloud, f->cloud) << key;
      EXPECT_EQ(a->tenants, f->tenants) << key;
    }
    EXPECT_EQ(advanced->clusters().count("KafkaCluster/globex/events"), 0u);
    EXPECT_EQ(advanced->FindPhysical("PhysicalKafkaCluster/pkc-globex-ledger"), nullptr);
    EXPECT_EQ(advanced->clusters().at("KafkaCluster/initech/staging").sku, "");
    EXPECT_EQ(advanced->clusters().at("KafkaCluster/acme/sandbox").region, "europe-west1");
    EXPECT_EQ(advanced->PhysicalOf("KafkaCluster/acme/dash-new"), "PhysicalKafkaCluster/pkc-acme-dash-new");
  });
}

TEST_F(DashboardTest, AClusterIsPendingUntilReportedThenAsReportedAndApplyingWhileAChangeIsOnItsWay) {
  EXPECT_EQ(Row(kOrders)["phase"], "Pending");
  EXPECT_THAT(Row(kOrders)["reason"].get<std::string>(), HasSubstr("no agent has reported"));
  auto [physical, computed_at] = PhysicalOf(kOrders);
  ASSERT_FALSE(physical.empty());
  ASSERT_EQ(computed_at.size(), 40u);

  Report(physical, "Ready", computed_at);
  json row = Row(kOrders);
  EXPECT_EQ(row["phase"], "Ready");
  EXPECT_EQ(row["physical"], physical);
  EXPECT_EQ(row["satellite"], "aws-us-west-2-1");

  // The agent still runs an older computation of the physical cluster than the branch holds.
  Report(physical, "Ready", std::string(40, 'a'), "2027-01-14T08:00:00.000Z");
  EXPECT_EQ(Row(kOrders)["phase"], "Applying");
  EXPECT_FALSE(Row(kOrders)["stuck"].get<bool>()) << "the branch got it just now, whatever the report's age";

  Report(physical, "Degraded", computed_at);
  json fleet = Get("/api/fleet");
  EXPECT_EQ(fleet["phases"]["Degraded"], 1);
  EXPECT_EQ(fleet["problemsTotal"], 1);
  EXPECT_EQ(fleet["problems"][0]["key"], kOrders);
}

TEST_F(DashboardTest, ARejectedClusterSaysWhereItsFileIsWrongAndANotReadyOneLongUnchangedIsStuck) {
  ChangeEvent rejection;
  rejection.type = ChangeType::kRejected;
  rejection.key = kOrders;
  rejection.kind = "KafkaCluster";
  rejection.path = "tenants/acme/kafka/orders.yaml";
  rejection.controller = "pkc";
  rejection.commit = people_commit_;
  rejection.errors = {{"tenants/acme/kafka/orders.yaml", 15, 8, "spec.cku", "must be at most 24"}};
  state_.ApplyStatus(EncodeCloudEvent(rejection));
  json row = Row(kOrders);
  EXPECT_EQ(row["phase"], "Rejected");
  EXPECT_EQ(row["reason"], "rejected by pkc: tenants/acme/kafka/orders.yaml:15:8: spec.cku: must be at most 24");

  auto [physical, computed_at] = PhysicalOf("KafkaCluster/acme/payments");
  Report(physical, "Provisioning", computed_at, "2027-01-15T07:00:00.000Z");  // an hour before kNow
  json payments = Row("KafkaCluster/acme/payments");
  EXPECT_TRUE(payments["stuck"].get<bool>());
  EXPECT_EQ(payments["reason"], "no change reported since 2027-01-15T07:00:00.000Z");
  json fleet = Get("/api/fleet");
  EXPECT_EQ(fleet["problemsTotal"], 1) << "the rejection is listed apart, not as a problem too";
  EXPECT_EQ(fleet["problems"][0]["key"], "KafkaCluster/acme/payments");
  EXPECT_EQ(fleet["rejected"][0]["errors"][0]["field"], "spec.cku");
}

TEST_F(DashboardTest, PendingOrApplyingIsStuckOnceTheBranchHasWaitedTenMinutesForTheAgent) {
  DashboardState an_hour_ago;
  auto repo = Repository::Open(fleet_->bare());
  ASSERT_THAT(repo.status(), IsOk());
  auto head = repo->ResolveCommit("refs/heads/main");
  ASSERT_THAT(head.status(), IsOk());
  ASSERT_THAT(an_hour_ago.AdvanceTo(*repo, *head, kNow - 3'600'000), IsOk());
  DashboardApi api(fleet_->bare(), "main", an_hour_ago, [] { return kNow; });
  auto row = [&](const std::string& key) {
    json page = json::parse(api.Handle("/api/clusters", {{"q", key}}).body);
    return page["items"][0];
  };
  EXPECT_TRUE(row(kOrders)["stuck"].get<bool>());
  EXPECT_EQ(row(kOrders)["reason"], "no agent has reported " + PhysicalOf(kOrders).first + " yet (60 min)");

  ResourceStatus old;
  old.key = PhysicalOf(kOrders).first;
  old.phase = "Ready";
  old.computed_at = std::string(40, 'a');
  old.observed_at = "2027-01-15T07:59:00.000Z";  // a minute before kNow
  an_hour_ago.ApplyStatus(EncodeResourceStatus(old));
  EXPECT_EQ(row(kOrders)["phase"], "Applying");
  EXPECT_TRUE(row(kOrders)["stuck"].get<bool>()) << "a fresh report of the old computation is no progress";
  EXPECT_THAT(row(kOrders)["reason"].get<std::string>(), HasSubstr(", for 60 min"));
}

TEST_F(DashboardTest, ClustersAreFilteredAndPagedInKeyOrder) {
  json all = Get("/api/clusters", {{"limit", "500"}});
  size_t total = all["total"];
  ASSERT_GT(total, 10u);
  json page = Get("/api/clusters", {{"offset", "2"}, {"limit", "3"}});
  EXPECT_EQ(page["total"], total);
  ASSERT_EQ(page["items"].size(), 3u);
  EXPECT_EQ(page["items"][0]["key"], all["items"][2]["key"]);
  EXPECT_LT(page["items"][0]["key"].get<std::string>(), page["items"][1]["key"].get<std::string>());

  json acme = Get("/api/clusters", {{"org", "acme"}, {"sku", "dedicated"}});
  ASSERT_GT(acme["total"].get<int>(), 0);
  for (const json& item : acme["items"]) {
    EXPECT_EQ(item["org"], "acme");
    EXPECT_EQ(item["sku"], "dedicated");
  }
  EXPECT_EQ(Get("/api/clusters", {{"q", "orders"}})["total"], 2);  // the Kafka cluster, its sink

  // The summary's groups are links to these lists.
  json fleet = Get("/api/fleet");
  for (const json& region : fleet["byRegion"]) {
    EXPECT_EQ(Get("/api/clusters", {{"region", region["name"]}})["total"], region["total"]) << region;
  }
  ASSERT_EQ(fleet["bySatellite"].size(), 1u);  // nothing reported: none placed on a satellite yet
  EXPECT_EQ(Get("/api/clusters", {{"satellite", fleet["bySatellite"][0]["name"]}})["total"], total);
  EXPECT_EQ(Get("/api/clusters", {{"limit", "0"}}, 400)["error"],
            "limit must be a whole number from 1 to 500, not 0");
  EXPECT_EQ(Get("/api/nothing", {}, 404)["error"], "no such API: /api/nothing");
}

TEST_F(DashboardTest, AClusterShowsItsLayersAndHistoryAChangeTheCommitsItCaused) {
  json cluster = Get("/api/cluster", {{"key", kOrders}});
  EXPECT_EQ(cluster["path"], "tenants/acme/kafka/orders.yaml");
  ASSERT_EQ(cluster["physical"].size(), 1u);
  EXPECT_EQ(cluster["physical"][0]["key"], PhysicalOf(kOrders).first);
  EXPECT_TRUE(cluster["physical"][0].contains("k8sCluster"));
  ASSERT_EQ(cluster["history"].size(), 1u);
  EXPECT_EQ(cluster["commit"], people_commit_);
  EXPECT_FALSE(cluster["history"][0]["caused"].empty());
  EXPECT_EQ(Get("/api/cluster", {{"key", "KafkaCluster/acme/nope"}}, 404)["error"],
            "KafkaCluster/acme/nope: there is no tenants/acme/kafka/nope.yaml on the branch");

  json change = Get("/api/change", {{"commit", people_commit_}});
  EXPECT_EQ(change["subject"], "the example fleet");
  std::set<std::string> controllers;
  for (const json& c : change["controllers"]) controllers.insert(c["controller"]);
  EXPECT_TRUE(controllers.count("pkc") && controllers.count("sync")) << change.dump();
  EXPECT_FALSE(change["satellites"].empty());
  EXPECT_FALSE(change["satellites"][0]["applied"].get<bool>());
  EXPECT_EQ(Get("/api/change", {{"commit", "0123456789"}}, 404)["error"],
            "no commit 0123456789 in the fleet repository");

  json commits = Get("/api/commits", {{"limit", "2"}});
  ASSERT_EQ(commits["items"].size(), 2u);
  EXPECT_EQ(commits["items"][0]["commit"], fleet_->Git("rev-parse main"));
  EXPECT_NE(commits["items"][0]["controller"], "");
}

TEST_F(DashboardTest, RolloutsAreListedAndEachAnswersAsTheRolloutStatusCommandDoes) {
  json rollouts = Get("/api/rollouts");
  ASSERT_EQ(rollouts["items"].size(), 1u);
  EXPECT_EQ(rollouts["items"][0]["name"], "kafka-3-8");
  json rollout = Get("/api/rollout", {{"name", "kafka-3-8"}});
  EXPECT_EQ(rollout["rollout"], "kafka-3-8");
  EXPECT_TRUE(rollout["started"].get<bool>());
  EXPECT_FALSE(rollout["waves"].empty());
  EXPECT_EQ(Get("/api/rollout", {{"name", "nope"}}, 404)["error"],
            "no rollout nope (rollouts/nope.yaml is absent)");
}

// Polls `done` until it holds or `seconds` pass.
bool Eventually(const std::function<bool()>& done, int seconds = 20) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

TEST_F(DashboardTest, TheWholeDashboardFollowsStrataStatusOnKafkaAndTheBranchHead) {
  auto kafka = MockKafka::Start(1);
  ASSERT_THAT(kafka.status(), IsOk());
  ASSERT_THAT((*kafka)->CreateTopic(std::string(kStatusTopic), 2, 1), IsOk());
  KafkaProperties properties = {{"bootstrap.servers", (*kafka)->bootstrap_servers()}};
  auto producer = Producer::Create(properties);
  ASSERT_THAT(producer.status(), IsOk());
  auto [physical, computed_at] = PhysicalOf(kOrders);
  ResourceStatus reported;
  reported.key = physical;
  reported.satellite = "aws-us-west-2-1";
  reported.phase = "Ready";
  reported.computed_at = computed_at;
  reported.observed_at = NowRfc3339Millis();
  reported.reporter = "agent/aws-us-west-2-1";
  ASSERT_THAT((*producer)->ProduceAll({{std::string(kStatusTopic), physical, EncodeResourceStatus(reported)}},
                                      std::chrono::seconds(10)),
              IsOk());

  DashboardConfig config;
  config.repo = fleet_->bare();
  config.kafka = properties;
  config.http.port = 0;
  auto dashboard = Dashboard::Start(config);
  ASSERT_THAT(dashboard.status(), IsOk());
  httplib::Client client("127.0.0.1", (*dashboard)->port());
  auto get = [&](const std::string& path) {
    auto answer = client.Get(path);
    return answer && answer->status == 200 ? json::parse(answer->body) : json::object();
  };
  // What was on the topic before it started, then what the branch says now.
  ASSERT_TRUE(Eventually([&] { return get("/api/fleet").value("statusCaughtUp", false); }));
  EXPECT_EQ(get("/api/clusters?q=KafkaCluster/acme/orders")["items"][0]["phase"], "Ready");
  fleet_->Write("tenants/acme/kafka/dash-new.yaml", kNewDedicated);
  std::string pushed = fleet_->Push("acme/dash-new");
  ASSERT_TRUE(Eventually([&] { return get("/api/fleet").value("head", "") == pushed; }));
  EXPECT_EQ(get("/api/clusters?q=dash-new")["items"][0]["phase"], "Pending");

  // And what agents report while it runs.
  reported.phase = "Degraded";
  reported.observed_at = NowRfc3339Millis();
  ASSERT_THAT((*producer)->ProduceAll({{std::string(kStatusTopic), physical, EncodeResourceStatus(reported)}},
                                      std::chrono::seconds(10)),
              IsOk());
  EXPECT_TRUE(Eventually([&] { return get("/api/fleet")["phases"].value("Degraded", 0) == 1; }));
}

class DashboardServerTest : public DashboardTest {
 protected:
  std::unique_ptr<DashboardServer> Serve(DashboardOptions options) {
    api_ = std::make_unique<DashboardApi>(fleet_->bare(), "main", state_, [] { return kNow; });
    auto server = DashboardServer::Start(std::move(options), *api_, state_);
    EXPECT_THAT(server.status(), IsOk());
    return server.ok() ? std::move(*server) : nullptr;
  }
  std::unique_ptr<DashboardApi> api_;
};

TEST(DashboardServer, LoopbackHostsAreThoseOfThisMachineOnly) {
  for (const char* host : {"localhost", "127.0.0.1", "127.1.2.3", "::1"}) EXPECT_TRUE(IsLoopbackHost(host)) << host;
  for (const char* host : {"0.0.0.0", "::", "10.0.0.7", "127.evil.example", "localhost.evil.example", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST_F(DashboardServerTest, AwayFromLoopbackEveryRequestNeedsTheTokenAndNothingCanBeChanged) {
  auto server = Serve({"0.0.0.0", 0, ""});
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->token_required());
  std::string url = server->url();
  std::string token = url.substr(url.find("?token=") + 7);
  EXPECT_EQ(token.size(), 48u);
  httplib::Client client("127.0.0.1", server->port());

  auto denied = client.Get("/api/fleet");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(client.Get("/")->status, 401);
  EXPECT_EQ(client.Get("/api/fleet", {{"Authorization", "Bearer " + std::string(48, '0')}})->status, 401);

  auto with_header = client.Get("/api/fleet", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(with_header);
  EXPECT_EQ(with_header->status, 200);
  EXPECT_EQ(json::parse(with_header->body)["branch"], "main");

  EXPECT_EQ(client.Get("/api/events")->status, 401);
  EXPECT_EQ(client.Head("/")->status, 401);

  // The printed URL sets the cookie and sends the browser on to the same page without the token.
  auto opened = client.Get("/?token=" + token);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->status, 303);
  EXPECT_EQ(opened->get_header_value("Location"), "/");
  std::string cookie = "strata_dashboard_token_" + std::to_string(server->port());
  EXPECT_EQ(opened->get_header_value("Set-Cookie"),
            cookie + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
  auto page = client.Get("/", {{"Cookie", "theme=dark; " + cookie + "=" + token}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("<html"));
  EXPECT_EQ(client.Get("/api/fleet", {{"Cookie", "strata_dashboard_token_1=" + token}})->status, 401)
      << "another dashboard's cookie";

  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    httplib::Request request;
    request.method = method;
    request.path = "/api/cluster?key=KafkaCluster/acme/orders";
    request.headers = {{"Authorization", "Bearer " + token}};
    auto changed = client.send(request);
    ASSERT_TRUE(changed) << method;
    EXPECT_EQ(changed->status, 405) << method;
    EXPECT_EQ(json::parse(changed->body)["error"],
              "the dashboard is read-only: changes go through pull requests");
  }
}

TEST_F(DashboardServerTest, OnLoopbackNoTokenIsAskedAndTheEventStreamSaysWhenTheBoardMoves) {
  auto server = Serve({"127.0.0.1", 0, ""});
  ASSERT_NE(server, nullptr);
  EXPECT_FALSE(server->token_required());
  EXPECT_EQ(server->url(), "http://127.0.0.1:" + std::to_string(server->port()) + "/");
  httplib::Client client("127.0.0.1", server->port());
  EXPECT_EQ(client.Get("/app.js")->status, 200);
  // A page elsewhere whose name now points at 127.0.0.1 still names itself in Host.
  auto rebound = client.Get("/api/fleet", {{"Host", "evil.example:80"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  EXPECT_EQ(json::parse(rebound->body)["error"], "the dashboard answers only to localhost, 127.0.0.1 or [::1]");
  EXPECT_EQ(client.Get("/api/fleet", {{"Host", "localhost:1"}})->status, 200);

  std::string received;
  std::thread reporter;
  auto streamed = client.Get("/api/events", [&](const char* data, size_t size) {
    received.append(data, size);
    size_t events = 0;
    for (size_t at = received.find("event: update"); at != std::string::npos;
         at = received.find("event: update", at + 1)) {
      ++events;
    }
    if (events == 1 && !reporter.joinable()) {
      reporter = std::thread([&] { Report(PhysicalOf(kOrders).first, "Ready", ""); });
    }
    return events < 2;
  });
  if (reporter.joinable()) reporter.join();
  EXPECT_THAT(received, HasSubstr("retry: 1000\n\n"));
  size_t first = received.find("data: ");
  size_t second = received.find("data: ", first + 1);
  ASSERT_NE(second, std::string::npos) << received;
  json before = json::parse(received.substr(first + 6, received.find('\n', first) - first - 6));
  json after = json::parse(received.substr(second + 6, received.find('\n', second) - second - 6));
  EXPECT_GT(after["version"].get<uint64_t>(), before["version"].get<uint64_t>());
  EXPECT_EQ(after["head"], fleet_->Git("rev-parse main"));
}

}  // namespace
}  // namespace strata::dashboard
