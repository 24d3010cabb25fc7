// What a controller reconciles after a rewrite of the fleet branch, and when it may reconcile on
// a head at all. Real repositories, moved with the git command line.
#include "reconciler/controller/rewrite.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/status_matchers.h"
#include "core/test_support.h"
#include "reconciler/reconcile/checkpoint.h"
#include "tests/support/fleet_repo.h"

namespace strata::controller {
namespace {

using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A PhysicalKafkaCluster as pkc writes it, naming its sources.
std::string Derived(const std::string& name, const std::string& sources, int brokers) {
  return "apiVersion: strata.dev/v1alpha1\nkind: PhysicalKafkaCluster\nmetadata:\n  name: " + name +
         "\n  annotations:\n    strata.dev/sources: " + sources + "\nspec:\n  brokers: " +
         std::to_string(brokers) + "\n";
}

// pkc's inputs and prefix, and the default answer to what lies behind an output.
class PkcLike : public Controller {
 public:
  const ControllerInfo& info() const override { return info_; }
  std::vector<Watch> Watches() override { return {}; }
  void Reset() override {}
  Result<std::map<std::string, Outcome>> Reconcile(const std::vector<std::string>&, FleetView&,
                                                   OutputBatch&) override {
    return std::map<std::string, Outcome>{};
  }

 private:
  ControllerInfo info_{"pkc", {"KafkaCluster", "Network", "Sku"}, {"PhysicalKafkaCluster"},
                       "derived/pkc/", "test"};
};

class RewriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("rewrite");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    auto repo = Repository::Open(fleet_->bare());
    ASSERT_THAT(repo.status(), IsOk());
    repo_ = std::make_unique<Repository>(std::move(*repo));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  git_oid Oid(const std::string& revision) {
    auto oid = repo_->ResolveCommit(fleet_->Git("rev-parse " + revision));
    EXPECT_THAT(oid.status(), IsOk());
    return oid.ok() ? *oid : git_oid{};
  }

  PkcLike pkc_;
  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(RewriteTest, ARewriteNamesTheChangedInputsAndTheSubjectsOfTheChangedOutputs) {
  fleet_->Write("derived/pkc/acme/pkc-acme-orders.yaml",
                Derived("pkc-acme-orders", "policy/skus/dedicated.yaml,tenants/acme/kafka/orders.yaml", 6));
  fleet_->Write("derived/pkc/shared/pkc-basic-1.yaml",
                Derived("pkc-basic-1", "policy/skus/basic.yaml,tenants/globex/kafka", 3));
  std::string before = fleet_->Push("derived as pkc would");
  fleet_->Write("derived/pkc/acme/pkc-acme-orders.yaml",
                Derived("pkc-acme-orders", "policy/skus/dedicated.yaml,tenants/acme/kafka/orders.yaml", 12));
  fleet_->Write("derived/pkc/shared/pkc-basic-1.yaml",
                Derived("pkc-basic-1", "policy/skus/basic.yaml,tenants/globex/kafka", 6));
  fleet_->Edit("tenants/initech/kafka/staging.yaml", "\n", "\n# a comment by a person\n");
  fleet_->Edit("policy/skus/basic.yaml", "\n", "\n# a comment\n");
  std::string after = fleet_->Push("more derived, a tenant changed, a policy changed");

  // Back from `after` to `before`: the inputs that changed (the policy too), and the subject of
  // each changed output (a source directory stands for its inputs), but not the policies those
  // outputs name: dedicated.yaml did not change.
  auto back = PathsToRederive(*repo_, pkc_, Oid(after), Oid(before));
  ASSERT_THAT(back.status(), IsOk());
  EXPECT_THAT(*back, ElementsAre("policy/skus/basic.yaml", "tenants/acme/kafka/orders.yaml",
                                 "tenants/globex/kafka/events.yaml",
                                 "tenants/globex/kafka/ledger.yaml",
                                 "tenants/initech/kafka/staging.yaml"));
  // Forward is what the reconciler's events cover; nothing, and nothing from no view at all.
  auto forward = PathsToRederive(*repo_, pkc_, Oid(before), Oid(after));
  ASSERT_THAT(forward.status(), IsOk());
  EXPECT_THAT(*forward, IsEmpty());
  auto none = PathsToRederive(*repo_, pkc_, git_oid{}, Oid(after));
  ASSERT_THAT(none.status(), IsOk());
  EXPECT_THAT(*none, IsEmpty());
}

TEST_F(RewriteTest, AHeadIsReconciledOnOnlyOnceTheReconcilerHasPublishedItsLine) {
  std::string first = fleet_->Git("rev-parse main");
  // No reconciler has ever run on this repository: nothing to wait for.
  auto unwatched = ReconcilerHasPublished(*repo_, "main", Oid(first));
  ASSERT_THAT(unwatched.status(), IsOk());
  EXPECT_TRUE(*unwatched);

  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  std::string second = fleet_->Push("orders: 4 CKU");
  reconcile::Checkpoint published;
  published.commit = Oid(second);
  published.tree = *repo_->TreeOfCommit(published.commit);
  ASSERT_THAT(reconcile::AdvanceCheckpoint(*repo_, "main", {}, published).status(), IsOk());
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 4", "cku: 6");
  std::string third = fleet_->Push("orders: 6 CKU");

  auto at_published = ReconcilerHasPublished(*repo_, "main", Oid(second));
  auto ahead = ReconcilerHasPublished(*repo_, "main", Oid(third));
  // Force-pushed back behind what was published: not until the reconciler has published it.
  auto behind = ReconcilerHasPublished(*repo_, "main", Oid(first));
  ASSERT_THAT(at_published.status(), IsOk());
  ASSERT_THAT(ahead.status(), IsOk());
  ASSERT_THAT(behind.status(), IsOk());
  EXPECT_TRUE(*at_published);
  EXPECT_TRUE(*ahead);
  EXPECT_FALSE(*behind);
}

}  // namespace
}  // namespace strata::controller
