// The controller framework with a small controller of its own: ownership, empty commits, the
// compare-and-swap race, trailers, and the layer graph. Real bare repositories, changed with the
// git command line.
#include "reconciler/controller/runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/status_matchers.h"
#include "core/test_support.h"
#include "reconciler/controller/layers.h"
#include "reconciler/controllers/derived_doc.h"
#include "tests/support/fleet_repo.h"

namespace strata::controller {
namespace {

using ::strata::testing::FleetRepo;
using ::strata::testing::FreshTestDir;
using ::strata::testing::Sh;
using ::testing::HasSubstr;

// Writes one NetworkAttachment per input path under its prefix (or, if told to, somewhere else),
// and can run a hook in the middle of its first Reconcile — a competing commit, say.
class EchoController : public Controller {
 public:
  explicit EchoController(std::string prefix = "derived/network/") {
    info_ = {"echo", {"Network"}, {"NetworkAttachment"}, std::move(prefix), "test"};
  }
  const ControllerInfo& info() const override { return info_; }
  std::vector<Watch> Watches() override { return {}; }
  void Reset() override {}
  Result<std::map<std::string, Outcome>> Reconcile(const std::vector<std::string>& paths,
                                                   FleetView& view, OutputBatch& out) override {
    ++calls;
    if (during_first_reconcile && calls == 1) during_first_reconcile();
    for (const std::string& path : paths) {
      std::string name = "na-" + controllers::StemOf(path);
      specs::Node doc = controllers::DerivedDoc("NetworkAttachment", name, {path});
      specs::Node* spec = controllers::SpecOf(doc);
      spec->Set("type", specs::Node::String("public"));
      spec->Set("cloud", specs::Node::String("aws"));
      spec->Set("region", specs::Node::String("us-east-1"));
      spec->Set("source", specs::Node::String("Network/acme/" + controllers::StemOf(path)));
      spec->Set("resources", specs::Node::Sequence());
      RETURN_IF_ERROR(out.Put(write_to + name + ".yaml", std::move(doc)));
    }
    (void)view;
    return std::map<std::string, Outcome>{};
  }
  ControllerInfo info_;
  std::string write_to = "derived/network/";
  std::function<void()> during_first_reconcile;
  int calls = 0;
};

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("runtime");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    auto schemas = specs::SchemaSet::LoadEmbedded();
    ASSERT_THAT(schemas.status(), IsOk());
    schemas_ = *schemas;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<ControllerRuntime> Make(std::unique_ptr<Controller> c) {
    RuntimeOptions options;
    options.repo = fleet_->bare();
    options.notify_reconcilers = false;
    auto runtime = ControllerRuntime::Create(std::move(c), options, schemas_);
    EXPECT_THAT(runtime.status(), IsOk());
    return runtime.ok() ? std::move(*runtime) : nullptr;
  }
  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::shared_ptr<const specs::SchemaSet> schemas_;
};

TEST_F(RuntimeTest, CommitsWithTrailersAndNothingWhenNothingChanged) {
  auto runtime = Make(std::make_unique<EchoController>());
  std::string cause = fleet_->Git("rev-parse main");
  auto first = runtime->ProcessBatch({"tenants/acme/networks/payments-peering.yaml"}, {cause});
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_FALSE(IsZeroOid(first->commit));
  EXPECT_EQ(fleet_->Git("log -1 --format=%B main"),
            "echo: 1 added file\n\nStrata-Controller: echo\nStrata-Cause: " + cause);
  EXPECT_EQ(fleet_->Git("log -1 --format=%an main"), "strata echo");
  // The same input again: byte-identical output, no commit.
  auto second = runtime->ProcessBatch({"tenants/acme/networks/payments-peering.yaml"}, {cause});
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_TRUE(IsZeroOid(second->commit));
  EXPECT_EQ(fleet_->Git("rev-parse main"), OidToHex(first->commit));
}

TEST_F(RuntimeTest, RefusesToWriteOutsideItsPrefix) {
  auto controller = std::make_unique<EchoController>();
  controller->write_to = "derived/pkc/";
  auto runtime = Make(std::move(controller));
  std::string before = fleet_->Git("rev-parse main");
  auto result = runtime->ProcessBatch({"tenants/acme/networks/payments-peering.yaml"}, {});
  EXPECT_THAT(result.status(),
              StatusIs(StatusCode::kPermissionDenied,
                       "refusing to write derived/pkc/na-payments-peering.yaml: outside this "
                       "controller's derived/network/"));
  EXPECT_EQ(fleet_->Git("rev-parse main"), before);
}

TEST_F(RuntimeTest, LosingTheRaceReappliesOnlyItsOwnFilesOnTheNewHead) {
  auto controller = std::make_unique<EchoController>();
  EchoController* echo = controller.get();
  auto runtime = Make(std::move(controller));
  std::string person;
  echo->during_first_reconcile = [&] {  // someone pushes while the controller computes
    fleet_->Write("tenants/acme/networks/extra.yaml", "# a person's file\n");
    person = fleet_->Push("a change by a person");
  };
  auto result = runtime->ProcessBatch({"tenants/acme/networks/payments-peering.yaml"}, {});
  ASSERT_THAT(result.status(), IsOk());
  EXPECT_EQ(result->races_lost, 1);
  EXPECT_EQ(echo->calls, 2);
  // The controller's commit sits on top of the person's, and both changes are there.
  EXPECT_EQ(fleet_->Git("rev-parse main^"), person);
  EXPECT_EQ(fleet_->Git("show --name-only --format= main"),
            "derived/network/na-payments-peering.yaml");
  EXPECT_EQ(fleet_->Show("tenants/acme/networks/extra.yaml"), "# a person's file\n");
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " fsck --strict --no-progress").code, 0);
}

