// `strata plan` as a pull request's CI job runs it: in a clone, against origin/main, with the
// real binary; its exit code says whether anything changes downstream (3), nothing does (0),
// something would be refused (1), or the plan could not be made (2).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/status_matchers.h"
#include "core/test_support.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"

namespace strata {
namespace {

using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::strata::testing::LayerCake;
using ::strata::testing::Sh;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kStrata = STRATA_BINARY;

class PlanCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("plan-cli");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    auto cake = LayerCake::Create(fleet_->bare());
    ASSERT_THAT(cake.status(), IsOk());
    ASSERT_THAT((*cake)->Settle().status(), IsOk());
    ASSERT_EQ(Git("pull -q --rebase origin main").code, 0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  testing::Outcome Git(const std::string& args) {
    return Sh("cd " + fleet_->work() + " && git -c user.name=Ada -c user.email=ada@x " + args);
  }
  // `strata plan` in the clone, on what is committed there, against origin/main.
  testing::Outcome PlanInClone(const std::string& flags = "") {
    return Sh("cd " + fleet_->work() + " && { " + kStrata + " plan --base origin/main " + flags +
              " 2>/dev/null; }");
  }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
};

TEST_F(PlanCliTest, AGrowingClusterPlansBrokersNodesAndTheSatelliteAndExitsThree) {
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 6");
  ASSERT_EQ(Git("commit -qam 'orders: 2 → 6 CKU'").code, 0);
  testing::Outcome text = PlanInClone();
  EXPECT_EQ(text.code, 3) << text.out;
  EXPECT_THAT(text.out, HasSubstr("layer 2 · pkc\n  ~ +12 brokers on "));
  EXPECT_THAT(text.out, HasSubstr("(6 → 18)"));
  EXPECT_THAT(text.out, HasSubstr("spec.tenants[0].cku: 2 → 6"));
  EXPECT_THAT(text.out, HasSubstr("layer 4 · capacity\n"));
  EXPECT_THAT(text.out, HasSubstr(" nodes"));
  EXPECT_THAT(text.out, HasSubstr("layer 5 · sync\n  ~ satellite aws-us-west-2-1: "));
  EXPECT_THAT(text.out, HasSubstr("\nPlan: "));

  testing::Outcome markdown = PlanInClone("--output markdown");
  EXPECT_EQ(markdown.code, 3);
  EXPECT_THAT(markdown.out, HasSubstr("### strata plan: "));
  EXPECT_THAT(markdown.out, HasSubstr("#### Layer 2 · pkc\n\n- `~` +12 brokers on "));
  EXPECT_THAT(markdown.out, HasSubstr("  + spec.brokers: 18\n"));

  testing::Outcome json = PlanInClone("--output json");
  EXPECT_EQ(json.code, 3);
  nlohmann::json plan = nlohmann::json::parse(json.out);
  EXPECT_EQ(plan["exitCode"], 3);
  EXPECT_EQ(plan["changedInputs"], nlohmann::json::array({"tenants/acme/kafka/orders.yaml"}));
  EXPECT_EQ(plan["changes"][0]["controller"], "pkc");
  EXPECT_EQ(plan["changes"][0]["action"], "update");
  // Nothing reached the fleet repo: main is where it was, with no new ref.
  EXPECT_EQ(fleet_->Git("rev-parse main"), Git("rev-parse origin/main").out.substr(0, 40));
  EXPECT_THAT(fleet_->Git("for-each-ref --format='%(refname)'"), Not(HasSubstr("plan")));
}

TEST_F(PlanCliTest, AChangeWithNoDownstreamEffectExitsZero) {
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "  labels:\n",
               "  annotations:\n    strata.dev/note: ask checkout\n  labels:\n");
  ASSERT_EQ(Git("commit -qam 'orders: a note'").code, 0);
  testing::Outcome plan = PlanInClone();
  EXPECT_EQ(plan.code, 0) << plan.out;
  EXPECT_THAT(plan.out, HasSubstr("Plan: no downstream change."));
}

TEST_F(PlanCliTest, AnInvalidChangeExitsOneNamingFileLineAndField) {
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "sku: dedicated", "sku: platinum");
  ASSERT_EQ(Git("commit -qam 'orders: platinum'").code, 0);
  testing::Outcome plan = PlanInClone();
  EXPECT_EQ(plan.code, 1) << plan.out;
  EXPECT_THAT(plan.out, HasSubstr("Refused:\n  tenants/acme/kafka/orders.yaml ("));
  EXPECT_THAT(plan.out, HasSubstr("tenants/acme/kafka/orders.yaml:11:"));
  EXPECT_THAT(plan.out, HasSubstr("spec.sku"));
}

TEST_F(PlanCliTest, AnUnknownRevisionIsAnErrorExitTwo) {
  testing::Outcome plan =
      Sh("cd " + fleet_->work() + " && " + kStrata + " plan --base origin/no-such-branch");
  EXPECT_EQ(plan.code, 2) << plan.out;
  EXPECT_THAT(plan.out, HasSubstr("strata plan: "));
  EXPECT_THAT(plan.out, HasSubstr("no-such-branch"));
}

}  // namespace
}  // namespace strata
