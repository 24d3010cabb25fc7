// strata history and strata recover as a person runs them: the real binary on a fleet repo made
// with the git command line, and git checking what recover wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/test_support.h"
#include "tests/support/fleet_repo.h"

namespace {

using strata::testing::Outcome;
using strata::testing::Sh;
using ::testing::HasSubstr;

constexpr char kOrders[] = "tenants/acme/kafka/orders.yaml";

class HistoryCliTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = strata::testing::FreshTestDir("history-cli"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static Outcome Strata(const std::string& args) {
    return Sh(std::string(STRATA_BINARY) + " " + args);
  }
  std::string dir_;
};

TEST_F(HistoryCliTest, TextAndJsonShowTheEditsNewestFirst) {
  strata::testing::FleetRepo fleet(dir_);
  fleet.Edit(kOrders, "cku: 2", "cku: 4");
  std::string grow = fleet.Push("orders to 4 CKU");

  Outcome text = Strata("history KafkaCluster/acme/orders --repo " + fleet.bare());
  ASSERT_EQ(text.code, 0) << text.out;
  EXPECT_THAT(text.out, HasSubstr("commit " + grow.substr(0, 7) + "  "));
  EXPECT_THAT(text.out, HasSubstr("  Ada <ada@example.com>\n    orders to 4 CKU\n"
                                  "    tenants/acme/kafka/orders.yaml: updated\n"
                                  "      spec.cku: 2 → 4\n"));
  ASSERT_NE(text.out.find("the example fleet"), std::string::npos) << text.out;
  EXPECT_LT(text.out.find("orders to 4 CKU"), text.out.find("the example fleet"));

  Outcome json = Strata("history KafkaCluster/acme/orders --output json --repo " + fleet.work());
  ASSERT_EQ(json.code, 0) << json.out;
  auto entries = nlohmann::json::parse(json.out);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["commit"], grow);
  EXPECT_EQ(entries[0]["author"]["email"], "ada@example.com");
  EXPECT_EQ(entries[0]["change"], "updated");
  EXPECT_EQ(entries[0]["fields"],
            nlohmann::json::parse(R"([{"path":"spec.cku","before":"2","after":"4"}])"));
  EXPECT_EQ(entries[1]["change"], "created");
  EXPECT_EQ(entries[1]["caused"], nlohmann::json::array());
}

TEST_F(HistoryCliTest, SinceKeepsOnlyTheRecentCommits) {
  strata::testing::FleetRepo fleet(dir_);
  fleet.Edit(kOrders, "cku: 2", "cku: 4");
  Sh("cd " + fleet.work() +
     " && GIT_COMMITTER_DATE=2031-05-01T00:00:00Z GIT_AUTHOR_DATE="
     "2031-05-01T00:00:00Z git -c user.name=Fu -c user.email=fu@example.com commit -qam later && "
     "git push -q origin HEAD:main");
  Outcome recent =
      Strata("history KafkaCluster/acme/orders --since 2031-01-01 -o json --repo " + fleet.bare());
  ASSERT_EQ(recent.code, 0) << recent.out;
  auto entries = nlohmann::json::parse(recent.out);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["time"], "2031-05-01T00:00:00Z");
  Outcome none =
      Strata("history KafkaCluster/acme/orders --since 2032-01-01 --repo " + fleet.bare());
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.out,
              HasSubstr("no history for KafkaCluster/acme/orders on main since 2032-01-01"));
  EXPECT_EQ(
      Strata("history KafkaCluster/acme/orders --since yesterday --repo " + fleet.bare()).code, 2);
}

TEST_F(HistoryCliTest, BadKeysAreErrorsAndUnknownOnesHaveNoHistory) {
  strata::testing::FleetRepo fleet(dir_);
  Outcome malformed = Strata("history KafkaCluster/acme --repo " + fleet.bare());
  EXPECT_EQ(malformed.code, 2);
  EXPECT_THAT(malformed.out, HasSubstr("a KafkaCluster key is KafkaCluster/ORG/NAME"));
  Outcome unknown = Strata("history Gizmo/acme/x --repo " + fleet.bare());
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.out, HasSubstr("unknown kind 'Gizmo'"));
  Outcome absent = Strata("history KafkaCluster/acme/nothing --repo " + fleet.bare());
  EXPECT_EQ(absent.code, 1);
  EXPECT_THAT(absent.out, HasSubstr("no history for KafkaCluster/acme/nothing on main"));
}

