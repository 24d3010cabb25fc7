// The satellite agent in-process, against real git repositories (a bare "fleet" repo holding a
// satellite ref), real signatures, the sim and exec drivers, and librdkafka's mock cluster.
// Time in the sim driver is moved by hand, so rolls are checked step by step.
#include "agents/agent/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "agents/exec/exec_driver.h"
#include "agents/kafka/kafka_driver.h"
#include "agents/sim/sim_driver.h"
#include "core/mock_kafka.h"
#include "core/resource_status.h"
#include "core/ssh_signature.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "tests/support/topic_reader.h"

namespace strata::agent {
namespace {

using ::testing::HasSubstr;
using strata::IsOk;

#define ASSERT_OK(expr) ASSERT_THAT((expr), IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), IsOk())
using strata::testing::Sh;

constexpr const char* kSatellite = "sat-1";
constexpr const char* kRef = "refs/heads/satellites/sat-1";

std::string KafkaEntry(const std::string& name, int brokers, const std::string& version = "3.7") {
  return "apiVersion: strata.dev/v1alpha1\nkind: SliceEntry\nmetadata:\n  name: " + name +
         "\nspec:\n  satellite: sat-1\n  k8sCluster: k8s-1\n  source: derived/pkc/acme/" + name +
         ".yaml\n  resource:\n    apiVersion: strata.dev/v1alpha1\n    kind: PhysicalKafkaCluster\n"
         "    metadata:\n      name: " + name + "\n    spec:\n      brokers: " + std::to_string(brokers) +
         "\n      kafkaVersion: \"" + version + "\"\n";
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::FreshTestDir("agent");
    Result<Repository> repo = Repository::Init(dir_ + "/fleet.git", true, "main");
    ASSERT_OK(repo.status());
    fleet_ = std::make_unique<Repository>(std::move(*repo));
    Result<ssh::SigningKey> a = ssh::SigningKey::Generate("key-a");
    Result<ssh::SigningKey> b = ssh::SigningKey::Generate("key-b");
    ASSERT_OK(a.status());
    ASSERT_OK(b.status());
    key_a_ = std::make_unique<ssh::SigningKey>(std::move(*a));
    key_b_ = std::make_unique<ssh::SigningKey>(std::move(*b));
    Trust({key_a_.get()});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Trust(const std::vector<const ssh::SigningKey*>& keys) {
    std::ofstream out(dir_ + "/trusted");
    for (const auto* k : keys) out << k->public_key().Line() << "\n";
  }

  // Moves the satellite ref to a new commit holding `files`, signed with `key` (null: unsigned),
  // on top of the ref's current commit; returns it.
  git_oid Slice(const std::map<std::string, std::string>& files, const ssh::SigningKey* key) {
    git_oid tree = *fleet_->WriteTree(files);
    std::vector<git_oid> parents;
    Result<git_oid> current = fleet_->ReadRef(kRef);
    if (current.ok()) parents.push_back(*current);
    std::string message = "sync: slice\n\nStrata-Controller: sync\nStrata-Cause: " + std::string(40, 'a') +
                          "\nStrata-Satellite: " + satellite_ + "\n";
    Result<git_oid> commit =
        key == nullptr
            ? fleet_->Commit("", tree, parents, message, "strata sync", "sync@controllers.strata.local")
            : fleet_->CommitSigned(tree, parents, message, "strata sync", "sync@controllers.strata.local",
                                   [key](std::string_view text) { return key->Sign(text); });
    EXPECT_OK(commit.status());
    SetRef(*commit);
    return *commit;
  }
  void SetRef(const git_oid& commit) {
    git_reference* out = nullptr;
    ASSERT_EQ(git_reference_create(&out, fleet_->raw(), kRef, &commit, 1, "test"), 0);
    git_reference_free(out);
  }

  SimOptions Sim() {
    SimOptions sim;
    sim.state_dir = dir_ + "/state";
    sim.now_ms = [this] { return now_ms_.load(); };
    return sim;
  }
  std::unique_ptr<Agent> MakeAgent(std::unique_ptr<Driver> driver, KafkaProperties kafka = {}) {
    AgentOptions options;
    options.satellite = kSatellite;
    options.repo_url = dir_ + "/fleet.git";
    options.state_dir = dir_ + "/state";
    options.trusted_keys = dir_ + "/trusted";
    options.kafka = std::move(kafka);
    options.backoff_min = std::chrono::milliseconds(1);
    options.backoff_max = std::chrono::milliseconds(5);
    options.poll = std::chrono::milliseconds(100);
    options.clock = [this] {
      return std::chrono::steady_clock::time_point(std::chrono::milliseconds(now_ms_.load()));
    };
    Result<std::unique_ptr<Agent>> agent = Agent::Create(options, std::move(driver));
    EXPECT_OK(agent.status());
    return agent.ok() ? std::move(*agent) : nullptr;
  }
  // Brokers the simulated cluster has now.
  int SimBrokers(const std::string& name) {
    std::ifstream in(dir_ + "/state/sim/PhysicalKafkaCluster/" + name + ".json");
    if (!in) return -1;
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    return static_cast<int>(j["brokers"].size());
  }
  // Steps until nothing is pending, moving the sim clock 1 s per round; the brokers seen after
  // each round go to `seen`.
  void Converge(Agent& agent, const std::string& cluster = "", std::vector<int>* seen = nullptr) {
    for (int round = 0; round < 200 && agent.StepDue() > 0; ++round) {
      if (seen != nullptr) seen->push_back(SimBrokers(cluster));
      now_ms_ += 1000;
      std::this_thread::sleep_for(std::chrono::milliseconds(6));  // past the error backoff
    }
    ASSERT_EQ(agent.pending(), 0u);
  }

  std::string dir_;
  std::unique_ptr<Repository> fleet_;
  std::unique_ptr<ssh::SigningKey> key_a_, key_b_;
  std::atomic<int64_t> now_ms_{1'000'000};
  std::string satellite_ = kSatellite;  // what Slice names in its Strata-Satellite trailer
};

TEST_F(AgentTest, SignedSliceIsAcceptedByGitVerifyCommit) {
  git_oid commit = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  std::ofstream(dir_ + "/allowed") << "sync " << key_a_->public_key().Line() << "\n";
  auto verify = Sh("git -C " + dir_ + "/fleet.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=" +
                   dir_ + "/allowed verify-commit " + OidToHex(commit));
  EXPECT_EQ(verify.code, 0) << verify.out;
  EXPECT_THAT(verify.out, HasSubstr("Good \"git\" signature for sync with ED25519 key " +
                                    key_a_->public_key().Fingerprint()));
  // And git refuses it when the key is not the allowed one.
  std::ofstream(dir_ + "/allowed") << "sync " << key_b_->public_key().Line() << "\n";
  verify = Sh("git -C " + dir_ + "/fleet.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=" + dir_ +
              "/allowed verify-commit " + OidToHex(commit));
  EXPECT_NE(verify.code, 0) << verify.out;
}

TEST_F(AgentTest, AppliesASignedSliceAndRecordsIt) {
  git_oid commit = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  ASSERT_OK(agent->Sync());
  EXPECT_EQ(agent->target_commit(), OidToHex(commit));
  EXPECT_EQ(agent->applied_commit(), "");  // taken, not yet applied
  Converge(*agent);
  EXPECT_EQ(SimBrokers("pkc-a"), 3);
  EXPECT_EQ(agent->applied_commit(), OidToHex(commit));
  std::ifstream state(dir_ + "/state/agent.json");
  nlohmann::json j = nlohmann::json::parse(state);
  EXPECT_EQ(j["applied"], OidToHex(commit));
}

TEST_F(AgentTest, AClusterMovedToAnotherKubernetesClusterIsRemovedThereBeforeItIsAppliedHere) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  ASSERT_EQ(SimBrokers("pkc-a"), 3);
  // The same cluster under another Kubernetes cluster's directory (sorting first, so that a
  // naive order would apply it and then remove it).
  git_oid moved = Slice({{"k8s-0/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  EXPECT_EQ(SimBrokers("pkc-a"), 3) << "the move removed the cluster it had just applied";
  EXPECT_EQ(agent->applied_commit(), OidToHex(moved));
}

TEST_F(AgentTest, AClusterMovedOverTwoSlicesAddedThereFirstAndRemovedHereAfterStaysApplied) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  // The sync controller may write a move as two slices: the new place first, with both present,
  // then the old place gone. Removing the old entry removes the cluster (known by kind and name).
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}, {"k8s-2/pkc-a.yaml", KafkaEntry("pkc-a", 3)}},
        key_a_.get());
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  git_oid moved = Slice({{"k8s-2/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  EXPECT_EQ(SimBrokers("pkc-a"), 3) << "the removal of the old place took the cluster away";
  EXPECT_EQ(agent->applied_commit(), OidToHex(moved));
}

TEST_F(AgentTest, RefusesAnUnsignedSliceAndAppliesNothing) {
  git_oid commit = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, nullptr);
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  Status s = agent->Sync();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "slice commit " + OidToHex(commit).substr(0, 12) + " is not signed");
  EXPECT_EQ(agent->StepDue(), 0u);
  EXPECT_EQ(agent->target_commit(), "");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/state/sim"));
}

TEST_F(AgentTest, RefusesASliceSignedByAnUntrustedKey) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_b_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  Status s = agent->Sync();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("signed by " + key_b_->public_key().Fingerprint() +
                                     " which is not a trusted key"));
  EXPECT_EQ(agent->target_commit(), "");
  EXPECT_EQ(agent->stats().slices_refused.load(), 1u);
}

