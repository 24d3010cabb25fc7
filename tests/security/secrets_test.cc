// Secrets never leave the files that hold them: the reconciler with a webhook secret, the
// controllers with the slice signing key, agents, and every one of them with a SASL password in
// its librdkafka properties, all as real processes at debug level (librdkafka's configuration
// dump included). Errors are provoked (forged webhooks, a refused slice, a Kafka client whose SASL
// authentication fails), then every log, every record on every strata.* topic, every object of
// the fleet repo and of the agent's repo, and the agent's state are searched for the secrets. The
// same search must find markers that are known to be there, so it cannot pass by reading nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/mock_kafka.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "reconciler/reconcile/webhook.h"
#include "tests/support/child_process.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/topic_reader.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::reconcile::GithubSignature;
using ::strata::testing::Eventually;
using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::strata::testing::Sh;

const std::string kStrata = STRATA_BINARY;
const std::string kSatellite = "aws-us-west-2-1";
const std::string kWebhookSecret = "whsec-Q7f3kP9-webhook";
const std::string kSaslPassword = "sasl-Zr8m2Lx-password";
constexpr auto kConverge = std::chrono::seconds(60);


std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Where each secret could end up, by name, and the text there.
using Places = std::map<std::string, std::string>;

// The places among `places` that contain `needle`.
std::vector<std::string> Containing(const Places& places, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& [name, text] : places) {
    if (text.find(needle) != std::string::npos) out.push_back(name);
  }
  return out;
}

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("security-secrets");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    ASSERT_EQ(Sh(kStrata + " hook install --repo " + fleet_->bare()).code, 0);
    auto keys = Sh(kStrata + " keys generate --out " + dir_ + "/keys/sync");
    ASSERT_EQ(keys.code, 0) << keys.out;
    ASSERT_TRUE(std::filesystem::copy_file(dir_ + "/keys/sync.pub", dir_ + "/trusted"));
    std::ofstream(dir_ + "/untrusted") << "";
    std::ofstream(dir_ + "/webhook-secret") << kWebhookSecret << "\n";
    auto kafka = MockKafka::Start(1);
    ASSERT_THAT(kafka.status(), IsOk());
    kafka_ = std::move(*kafka);
    // The password rides along where Kafka does not ask for it, and where it does (and the mock
    // broker cannot authenticate, so the client fails and says so).
    std::string sasl =
        "sasl.mechanisms=PLAIN\nsasl.username=strata-user\nsasl.password=" + kSaslPassword +
        "\ndebug=conf,security,broker\n";
    std::ofstream(dir_ + "/kafka.conf")
        << "bootstrap.servers=" << kafka_->bootstrap_servers() << "\n"
        << sasl;
    std::ofstream(dir_ + "/kafka-sasl.conf") << "bootstrap.servers=" << kafka_->bootstrap_servers()
                                             << "\nsecurity.protocol=SASL_PLAINTEXT\n"
                                             << sasl;
  }
  void TearDown() override {
    processes_.clear();
    std::filesystem::remove_all(dir_);
  }

  ChildProcess& Start(const std::string& log, std::vector<std::string> args,
                      const std::string& kafka_config = "kafka.conf") {
    args.insert(args.begin(), {kStrata, "--log-level", "debug"});
    args.insert(args.end(), {"--kafka-config", dir_ + "/" + kafka_config});
    processes_.push_back(std::make_unique<ChildProcess>(args, dir_ + "/logs/" + log + ".log"));
    return *processes_.back();
  }
  ChildProcess& StartAgent(const std::string& satellite, const std::string& trusted) {
    return Start("agent-" + satellite,
                 {"agent", "--satellite", satellite, "--repo", fleet_->bare(), "--state-dir",
                  dir_ + "/agents/" + satellite, "--trusted-keys", dir_ + "/" + trusted, "--driver",
                  "sim", "--sim-time-scale", "0", "--poll-ms", "200"});
  }
  bool Applied(const std::string& tip) {
    auto state = nlohmann::json::parse(ReadFile(dir_ + "/agents/" + kSatellite + "/agent.json"),
                                       nullptr, false);
    return state.is_object() && state["applied"] == tip;
  }
  std::string SliceTip() { return fleet_->Git("rev-parse refs/heads/satellites/" + kSatellite); }

  // Every place a secret could leak to, read now.
  Places Everywhere() {
    Places places;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/logs")) {
      places["log " + entry.path().filename().string()] = ReadFile(entry.path());
    }
    auto records = strata::testing::ReadAllRecords(kafka_->bootstrap_servers(), "strata.");
    EXPECT_THAT(records.status(), IsOk());
    if (records.ok()) {
      for (const auto& r : *records) places["topic " + r.topic] += r.key + "\n" + r.value + "\n";
    }
    // Every object, reachable or not (notes and refs included), as git stores it uncompressed.
    std::vector<std::string> repos = {fleet_->bare()};
    for (const auto& agent : std::filesystem::directory_iterator(dir_ + "/agents")) {
      repos.push_back((agent.path() / "repo.git").string());
      for (const auto& file : std::filesystem::recursive_directory_iterator(agent.path())) {
        std::string path = file.path().string();
        if (file.is_regular_file() && path.find("/repo.git/") == std::string::npos) {
          places["agent state " + path.substr(dir_.size())] = ReadFile(file.path());
        }
      }
    }
    for (const std::string& repo : repos) {
      auto objects = Sh("git -C " + repo + " cat-file --batch-all-objects --batch");
      EXPECT_EQ(objects.code, 0) << objects.out.substr(0, 500);
      auto refs = Sh("git -C " + repo + " for-each-ref && git -C " + repo + " log -g --all");
      places["git objects " + repo.substr(dir_.size())] = objects.out;
      places["git refs and reflogs " + repo.substr(dir_.size())] = refs.out;
    }
    return places;
  }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::unique_ptr<MockKafka> kafka_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
};

