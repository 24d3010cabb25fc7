// An agent's fetch brings its own satellite's slice and nothing else: a fleet derived by the real
// controllers (sync signing every slice), served over git daemon on loopback or read as a local
// path, a real `strata agent` fetching it twice (the first slice, then the slice a push changed),
// and then every object of the agent's repository looked up in the fleet repo.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "core/mock_kafka.h"
#include "core/ssh_signature.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::testing::Eventually;
using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::strata::testing::LayerCake;
using ::strata::testing::Sh;

const std::string kStrata = STRATA_BINARY;
const std::string kSatellite = "aws-us-west-2-1";
constexpr auto kFetched = std::chrono::seconds(30);

std::set<std::string> Lines(const std::string& text, bool first_word_only) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (first_word_only) line = line.substr(0, line.find(' '));
    if (!line.empty()) out.insert(line);
  }
  return out;
}

class SliceFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("security-fetch");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    auto keys = Sh(kStrata + " keys generate --out " + dir_ + "/keys/sync");
    ASSERT_EQ(keys.code, 0) << keys.out;
    ASSERT_TRUE(std::filesystem::copy_file(dir_ + "/keys/sync.pub", dir_ + "/trusted"));
    auto key = ssh::SigningKey::Load(dir_ + "/keys/sync");
    ASSERT_THAT(key.status(), IsOk());
    controllers::ControllerConfig config;
    config.signing_key = std::make_shared<const ssh::SigningKey>(std::move(*key));
    auto cake = LayerCake::Create(fleet_->bare(), {}, "main", config);
    ASSERT_THAT(cake.status(), IsOk());
    cake_ = std::move(*cake);
    ASSERT_THAT(cake_->Settle().status(), IsOk());
    auto kafka = MockKafka::Start(1);
    ASSERT_THAT(kafka.status(), IsOk());
    kafka_ = std::move(*kafka);
  }
  void TearDown() override {
    agent_.reset();
    daemon_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string ServeOverGitDaemon() {
    int port = strata::testing::FreeLoopbackPort();
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"git", "daemon", "--reuseaddr", "--export-all",
                                 "--listen=127.0.0.1", "--port=" + std::to_string(port),
                                 "--base-path=" + dir_, dir_},
        dir_ + "/daemon.log");
    std::string url = "git://127.0.0.1:" + std::to_string(port) + "/fleet.git";
    EXPECT_TRUE(Eventually([&] { return Sh("git ls-remote " + url).code == 0; }, kFetched))
        << daemon_->Log();
    return url;
  }
  void StartAgent(const std::string& url) {
    agent_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{kStrata, "agent", "--satellite", kSatellite, "--repo", url,
                                 "--state-dir", dir_ + "/agent", "--trusted-keys",
                                 dir_ + "/trusted", "--driver", "sim", "--sim-time-scale", "0",
                                 "--poll-ms", "100", "--kafka", kafka_->bootstrap_servers()},
        dir_ + "/agent.log");
  }
  std::string SliceTip() { return fleet_->Git("rev-parse refs/heads/satellites/" + kSatellite); }
  bool AgentFetched(const std::string& tip) {
    auto fetched = Sh("git -C " + dir_ + "/agent/repo.git rev-parse refs/strata/fetched");
    return fetched.code == 0 && fetched.out.substr(0, 40) == tip;
  }

  // The agent fetches the first slice, then the one a push changes (a fetch that negotiates
  // against what it has); afterwards, every object it holds must be reachable from its own slice.
  void FetchTwiceAndCheckObjects(const std::string& url) {
    StartAgent(url);
    std::string first = SliceTip();
    ASSERT_TRUE(Eventually([&] { return AgentFetched(first); }, kFetched)) << agent_->Log();
    fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
    fleet_->Push("orders: 2 → 4 CKU");
    ASSERT_THAT(cake_->Settle().status(), IsOk());
    std::string second = SliceTip();
    ASSERT_NE(second, first);
    ASSERT_TRUE(Eventually([&] { return AgentFetched(second); }, kFetched)) << agent_->Log();

    std::set<std::string> own =
        Lines(fleet_->Git("rev-list --objects refs/heads/satellites/" + kSatellite), true);
    std::set<std::string> others_only;  // trees and blobs of the other slices that ours lacks
    int other_slices = 0;
    for (const std::string& ref :
         Lines(fleet_->Git("for-each-ref --format='%(refname)' refs/heads/satellites/"), false)) {
      if (ref == "refs/heads/satellites/" + kSatellite) continue;
      ++other_slices;
      for (const std::string& id : Lines(fleet_->Git("rev-list --objects " + ref), true)) {
        if (own.count(id) == 0) others_only.insert(id);
      }
    }
    std::set<std::string> main_commits = Lines(fleet_->Git("rev-list main"), false);
    ASSERT_EQ(other_slices, 6);
    ASSERT_GT(others_only.size(), 20u);  // the check below has something to find
    ASSERT_FALSE(main_commits.empty());

    auto held = Sh("git -C " + dir_ +
                   "/agent/repo.git cat-file --batch-all-objects "
                   "--batch-check='%(objectname) %(objecttype)'");
    ASSERT_EQ(held.code, 0) << held.out;
    std::set<std::string> objects = Lines(held.out, true);
    EXPECT_GT(objects.count(second), 0u);
    for (const std::string& line : Lines(held.out, false)) {
      std::string id = line.substr(0, line.find(' '));
      EXPECT_EQ(others_only.count(id), 0u) << line << " belongs only to another satellite's slice";
      EXPECT_EQ(main_commits.count(id), 0u) << line << " is a commit of the fleet branch";
      EXPECT_EQ(own.count(id), 1u) << line << " is not reachable from " << kSatellite << "'s slice";
    }
  }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::unique_ptr<LayerCake> cake_;
  std::unique_ptr<MockKafka> kafka_;
  std::unique_ptr<ChildProcess> daemon_, agent_;
};

TEST_F(SliceFetchTest, OverGitDaemonTheAgentHoldsOnlyObjectsOfItsOwnSlice) {
  FetchTwiceAndCheckObjects(ServeOverGitDaemon());
}

TEST_F(SliceFetchTest, FromALocalPathTheAgentCopiesOnlyObjectsOfItsOwnSlice) {
  FetchTwiceAndCheckObjects(fleet_->bare());
}

}  // namespace
}  // namespace strata