TEST_F(AgentTest, RefusesATamperedSlice) {
  // A commit whose signature is copied from a genuine one but whose tree was changed.
  git_oid good = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  Result<Repository::CommitSignature> sig = fleet_->ReadCommitSignature(good);
  ASSERT_OK(sig.status());
  git_oid evil_tree = *fleet_->WriteTree({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 30)}});
  std::string text = sig->signed_text;
  size_t at = text.find("tree ") + 5;
  text.replace(at, 40, OidToHex(evil_tree));
  git_oid forged;
  ASSERT_EQ(git_commit_create_with_signature(&forged, fleet_->raw(), text.c_str(),
                                             sig->signature.c_str(), "gpgsig"), 0);
  SetRef(forged);
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  Status s = agent->Sync();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("the signature does not match the signed data"));
}

TEST_F(AgentTest, RefusesAReplayedOlderSlice) {
  git_oid old_commit = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  git_oid new_commit = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 6)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  SetRef(old_commit);  // someone moves the ref back to an older, genuinely signed slice
  Status s = agent->Sync();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("does not descend from " + OidToHex(new_commit).substr(0, 12)));
  EXPECT_EQ(agent->target_commit(), OidToHex(new_commit));
  EXPECT_EQ(agent->StepDue(), 0u);
  EXPECT_EQ(SimBrokers("pkc-a"), 6);
}

