// Force pushes against the layer cake as real processes: `strata reconcile --watch` and `strata
// controller --all` on a bare fleet repo with strata's hooks, and librdkafka's mock cluster.
//
// The case that matters is a force push that drops the controllers' own commits and nothing
// else: every input then reads exactly as when the controllers last reconciled it, so no change
// event names one, yet the derived files are back to older states. The controllers must find
// that themselves, whether they are running at the time or come back afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>

#include "core/test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/controller_lag.h"
#include "tests/support/strata_processes.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::testing::Eventually;
using ::strata::testing::Sh;
using ::strata::testing::StrataProcessTest;
using ::testing::HasSubstr;

constexpr auto kConverge = std::chrono::seconds(120);  // generous: CI runs two tests at once
const std::string kOrders = "derived/pkc/acme/pkc-acme-orders.yaml";
const std::string kOrdersSlice = "k8s-acme-orders-privatelink/pkc-acme-orders.yaml";
// The slice entry as main holds it (the satellite's own ref only ever moves forward).
const std::string kOrdersSliceOnMain = "satellites/aws-us-west-2-1/" + kOrdersSlice;

class RewriteCliTest : public StrataProcessTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SetUpFleet("rewrite-cli", 1));
    reconciler_ = Start({"reconcile", "--watch", "--repo", fleet_->bare()}, "reconcile");
  }
  void TearDown() override {
    reconciler_.reset();
    StrataProcessTest::TearDown();
  }

  std::unique_ptr<ChildProcess> StartControllers(const std::string& log) {
    return Start({"controller", "--all", "--repo", fleet_->bare()}, log);
  }
  bool SliceHas(const std::string& text) {
    auto out = Sh("git -C " + fleet_->bare() + " show satellites/aws-us-west-2-1:" + kOrdersSlice);
    return out.code == 0 && out.out.find(text) != std::string::npos;
  }
  bool ShowsOnMain(const std::string& path, const std::string& text) {
    return fleet_->Show(path).find(text) != std::string::npos;
  }
  // Resizes acme/orders from 2 to 4 CKU and waits until every layer has carried it to the
  // satellite; returns the pkc commit that derived it.
  std::string ResizeOrdersThroughEveryLayer(ChildProcess& controllers) {
    EXPECT_TRUE(Eventually([&] { return SliceHas("brokers: 6\n"); }, kConverge)) << controllers.Log();
    fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
    fleet_->Push("orders: 2 → 4 CKU");
    EXPECT_TRUE(Eventually([&] { return SliceHas("brokers: 12\n"); }, kConverge)) << controllers.Log();
    return fleet_->Git("log -1 --format=%H main -- " + kOrders);
  }
  // Force-pushes main to `commit`, as an operator undoing history would. The controllers may
  // commit on top of it at once: what was pushed is read from `commit`, not from main.
  void ForcePushTo(const std::string& commit) {
    auto pushed = Sh("git -C " + fleet_->work() + " fetch -q origin && git -C " + fleet_->work() +
                     " push -q -f origin " + commit + ":refs/heads/main 2>&1");
    ASSERT_EQ(pushed.code, 0) << pushed.out;
  }
  // Whether main now holds `commit` in its history.
  bool MainHolds(const std::string& commit) {
    return Sh("git -C " + fleet_->bare() + " merge-base --is-ancestor " + commit + " main").code == 0;
  }
  // After a force push to `pushed` that dropped pkc's commit `dropped`: pkc derives the resize
  // again on top of what was pushed, and the layers below carry it to main's slice.
  void ExpectDerivedAgain(const std::string& pushed, const std::string& dropped,
                          const ChildProcess& controllers) {
    ASSERT_TRUE(Eventually([&] {
      return MainHolds(pushed) && !MainHolds(dropped) && ShowsOnMain(kOrders, "brokers: 12\n");
    }, kConverge)) << controllers.Log();
    EXPECT_TRUE(Eventually([&] { return ShowsOnMain(kOrdersSliceOnMain, "brokers: 12\n"); },
                           kConverge)) << controllers.Log();
  }

  std::unique_ptr<ChildProcess> reconciler_;
};