TEST_F(SecretsTest, NoSecretReachesALogATopicACommitOrAnAgentsState) {
  std::filesystem::create_directories(dir_ + "/logs");
  ChildProcess& reconciler =
      Start("reconcile", {"reconcile", "--watch", "--repo", fleet_->bare(), "--webhook-listen",
                          "127.0.0.1:0", "--webhook-secret-file", dir_ + "/webhook-secret"});
  Start("controllers",
        {"controller", "--all", "--repo", fleet_->bare(), "--signing-key", dir_ + "/keys/sync"});
  ChildProcess& agent = StartAgent(kSatellite, "trusted");
  ChildProcess& distrustful = StartAgent("gcp-us-central1-1", "untrusted");  // refuses its slice
  ChildProcess& sasl =
      Start("sasl-status", {"status", "--repo", fleet_->bare()}, "kafka-sasl.conf");

  ASSERT_TRUE(reconciler.WaitForLog("http://127.0.0.1:", kConverge)) << reconciler.Log();
  std::string log = reconciler.Log();
  int webhook_port = std::atoi(log.c_str() + log.find("http://127.0.0.1:") + 17);
  ASSERT_TRUE(Eventually(
      [&] {
        auto tip =
            Sh("git -C " + fleet_->bare() + " rev-parse -q --verify satellites/" + kSatellite);
        return tip.code == 0 && Applied(tip.out.substr(0, 40));
      },
      kConverge))
      << agent.Log();

  // Forged webhooks: signed with the wrong secret, and a GitLab token that holds the secret and
  // more (a log line echoing the token would carry the secret with it).
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  std::string head = fleet_->Push("orders: 2 → 4 CKU");
  std::string body = R"({"ref":"refs/heads/main","after":")" + head + R"("})";
  httplib::Client client("127.0.0.1", webhook_port);
  auto forged = client.Post(
      "/webhook",
      {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", GithubSignature("wrong", body)}}, body,
      "application/json");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto token = client.Post(
      "/webhook",
      {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", kWebhookSecret + "-and-more"}}, body,
      "application/json");
  ASSERT_TRUE(token);
  EXPECT_EQ(token->status, 401);
  auto good = client.Post(
      "/webhook",
      {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", GithubSignature(kWebhookSecret, body)}},
      body, "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 202);
  ASSERT_TRUE(Eventually(
      [&] {
        return fleet_->Show("derived/pkc/acme/pkc-acme-orders.yaml").find("brokers: 12") !=
                   std::string::npos &&
               Applied(SliceTip());
      },
      kConverge))
      << agent.Log();
  ASSERT_TRUE(distrustful.WaitForLog("refusing", kConverge)) << distrustful.Log();
  ASSERT_TRUE(sasl.WaitForLog("Failed to initialize SASL authentication", kConverge)) << sasl.Log();
  processes_.clear();  // every log complete

  Places places = Everywhere();
  // The search reads what is there: the markers are found where they must be.
  EXPECT_THAT(Containing(places, "sasl.password = [redacted]"),
              ::testing::IsSupersetOf(std::vector<std::string>{
                  "log controllers.log", "log reconcile.log", "log agent-" + kSatellite + ".log",
                  "log sasl-status.log"}));
  EXPECT_THAT(Containing(places, "webhook: refused a request"),
              ::testing::ElementsAre("log reconcile.log"));
  EXPECT_THAT(Containing(places, "KafkaCluster/acme/orders"),
              ::testing::Contains(::testing::StartsWith("topic strata.desired")));
  EXPECT_THAT(Containing(places, "Satellite/" + kSatellite),
              ::testing::Contains("topic strata.status"));
  EXPECT_THAT(Containing(places, "Strata-Satellite: " + kSatellite),
              ::testing::IsSupersetOf(std::vector<std::string>{
                  "git objects /fleet.git", "git objects /agents/" + kSatellite + "/repo.git"}));
  EXPECT_THAT(Containing(places, "-----BEGIN SSH SIGNATURE-----"),
              ::testing::Contains("git objects /fleet.git"));

  EXPECT_THAT(Containing(places, kWebhookSecret), ::testing::IsEmpty());
  EXPECT_THAT(Containing(places, kSaslPassword), ::testing::IsEmpty());
  std::istringstream key(ReadFile(dir_ + "/keys/sync"));
  int body_lines = 0;
  for (std::string line; std::getline(key, line);) {
    if (line.rfind("-----", 0) == 0 || line.size() < 24) continue;
    ++body_lines;
    EXPECT_THAT(Containing(places, line), ::testing::IsEmpty()) << "a line of the private key";
  }
  EXPECT_GE(body_lines, 4);
}

}  // namespace
}  // namespace strata