TEST_F(AgentTest, RefusesAGenuineSliceOfAnotherSatellite) {
  satellite_ = "sat-2";  // signed by the trusted key, but cut for another satellite
  git_oid commit = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  Status s = agent->Sync();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "slice commit " + OidToHex(commit).substr(0, 12) +
                             " is the slice of satellite sat-2, not of sat-1");
  EXPECT_EQ(agent->target_commit(), "");
}

TEST_F(AgentTest, ARemovalTakenButNotDoneSurvivesARestart) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  {
    auto agent = MakeAgent(MakeSimDriver(Sim()));
    ASSERT_OK(agent->Sync());
    Converge(*agent);
    // pkc-b comes and is made, then goes again before that slice is wholly applied.
    Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 30)}, {"k8s-1/pkc-b.yaml", KafkaEntry("pkc-b", 1)}},
          key_a_.get());
    ASSERT_OK(agent->Sync());
    for (int i = 0; i < 3; ++i) {
      agent->StepDue();
      now_ms_ += 1000;
    }
    ASSERT_EQ(SimBrokers("pkc-b"), 1);
    Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
    ASSERT_OK(agent->Sync());
  }  // gone before removing pkc-b; its applied slice never had pkc-b
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  Converge(*agent);
  EXPECT_EQ(SimBrokers("pkc-b"), -1);  // removed after all
  EXPECT_EQ(SimBrokers("pkc-a"), 3);
}

