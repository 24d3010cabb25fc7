// strata plan against a real fleet: each pull request is planned on the bare repository (the
// head pushed to a branch), then merged and reconciled by the controllers (the in-process cake,
// as `strata up` runs them); the plan must have predicted exactly the derived and satellite
// files they commit, computed-at annotations aside (those name commits that do not exist yet).
#include "reconciler/plan/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "core/git.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "reconciler/plan/render.h"
#include "tests/support/fleet_repo.h"
#include "tests/support/layer_cake.h"

namespace strata::plan {
namespace {

using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::strata::testing::LayerCake;
using ::strata::testing::Sh;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

void Must(const std::string& command) {
  auto run = Sh(command);
  if (run.code != 0) throw std::runtime_error(command + ": " + run.out);
}

// A file's bytes without its computed-at annotation.
std::string WithoutComputedAt(const std::string& bytes) {
  std::istringstream in(bytes);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("strata.dev/computed-at:") == std::string::npos) out += line + "\n";
  }
  return out;
}

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("plan");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    auto cake = LayerCake::Create(fleet_->bare());
    ASSERT_THAT(cake.status(), IsOk());
    cake_ = std::move(*cake);
    ASSERT_THAT(cake_->Settle().status(), IsOk());
    Must("cd " + fleet_->work() + " && git pull -q --rebase origin main");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The pull request pushed to refs/heads/pr, planned onto main in the bare repository.
  PlanOptions PullRequest() const {
    PlanOptions options;
    options.repo = fleet_->bare();
    options.base = "main";
    options.head = "pr";
    options.collect_settled_files = true;
    return options;
  }

  // Commits the work tree as a pull request (pushed to refs/heads/pr) and plans it.
  PlanResult PlanPullRequest(const std::string& message) {
    Must("cd " + fleet_->work() + " && git add -A && git -c user.name=Ada -c user.email=ada@x " +
         "commit -q -m '" + message + "' && git push -q -f origin HEAD:refs/heads/pr");
    PlanOptions options = PullRequest();
    Result<PlanResult> plan = Plan(options);
    EXPECT_THAT(plan.status(), IsOk());
    return plan.ok() ? *plan : PlanResult{};
  }

  // Merges the pull request, lets the controllers settle, and checks the plan predicted it all.
  void MergeAndExpectPlanWasRight(const PlanResult& plan) {
    Must("cd " + fleet_->work() + " && git push -q origin HEAD:main");
    ASSERT_THAT(cake_->Settle().status(), IsOk());
    Must("cd " + fleet_->work() + " && git pull -q --rebase origin main");
    std::map<std::string, std::string> applied;
    Result<Repository> repo = Repository::Open(fleet_->bare());
    ASSERT_THAT(repo.status(), IsOk());
    Result<git_oid> tree = repo->TreeOfCommit(*repo->ResolveCommit("main"));
    for (const char* dir : {"derived", "satellites"}) {
      Result<std::vector<TreeFile>> files = repo->ListFilesUnder(*tree, dir);
      ASSERT_THAT(files.status(), IsOk());
      for (const TreeFile& f : *files) applied[f.path] = WithoutComputedAt(*repo->ReadBlob(f.oid));
    }
    std::map<std::string, std::string> planned;
    for (const auto& [path, bytes] : plan.settled_files) planned[path] = WithoutComputedAt(bytes);
    ASSERT_EQ(planned.size(), applied.size());
    for (const auto& [path, bytes] : applied) {
      ASSERT_TRUE(planned.count(path)) << "the plan misses " << path;
      EXPECT_EQ(planned[path], bytes) << path;
    }
  }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::unique_ptr<LayerCake> cake_;
};

TEST_F(PlanTest, ASequenceOfPullRequestsIsPlannedExactlyAsTheControllersApplyIt) {
  const std::string orders = "tenants/acme/kafka/orders.yaml";
  fleet_->Edit(orders, "cku: 2", "cku: 4");
  PlanResult grow = PlanPullRequest("orders: 2 → 4 CKU");
  EXPECT_EQ(PlanExitCode(grow), 3);
  EXPECT_THAT(grow.problems, IsEmpty());
  EXPECT_THAT(grow.changed_inputs, ElementsAre(orders));
  EXPECT_THAT(grow.changes, Contains(Field(&PlannedChange::summary, HasSubstr("+6 brokers on "))));
  EXPECT_THAT(grow.changes, Contains(Field(&PlannedChange::controller, "capacity")));
  ASSERT_NO_FATAL_FAILURE(MergeAndExpectPlanWasRight(grow));

  // A new dedicated cluster in a region, a new shared one, and a removal, in one pull request.
  fleet_->Write("tenants/initech/kafka/billing.yaml",
                "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: billing\n"
                "  org: initech\nspec:\n  sku: dedicated\n  cloud: gcp\n  region: europe-west1\n"
                "  availability: multi-zone\n  cku: 1\n");
  fleet_->Write("tenants/initech/kafka/scratch.yaml",
                "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: scratch\n"
                "  org: initech\nspec:\n  sku: basic\n  cloud: azure\n  region: westeurope\n"
                "  availability: single-zone\n");
  fleet_->Remove("tenants/globex/kafka/events.yaml");
  PlanResult mixed = PlanPullRequest("billing, scratch, and events gone");
  EXPECT_EQ(PlanExitCode(mixed), 3);
  EXPECT_THAT(mixed.changes,
              Contains(Field(&PlannedChange::summary, HasSubstr("new physical Kafka cluster "))));
  EXPECT_THAT(mixed.satellites, Contains(Field(&SatellitePlan::satellite, "gcp-europe-west1-1")));
  ASSERT_NO_FATAL_FAILURE(MergeAndExpectPlanWasRight(mixed));

  // Shrinking back; a label (which rollout selectors match on the physical cluster); then an
  // annotation only, which changes nothing downstream.
  fleet_->Edit(orders, "cku: 4", "cku: 3");
  PlanResult shrink = PlanPullRequest("orders: 4 → 3 CKU");
  EXPECT_THAT(shrink.changes,
              Contains(Field(&PlannedChange::summary, HasSubstr("-3 brokers on "))));
  ASSERT_NO_FATAL_FAILURE(MergeAndExpectPlanWasRight(shrink));
  fleet_->Edit(orders, "team: commerce", "team: checkout");
  PlanResult label = PlanPullRequest("orders: another team");
  EXPECT_EQ(PlanExitCode(label), 3);
  EXPECT_THAT(label.changes, Contains(Field(&PlannedChange::controller, "pkc")));
  ASSERT_NO_FATAL_FAILURE(MergeAndExpectPlanWasRight(label));
  fleet_->Edit(orders, "  labels:\n", "  annotations:\n    strata.dev/note: ask checkout\n  labels:\n");
  PlanResult note = PlanPullRequest("orders: a note");
  EXPECT_EQ(PlanExitCode(note), 0);
  EXPECT_THAT(note.changes, IsEmpty());
  ASSERT_NO_FATAL_FAILURE(MergeAndExpectPlanWasRight(note));
}