TEST_F(RewriteCliTest, AForcePushThatDropsOnlyControllerCommitsIsDerivedAgain) {
  auto controllers = StartControllers("controllers");
  std::string derived = ResizeOrdersThroughEveryLayer(*controllers);

  // Back to before pkc derived the resize: the tenant file still says 4 CKU, pkc's file 6 brokers.
  std::string parent = fleet_->Git("rev-parse " + derived + "^");
  ASSERT_THAT(fleet_->ShowAt(parent, "tenants/acme/kafka/orders.yaml"), HasSubstr("cku: 4"));
  ASSERT_THAT(fleet_->ShowAt(parent, kOrders), HasSubstr("brokers: 6\n"));
  ASSERT_THAT(fleet_->ShowAt(parent, kOrdersSliceOnMain), HasSubstr("brokers: 6\n"));
  ForcePushTo(parent);

  ASSERT_NO_FATAL_FAILURE(ExpectDerivedAgain(parent, derived, *controllers));
  EXPECT_THAT(controllers->Log(), HasSubstr("pkc: refs/heads/main was rewritten ("));
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " fsck --strict --no-progress").code, 0);
}

TEST_F(RewriteCliTest, AForcePushBackToAnOlderFleetTakesTheSatellitesBackToo) {
  auto controllers = StartControllers("controllers");
  ASSERT_TRUE(Eventually([&] { return ShowsOnMain(kOrdersSliceOnMain, "brokers: 6\n"); }, kConverge))
      << controllers->Log();
  // Settled: every layer is done with the example fleet, so going back here gives no controller
  // anything to write.
  ASSERT_TRUE(Eventually([&] { return fleet_->StaysStill(std::chrono::seconds(2)); }, kConverge));
  std::string before_resize = fleet_->Git("rev-parse main");
  ResizeOrdersThroughEveryLayer(*controllers);

  // Back to before the person's resize: every layer on main agrees with 2 CKU again, so no
  // controller has a file to write, but the satellite's ref still holds the 12-broker slice.
  ASSERT_THAT(fleet_->ShowAt(before_resize, kOrdersSliceOnMain), HasSubstr("brokers: 6\n"));
  ForcePushTo(before_resize);

  // The ref moves forward, onto a slice commit of sync's whose tree is main's slice again (the
  // other layers may still be settling the older fleet: eventually).
  EXPECT_TRUE(Eventually([&] { return SliceHas("brokers: 6\n"); }, kConverge)) << controllers->Log();
  EXPECT_TRUE(Eventually([&] {
    return fleet_->Git("rev-parse satellites/aws-us-west-2-1^{tree}") ==
           fleet_->Git("rev-parse main:satellites/aws-us-west-2-1");
  }, kConverge)) << controllers->Log();
  EXPECT_EQ(fleet_->Git("log -1 --format=%an satellites/aws-us-west-2-1"), "strata sync");
}

TEST_F(RewriteCliTest, AControllerDownDuringAForcePushDerivesAgainWhenItStarts) {
  auto controllers = StartControllers("controllers");
  std::string derived = ResizeOrdersThroughEveryLayer(*controllers);
  // Every event pkc was sent reconciled and its offset committed: a restart replays none of
  // them, so only the rewrite itself can bring pkc back to the resize.
  ::strata::testing::ControllerLag lag(kafka_->bootstrap_servers(), {"pkc"});
  ASSERT_TRUE(Eventually([&] { return lag.CaughtUp(); }, kConverge)) << controllers->Log();
  controllers->Signal(SIGKILL);
  controllers->Wait();

  std::string head = fleet_->Git("rev-parse " + derived + "^");
  ASSERT_THAT(fleet_->ShowAt(head, kOrders), HasSubstr("brokers: 6\n"));
  ForcePushTo(head);
  // The reconciler publishes the rewrite (pkc's file back to 6 brokers); nothing names the input.
  ASSERT_TRUE(Eventually([&] {
    return Sh("git -C " + fleet_->bare() + " merge-base --is-ancestor " + head +
              " refs/strata/reconciled/main").code == 0;
  }, kConverge)) << reconciler_->Log();

  auto restarted = StartControllers("controllers-restarted");
  ASSERT_NO_FATAL_FAILURE(ExpectDerivedAgain(head, derived, *restarted));
  EXPECT_THAT(restarted->Log(), HasSubstr("pkc: refs/heads/main was rewritten while it was away"));
}

}  // namespace
}  // namespace strata