TEST_F(AgentTest, KeyRotationTrustsTheNewKeyAndRefusesTheRevokedOne) {
  Trust({key_a_.get(), key_b_.get()});
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  ASSERT_OK(agent->Sync());
  git_oid by_b = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 6)}}, key_b_.get());
  ASSERT_OK(agent->Sync());  // rotated: the new key signs
  EXPECT_EQ(agent->target_commit(), OidToHex(by_b));
  Trust({key_b_.get()});  // key a revoked; the agent re-reads the file, no restart
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 9)}}, key_a_.get());
  Status s = agent->Sync();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("not a trusted key"));
  EXPECT_EQ(agent->target_commit(), OidToHex(by_b));
}

TEST_F(AgentTest, RollsOneBrokerAtATimeAndANewerTargetReplacesTheRollInFlight) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 2)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  ASSERT_EQ(SimBrokers("pkc-a"), 2);
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 4)}}, key_a_.get());
  ASSERT_OK(agent->Sync());
  agent->StepDue();  // broker 2 starts; the roll to 4 is in flight
  EXPECT_EQ(SimBrokers("pkc-a"), 3);
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 6)}}, key_a_.get());
  ASSERT_OK(agent->Sync());
  std::vector<int> seen;
  Converge(*agent, "pkc-a", &seen);
  EXPECT_EQ(SimBrokers("pkc-a"), 6);
  // One broker per step, never back: 3, 4, 5, 6 (repeats while a broker starts).
  int last = 3;
  for (int n : seen) {
    EXPECT_GE(n, last);
    EXPECT_LE(n, last + 1);
    last = n;
  }
  // A version change rolls the brokers one by one: at no moment are two restarting.
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 6, "3.8")}}, key_a_.get());
  ASSERT_OK(agent->Sync());
  for (int round = 0; round < 50 && agent->StepDue() > 0; ++round) {
    std::ifstream in(dir_ + "/state/sim/PhysicalKafkaCluster/pkc-a.json");
    nlohmann::json j = nlohmann::json::parse(in);
    int restarting = 0;
    for (const auto& b : j["brokers"]) restarting += b["state"] != "ready";
    EXPECT_LE(restarting, 1);
    now_ms_ += 1000;
  }
  std::ifstream in(dir_ + "/state/sim/PhysicalKafkaCluster/pkc-a.json");
  nlohmann::json rolled = nlohmann::json::parse(in);  // a named value: the loop must not outlive it
  for (const auto& b : rolled["brokers"]) EXPECT_EQ(b["version"], "3.8");
}

TEST_F(AgentTest, ARestartMidRollContinuesWhereItWas) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 6)}}, key_a_.get());
  git_oid target;
  {
    auto agent = MakeAgent(MakeSimDriver(Sim()));
    ASSERT_OK(agent->Sync());
    agent->StepDue();
    now_ms_ += 1000;
    agent->StepDue();
    ASSERT_EQ(SimBrokers("pkc-a"), 2);
    git_oid_fromstr(&target, agent->target_commit().c_str());
  }  // gone, as after kill -9: only the state dir remains
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  EXPECT_EQ(agent->target_commit(), OidToHex(target));
  EXPECT_EQ(agent->pending(), 1u);
  Converge(*agent);
  EXPECT_EQ(SimBrokers("pkc-a"), 6);
  EXPECT_EQ(agent->applied_commit(), OidToHex(target));
}

TEST_F(AgentTest, AnAgentAwayForLongGoesStraightToTheNewestSlice) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  {
    auto agent = MakeAgent(MakeSimDriver(Sim()));
    ASSERT_OK(agent->Sync());
    Converge(*agent);
  }
  // While it is down: up to 30 brokers, a new cluster, then down to 6 and that cluster gone.
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 30)}, {"k8s-1/pkc-b.yaml", KafkaEntry("pkc-b", 3)}},
        key_a_.get());
  git_oid newest = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 6)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  ASSERT_OK(agent->Sync());
  EXPECT_EQ(agent->stats().slices_taken.load(), 1u);
  std::vector<int> seen;
  Converge(*agent, "pkc-a", &seen);
  for (int n : seen) EXPECT_LE(n, 6);  // the intermediate 30 was never applied
  EXPECT_EQ(SimBrokers("pkc-b"), -1);  // nor was pkc-b ever created
  EXPECT_EQ(agent->applied_commit(), OidToHex(newest));
}