TEST_F(HistoryCliTest, RecoverIsADryRunUntilCommitThenGitAgrees) {
  strata::testing::FleetRepo fleet(dir_);
  std::string orders = fleet.Read(kOrders);
  std::string last_good = fleet.Git("rev-parse main");
  fleet.Remove(kOrders);
  fleet.Push("remove orders");
  std::string head = fleet.Git("rev-parse main");

  Outcome dry = Strata("recover KafkaCluster/acme/orders --repo " + fleet.bare());
  ASSERT_EQ(dry.code, 0) << dry.out;
  EXPECT_THAT(
      dry.out,
      HasSubstr("KafkaCluster/acme/orders (tenants/acme/kafka/orders.yaml) on main: deleted"));
  EXPECT_THAT(dry.out, HasSubstr("recover from " + last_good.substr(0, 7)));
  EXPECT_THAT(dry.out, HasSubstr(orders));
  EXPECT_THAT(dry.out, HasSubstr("Strata-Recovered-From: " + last_good));
  EXPECT_THAT(dry.out, HasSubstr("dry run: nothing written"));
  EXPECT_EQ(fleet.Git("rev-parse main"), head);

  // A bare repository has no user identity to fall back on here: --author is asked for.
  Outcome anonymous = Sh("HOME=" + dir_ + " GIT_CONFIG_NOSYSTEM=1 " + STRATA_BINARY +
                         " recover KafkaCluster/acme/orders --commit --repo " + fleet.bare());
  EXPECT_EQ(anonymous.code, 2);
  EXPECT_THAT(anonymous.out, HasSubstr("--author"));

  Outcome done = Strata(
      "recover KafkaCluster/acme/orders --commit --author 'Ops <ops@example.com>'"
      " --repo " +
      fleet.bare());
  ASSERT_EQ(done.code, 0) << done.out;
  EXPECT_EQ(fleet.Show(kOrders), orders);
  EXPECT_EQ(fleet.Git("rev-parse main~1"), head);
  EXPECT_EQ(fleet.Git("log -1 --format=%an%x20%ae%n%s main"),
            "Ops ops@example.com\nrecover KafkaCluster/acme/orders as of " +
                last_good.substr(0, 7) + " (" +
                fleet.Git("log -1 --format=%ad --date=format:%Y-%m-%d " + last_good) +
                ": the example fleet)");
  EXPECT_EQ(Sh("git -C " + fleet.bare() + " fsck --strict --no-dangling").code, 0);

  Outcome again = Strata("recover KafkaCluster/acme/orders --repo " + fleet.bare());
  EXPECT_EQ(again.code, 0);
  EXPECT_THAT(again.out, HasSubstr("nothing to recover"));

  // The recovery is itself history.
  Outcome history = Strata("history KafkaCluster/acme/orders --limit 2 --repo " + fleet.bare());
  EXPECT_THAT(history.out, HasSubstr("tenants/acme/kafka/orders.yaml: created"));
  EXPECT_THAT(history.out, HasSubstr("tenants/acme/kafka/orders.yaml: deleted"));
}

TEST_F(HistoryCliTest, RecoverInAWorkCloneUsesItsGitIdentity) {
  strata::testing::FleetRepo fleet(dir_);
  fleet.Remove(kOrders);
  fleet.Push("remove orders");
  Sh("git -C " + fleet.work() + " config user.name Cy && git -C " + fleet.work() +
     " config user.email cy@example.com");
  Outcome done = Strata("recover KafkaCluster/acme/orders --commit --repo " + fleet.work());
  ASSERT_EQ(done.code, 0) << done.out;
  EXPECT_EQ(Sh("git -C " + fleet.work() + " status --porcelain").out, "");
  EXPECT_EQ(Sh("git -C " + fleet.work() + " log -1 --format=%an").out, "Cy\n");
  EXPECT_EQ(Sh("git -C " + fleet.work() + " push -q origin HEAD:main").code, 0);
  EXPECT_NE(fleet.Show(kOrders), "");
}

}  // namespace