TEST_F(RuntimeTest, ARewriteThatDropsItsCommitIsReconciledAgainOnTheNextBatch) {
  auto runtime = Make(std::make_unique<EchoController>());
  const std::string input = "tenants/acme/networks/payments-peering.yaml";
  auto first = runtime->ProcessBatch({input}, {});
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_FALSE(IsZeroOid(first->commit));
  // A force push drops the controller's commit: the input reads as before, the output is gone.
  fleet_->Git("update-ref refs/heads/main " + OidToHex(first->commit) + "^");
  ASSERT_EQ(fleet_->Show("derived/network/na-payments-peering.yaml"), "");

  // A batch that names no path (as after an idle look at the branch) writes it again.
  auto again = runtime->ProcessBatch({}, {});
  ASSERT_THAT(again.status(), IsOk());
  ASSERT_FALSE(IsZeroOid(again->commit));
  EXPECT_EQ(fleet_->Git("show --name-only --format= main"),
            "derived/network/na-payments-peering.yaml");
  EXPECT_EQ(runtime->stats().rewrites.load(), 1u);
  // Moving forward is not a rewrite: nothing more to do.
  auto forward = runtime->ProcessBatch({}, {});
  ASSERT_THAT(forward.status(), IsOk());
  EXPECT_TRUE(IsZeroOid(forward->commit));
  EXPECT_EQ(runtime->stats().rewrites.load(), 1u);
}

TEST(LayersTest, OrderFollowsTheDeclaredGraphAndRefusesACycle) {
  std::vector<ControllerInfo> infos = {
      {"front", {"KafkaCluster"}, {"PhysicalKafkaCluster"}, "derived/front/", ""},
      {"middle", {"PhysicalKafkaCluster"}, {"K8sCluster"}, "derived/middle/", ""},
      {"back", {"K8sCluster"}, {"SliceEntry"}, "satellites/", ""},
  };
  auto cake = ComputeLayers(infos);
  ASSERT_THAT(cake.status(), IsOk());
  EXPECT_EQ(cake->layers.size(), 3u);
  EXPECT_EQ(cake->StartOrder(), (std::vector<std::string>{"back", "middle", "front"}));
  infos[0].inputs.push_back("SliceEntry");  // back now feeds front
  EXPECT_THAT(ComputeLayers(infos).status(),
              StatusIs(StatusCode::kFailedPrecondition,
                       "controller cycle: front → back → middle → front"));
  infos[0].inputs.pop_back();
  infos[2].prefix = "derived/front/x/";
  EXPECT_THAT(ComputeLayers(infos).status(),
              StatusIs(StatusCode::kInvalidArgument,
                       "controller back's prefix derived/front/x/ lies inside front's derived/front/"));
}

}  // namespace
}  // namespace strata::controller