TEST_F(AgentTest, DriftBehindTheAgentsBackIsFoundAndHealed) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()));
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  EXPECT_EQ(agent->CheckDrift(), 0u);
  // Someone removes a broker by hand.
  std::string path = dir_ + "/state/sim/PhysicalKafkaCluster/pkc-a.json";
  nlohmann::json j = nlohmann::json::parse(std::ifstream(path));
  j["brokers"].erase(j["brokers"].size() - 1);
  std::ofstream(path) << j.dump();
  EXPECT_EQ(agent->CheckDrift(), 1u);
  Converge(*agent);
  EXPECT_EQ(SimBrokers("pkc-a"), 3);
  EXPECT_EQ(agent->CheckDrift(), 0u);
  // Even a state mangled into another shape is drift, rebuilt rather than crashed on.
  std::ofstream(path) << R"({"brokers": ["not a broker", 7]})";
  EXPECT_EQ(agent->CheckDrift(), 1u);
  Converge(*agent);
  EXPECT_EQ(SimBrokers("pkc-a"), 3);
}

TEST_F(AgentTest, ThrottledCloudApiIsRetriedUntilDone) {
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 6)}}, key_a_.get());
  SimOptions sim = Sim();
  sim.throttle_rate = 0.5;
  auto agent = MakeAgent(MakeSimDriver(sim));
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  EXPECT_EQ(SimBrokers("pkc-a"), 6);
  EXPECT_GT(agent->stats().step_errors.load(), 0u);
}

TEST_F(AgentTest, ABrokerThatNeverGetsHealthyLeavesTheClusterDegradedAndReported) {
  auto kafka = MockKafka::Start(1);
  ASSERT_OK(kafka.status());
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  SimOptions sim = Sim();
  sim.unhealthy_brokers = {"pkc-a/1"};
  auto agent = MakeAgent(MakeSimDriver(sim), {{"bootstrap.servers", (*kafka)->bootstrap_servers()}});
  ASSERT_OK(agent->Sync());
  for (int i = 0; i < 10; ++i) {
    agent->StepDue();
    // Each step's report is sent before the next step, so none is coalesced with another.
    ASSERT_TRUE(agent->reporter().Flush(std::chrono::seconds(10)));
    now_ms_ += 2000;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(agent->pending(), 1u);
  EXPECT_EQ(SimBrokers("pkc-a"), 2);  // the roll waits at broker 1
  ASSERT_TRUE(agent->reporter().Flush(std::chrono::seconds(10)));
  auto records = strata::testing::ReadAllRecords((*kafka)->bootstrap_servers(), "strata.status");
  ASSERT_OK(records.status());
  std::optional<ResourceStatus> last;
  std::vector<std::string> phases;
  for (const auto& r : *records) {
    if (r.key != "PhysicalKafkaCluster/pkc-a") continue;
    last = *DecodeResourceStatus(r.value);
    phases.push_back(last->phase);
  }
  // Broker 0 starting, broker 1 starting, then Degraded once: the cluster is retried every
  // second, but a step that observes nothing new reports nothing.
  EXPECT_THAT(phases, ::testing::ElementsAre("Provisioning", "Provisioning", "Degraded"));
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->phase, "Degraded");
  EXPECT_EQ(last->brokers_ready, 1);
  EXPECT_EQ(last->brokers_desired, 3);
  ASSERT_FALSE(last->conditions.empty());
  EXPECT_EQ(last->conditions[0].reason, "BrokerUnhealthy");
  EXPECT_EQ(last->satellite, "sat-1");
  EXPECT_EQ(last->fleet_commit, std::string(40, 'a'));
}