TEST_F(PlanTest, NothingIsWrittenToTheFleetRepository) {
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  PlanResult first = PlanPullRequest("orders: 2 → 4 CKU");
  ASSERT_EQ(PlanExitCode(first), 3);
  std::string refs = fleet_->Git("for-each-ref");
  std::string objects = fleet_->Git("count-objects -v");
  PlanOptions options = PullRequest();
  options.collect_settled_files = false;
  Result<PlanResult> again = Plan(options);
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->changes.size(), first.changes.size());
  EXPECT_EQ(fleet_->Git("for-each-ref"), refs);
  EXPECT_EQ(fleet_->Git("count-objects -v"), objects);
  EXPECT_EQ(fleet_->Git("fsck --no-progress"), "");
}

TEST_F(PlanTest, APullRequestOnAnOlderBaseIsPlannedAsItsMergeWithoutUndoingWhatLandedSince) {
  Must("cd " + fleet_->work() + " && git checkout -q -b pr");
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  Must("cd " + fleet_->work() +
       " && git add -A && git -c user.name=Ada -c user.email=ada@x "
       "commit -q -m grow && git push -q origin pr");
  // Meanwhile another pull request lands on main and is reconciled.
  Must("cd " + fleet_->work() + " && git checkout -q main");
  fleet_->Edit("tenants/initech/kafka/staging.yaml", "sku: standard", "sku: basic");
  fleet_->Push("staging: basic");
  ASSERT_THAT(cake_->Settle().status(), IsOk());

  PlanOptions options = PullRequest();
  Result<PlanResult> plan = Plan(options);
  ASSERT_THAT(plan.status(), IsOk());
  EXPECT_THAT(plan->changed_inputs, ElementsAre("tenants/acme/kafka/orders.yaml"));
  EXPECT_EQ(PlanExitCode(*plan), 3);
  // Rebased and merged on top of what landed, the controllers commit exactly what the plan
  // predicted (a plan of the head's tree alone would have undone the staging change).
  Must("cd " + fleet_->work() +
       " && git checkout -q pr && git fetch -q origin && "
       "git -c user.name=Ada -c user.email=ada@x rebase -q origin/main");
  ASSERT_NO_FATAL_FAILURE(MergeAndExpectPlanWasRight(*plan));
}

TEST_F(PlanTest, InvalidInputAndWritesIntoControllersAreasAreRefusedWithFileLineAndField) {
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: -1");
  fleet_->Write("derived/pkc/hand-made.yaml", "kind: PhysicalKafkaCluster\n");
  PlanResult plan = PlanPullRequest("bad");
  EXPECT_EQ(PlanExitCode(plan), 1);
  ASSERT_EQ(plan.problems.size(), 2u);
  EXPECT_EQ(plan.problems[0].path, "derived/pkc/hand-made.yaml");
  EXPECT_EQ(plan.problems[0].refused_by, "ownership");
  EXPECT_THAT(plan.problems[0].errors[0].message,
              HasSubstr("people may not change derived/ (owned by the pkc controller)"));
  EXPECT_EQ(plan.problems[1].path, "tenants/acme/kafka/orders.yaml");
  EXPECT_EQ(plan.problems[1].refused_by, "validation");
  ASSERT_FALSE(plan.problems[1].errors.empty());
  EXPECT_EQ(plan.problems[1].errors[0].field, "spec.cku");
  EXPECT_EQ(plan.problems[1].errors[0].line, 15);
  EXPECT_THAT(RenderText(plan), HasSubstr("tenants/acme/kafka/orders.yaml:15:"));
}

TEST_F(PlanTest, ControllerRejectionsAreProblemsOfThePlan) {
  // acme's policy does not allow every SKU everywhere: a residency or SKU refusal comes from pkc.
  fleet_->Write("tenants/acme/kafka/far.yaml",
                "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: far\n"
                "  org: acme\nspec:\n  sku: dedicated\n  cloud: aws\n  region: us-west-2\n"
                "  availability: multi-zone\n  cku: 1\n  network: no-such-network\n");
  PlanResult plan = PlanPullRequest("far, on a network that does not exist");
  EXPECT_EQ(PlanExitCode(plan), 1);
  ASSERT_EQ(plan.problems.size(), 1u);
  EXPECT_EQ(plan.problems[0].refused_by, "pkc");
  EXPECT_EQ(plan.problems[0].key, "KafkaCluster/acme/far");
}

}  // namespace
}  // namespace strata::plan