TEST_F(AgentTest, ReportsTheReleaseItAppliesAndEachBrokerOfTheRoll) {
  auto kafka = MockKafka::Start(1);
  ASSERT_OK(kafka.status());
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent =
      MakeAgent(MakeSimDriver(Sim()), {{"bootstrap.servers", (*kafka)->bootstrap_servers()}});
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  // A rollout releases 3.8 to the cluster: pkc writes the token on the physical document.
  std::string entry = KafkaEntry("pkc-a", 3, "3.8");
  const std::string name_line = "      name: pkc-a\n";
  entry.insert(entry.find(name_line) + name_line.size(),
               "      annotations:\n        strata.dev/release: kafka-38-1a2b3c4d\n");
  Slice({{"k8s-1/pkc-a.yaml", entry}}, key_a_.get());
  ASSERT_OK(agent->Sync());
  for (int round = 0; round < 20 && agent->StepDue() > 0; ++round) {
    ASSERT_TRUE(agent->reporter().Flush(std::chrono::seconds(10)));  // one record per step
    now_ms_ += 1000;
  }
  ASSERT_EQ(agent->pending(), 0u);
  ASSERT_TRUE(agent->reporter().Flush(std::chrono::seconds(10)));
  auto records = strata::testing::ReadAllRecords((*kafka)->bootstrap_servers(), "strata.status");
  ASSERT_OK(records.status());
  std::vector<std::string> before, roll;  // the reports without the release, and with it
  std::optional<ResourceStatus> last;
  for (const auto& r : *records) {
    if (r.key != "PhysicalKafkaCluster/pkc-a") continue;
    Result<ResourceStatus> s = DecodeResourceStatus(r.value);
    ASSERT_OK(s.status());
    std::string seen = s->phase + " " + std::to_string(s->brokers_ready) + "/" +
                       std::to_string(s->brokers_updated) + "/" +
                       std::to_string(s->brokers_desired);
    if (!s->conditions.empty()) seen += ": " + s->conditions[0].message;
    if (s->release.empty()) {
      before.push_back(seen);
    } else {
      EXPECT_EQ(s->release, "kafka-38-1a2b3c4d");
      roll.push_back(seen);
    }
    last = std::move(*s);
  }
  EXPECT_FALSE(before.empty());
  EXPECT_EQ(before.back(), "Ready 3/3/3");
  // ready/updated/desired: one report each time the roll moves on by a broker.
  EXPECT_THAT(roll, ::testing::ElementsAre(
                        "Provisioning 2/0/3: rolling broker 0 of 3 to 3.8 (0 of 3 updated)",
                        "Provisioning 2/1/3: rolling broker 1 of 3 to 3.8 (1 of 3 updated)",
                        "Provisioning 2/2/3: rolling broker 2 of 3 to 3.8 (2 of 3 updated)",
                        "Ready 3/3/3"));
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->version, "3.8");
}

TEST(ResourceStatusTest, RoundTripsReleaseAndBrokersUpdated) {
  ResourceStatus s;
  s.key = "PhysicalKafkaCluster/pkc-a";
  s.satellite = "sat-1";
  s.phase = "Provisioning";
  s.release = "kafka-38-1a2b3c4d";
  s.brokers_ready = 5;
  s.brokers_desired = 6;
  s.brokers_updated = 2;
  s.observed_at = "2026-12-02T16:40:00.123Z";
  s.reporter = "agent/sat-1";
  std::string text = EncodeResourceStatus(s);
  nlohmann::json data = nlohmann::json::parse(text)["data"];
  EXPECT_EQ(data["release"], "kafka-38-1a2b3c4d");
  EXPECT_EQ(data["brokersUpdated"], 2);
  Result<ResourceStatus> back = DecodeResourceStatus(text);
  ASSERT_OK(back.status());
  EXPECT_EQ(back->release, "kafka-38-1a2b3c4d");
  EXPECT_EQ(back->brokers_updated, 2);
  EXPECT_EQ(back->brokers_ready, 5);
  EXPECT_EQ(back->brokers_desired, 6);
  // Without a release (a resource no rollout touched) the field is left out, and reads back empty.
  s.release.clear();
  text = EncodeResourceStatus(s);
  EXPECT_FALSE(nlohmann::json::parse(text)["data"].contains("release"));
  back = DecodeResourceStatus(text);
  ASSERT_OK(back.status());
  EXPECT_EQ(back->release, "");
}

TEST_F(AgentTest, ExecDriverRunsTheCommandWithTheManifestAndRetriesFailures) {
  std::string log = dir_ + "/exec.log";
  std::string flag = dir_ + "/fail";
  std::ofstream(flag) << "x";
  ExecOptions exec;
  exec.state_dir = dir_ + "/state";
  exec.satellite = kSatellite;
  // Fails (with a message on stderr) while the flag file exists.
  exec.command = "if [ -e " + flag + " ]; then echo 'quota exceeded' >&2; exit 3; fi; "
                 "echo \"$STRATA_OPERATION $STRATA_KIND $STRATA_KEY $STRATA_SATELLITE\" >> " + log +
                 "; { grep -c '\"brokers\": 3' || true; } >> " + log;
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent = MakeAgent(MakeExecDriver(exec));
  ASSERT_OK(agent->Sync());
  agent->StepDue();
  EXPECT_EQ(agent->pending(), 1u);
  EXPECT_EQ(agent->stats().step_errors.load(), 1u);
  std::filesystem::remove(flag);
  Converge(*agent);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "apply PhysicalKafkaCluster PhysicalKafkaCluster/pkc-a sat-1\n1\n");
  // Removing it from the slice runs the command with "delete".
  Slice({{"k8s-1/other.yaml", KafkaEntry("other", 1)}}, key_a_.get());
  ASSERT_OK(agent->Sync());
  Converge(*agent);
  std::ifstream again(log);
  text.assign((std::istreambuf_iterator<char>(again)), {});
  EXPECT_THAT(text, HasSubstr("delete PhysicalKafkaCluster PhysicalKafkaCluster/pkc-a sat-1"));
}

TEST_F(AgentTest, KafkaDriverStandsUpAnEndpointWithTheClustersBrokers) {
  auto driver = MakeKafkaDriver();
  Result<SliceResource> r = ParseSliceEntry("k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3), git_oid{});
  ASSERT_OK(r.status());
  Result<Observed> observed = driver->Apply(*r);
  ASSERT_OK(observed.status());
  EXPECT_EQ(observed->phase, Phase::kReady);
  ASSERT_FALSE(observed->endpoint.empty());
  // A real client sees three brokers there.
  auto conf = MakeKafkaConf({{"bootstrap.servers", observed->endpoint}});
  ASSERT_OK(conf.status());
  char err[256];
  KafkaPtr client(rd_kafka_new(RD_KAFKA_PRODUCER, conf->release(), err, sizeof err));
  ASSERT_NE(client, nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  ASSERT_EQ(rd_kafka_metadata(client.get(), 1, nullptr, &metadata, 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(metadata->broker_cnt, 3);
  rd_kafka_metadata_destroy(metadata);
}

TEST_F(AgentTest, KeepsPollingAndApplyingWithKafkaDown) {
  auto kafka = MockKafka::Start(1);
  ASSERT_OK(kafka.status());
  Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 3)}}, key_a_.get());
  auto agent = MakeAgent(MakeSimDriver(Sim()), {{"bootstrap.servers", (*kafka)->bootstrap_servers()}});
  ASSERT_OK((*kafka)->SetBrokerDown(1));
  std::atomic<bool> stop{false};
  std::thread run([&] { (void)agent->Run(stop); });
  git_oid newest = Slice({{"k8s-1/pkc-a.yaml", KafkaEntry("pkc-a", 4)}}, key_a_.get());
  auto applied = [&] {  // from the state file: the agent's members belong to its Run thread now
    std::ifstream in(dir_ + "/state/agent.json");
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    return j.is_object() ? j.value("applied", "") : "";
  };
  for (int i = 0; i < 400 && applied() != OidToHex(newest); ++i) {
    now_ms_ += 1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  stop = true;
  run.join();
  EXPECT_EQ(agent->applied_commit(), OidToHex(newest));
  EXPECT_EQ(SimBrokers("pkc-a"), 4);
}

}  // namespace
}  // namespace strata::agent
