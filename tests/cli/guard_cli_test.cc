// The server-side guard, driven by real `git push`es into a bare fleet repository with the hook
// that `strata hook install --server` writes: valid pushes pass untouched; a push that breaks
// validation or ownership is refused, naming the commit, the file and the rule, and the branch
// stays where it was.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

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

class GuardCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("guard-cli");
    fleet_ = std::make_unique<FleetRepo>(dir_);
    auto installed = Sh(kStrata + " hook install --server " + fleet_->bare());
    ASSERT_EQ(installed.code, 0) << installed.out;
    EXPECT_THAT(installed.out, HasSubstr("hooks/pre-receive"));
    EXPECT_THAT(installed.out, HasSubstr("hooks/post-receive"));
    auto cake = LayerCake::Create(fleet_->bare());
    ASSERT_THAT(cake.status(), IsOk());
    cake_ = std::move(*cake);
    ASSERT_THAT(cake_->Settle().status(), IsOk());
    ASSERT_EQ(Git("pull -q --rebase origin main").code, 0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  testing::Outcome Git(const std::string& args, const std::string& who = "Ada <ada@example.com>") {
    std::string name = who.substr(0, who.find(" <"));
    std::string email = who.substr(who.find('<') + 1, who.find('>') - who.find('<') - 1);
    return Sh("cd " + fleet_->work() + " && git -c user.name='" + name +
              "' -c user.email=" + email + " " + args);
  }
  // Commits everything in the work tree and pushes it to `ref`; the push's output.
  testing::Outcome CommitAndPush(const std::string& message, const std::string& ref = "main",
                                 const std::string& who = "Ada <ada@example.com>") {
    EXPECT_EQ(Git("add -A").code, 0);
    EXPECT_EQ(Git("commit -q -m '" + message + "'", who).code, 0);
    return Git("push origin HEAD:" + ref);
  }
  std::string Main() { return fleet_->Git("rev-parse main"); }

  std::string dir_;
  std::unique_ptr<FleetRepo> fleet_;
  std::unique_ptr<LayerCake> cake_;
};

TEST_F(GuardCliTest, AValidChangePassesUntouched) {
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  testing::Outcome push = CommitAndPush("orders: 4 CKU");
  EXPECT_EQ(push.code, 0) << push.out;
  EXPECT_THAT(push.out, Not(HasSubstr("remote:")));
  EXPECT_EQ(Main(), Git("rev-parse HEAD").out.substr(0, 40));
}

TEST_F(GuardCliTest, AnInvalidSpecIsRefusedWithCommitFileLineFieldAndRule) {
  std::string before = Main();
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: -1");
  testing::Outcome push = CommitAndPush("orders: -1 CKU");
  EXPECT_NE(push.code, 0);
  std::string commit = Git("rev-parse HEAD").out.substr(0, 12);
  EXPECT_THAT(push.out, HasSubstr("remote: strata: refused refs/heads/main: commit " + commit +
                                  " (Ada <ada@example.com>): tenants/acme/kafka/orders.yaml:15:3: "
                                  "[validation] spec.cku: -1 is below the minimum of 1"));
  EXPECT_THAT(push.out, HasSubstr("pre-receive hook declined"));
  EXPECT_EQ(Main(), before);
  EXPECT_EQ(fleet_->Git("fsck --no-progress"), "");
}

TEST_F(GuardCliTest, APersonWritingUnderDerivedOrSatellitesIsRefused) {
  std::string before = Main();
  fleet_->Write("derived/pkc/acme/hand-made.yaml", "kind: PhysicalKafkaCluster\n");
  fleet_->Write("satellites/aws-us-west-2-1/extra.yaml", "kind: SliceEntry\n");
  testing::Outcome push = CommitAndPush("a shortcut");
  EXPECT_NE(push.code, 0);
  EXPECT_THAT(push.out, HasSubstr("derived/pkc/acme/hand-made.yaml: [people-write-derived] people "
                                  "may not change derived/ (written only by the pkc controller)"));
  EXPECT_THAT(push.out, HasSubstr("satellites/aws-us-west-2-1/extra.yaml: [people-write-derived] "
                                  "people may not change satellites/ (written only by the sync "
                                  "controller)"));
  EXPECT_EQ(Main(), before);
}

TEST_F(GuardCliTest, APushedCommitClaimingAControllerIsRefusedByDefault) {
  std::string before = Main();
  // strata's controllers commit in place; a push can forge a trailer and an author.
  fleet_->Write("derived/pkc/acme/forged.yaml", "kind: PhysicalKafkaCluster\n");
  testing::Outcome forged = CommitAndPush("pkc: 1 file added\n\nStrata-Controller: pkc", "main",
                                          "strata pkc <pkc@controllers.strata.local>");
  EXPECT_NE(forged.code, 0);
  EXPECT_THAT(forged.out, HasSubstr("[controller-commit-pushed] strata's controllers commit in "
                                    "place, never through a push: a pushed commit may not claim "
                                    "to be a controller's (Strata-Controller: pkc)"));
  EXPECT_THAT(forged.out, HasSubstr("derived/pkc/acme/forged.yaml: [people-write-derived]"));
  EXPECT_EQ(Main(), before);
}

TEST_F(GuardCliTest, TrustedPushedControllerCommitsWriteOnlyUnderTheirPrefixAndOnlyAsThemselves) {
  auto installed =
      Sh(kStrata + " hook install --trust-pushed-controller-commits --server " + fleet_->bare());
  ASSERT_EQ(installed.code, 0) << installed.out;
  std::string before = Main();
  fleet_->Write("derived/pkc/acme/note.yaml", "kind: PhysicalKafkaCluster\n");
  testing::Outcome own = CommitAndPush(
      "pkc: 1 file added\n\nStrata-Controller: pkc\n"
      "Strata-Cause: " +
          before,
      "main", "strata pkc <pkc@controllers.strata.local>");
  EXPECT_EQ(own.code, 0) << own.out;
  std::string after_own = Main();
  fleet_->Write("derived/capacity/aws-us-west-2/k8s-extra.yaml", "kind: K8sCluster\n");
  testing::Outcome outside = CommitAndPush("pkc: 1 file added\n\nStrata-Controller: pkc", "main",
                                           "strata pkc <pkc@controllers.strata.local>");
  EXPECT_NE(outside.code, 0);
  EXPECT_THAT(outside.out, HasSubstr("derived/capacity/aws-us-west-2/k8s-extra.yaml: "
                                     "[controller-outside-prefix] the pkc controller writes only "
                                     "under derived/pkc/"));
  EXPECT_EQ(Main(), after_own);
  ASSERT_EQ(Git("reset -q --hard HEAD~1").code, 0);
  fleet_->Write("derived/pkc/acme/claimed.yaml", "kind: PhysicalKafkaCluster\n");
  testing::Outcome claimed = CommitAndPush("pkc: 1 file\n\nStrata-Controller: pkc");
  EXPECT_NE(claimed.code, 0);
  EXPECT_THAT(claimed.out, HasSubstr("[controller-identity] the commit says Strata-Controller: "
                                     "pkc but is authored by ada@example.com"));
  EXPECT_THAT(claimed.out, HasSubstr("[people-write-derived]"));
  EXPECT_EQ(Main(), after_own);
}

TEST_F(GuardCliTest, OnlyTheSyncControllerMovesASatellitesRefAndNobodyDeletesTheBranch) {
  std::string slice = fleet_->Git("rev-parse satellites/aws-us-west-2-1");
  // A commit of the sync controller's on main, but not a slice of this satellite.
  std::string sync_commit =
      Git("log -1 --format=%H --author=sync@controllers.strata.local").out.substr(0, 40);
  ASSERT_EQ(sync_commit.size(), 40u);
  testing::Outcome moved =
      Git("push origin " + sync_commit + ":refs/heads/satellites/aws-us-west-2-1 --force");
  EXPECT_NE(moved.code, 0);
  EXPECT_THAT(moved.out, HasSubstr("[slice-ref-not-forward]"));
  // A real slice, but another satellite's, pushed as a new satellite's ref.
  ASSERT_EQ(Git("fetch -q origin refs/heads/satellites/aws-us-west-2-1").code, 0);
  testing::Outcome onto = Git("push origin FETCH_HEAD:refs/heads/satellites/aws-us-east-9-1");
  EXPECT_NE(onto.code, 0);
  EXPECT_THAT(onto.out, HasSubstr("[slice-ref-not-sync] only the sync controller moves "
                                  "refs/heads/satellites/aws-us-east-9-1, onto slice commits of "
                                  "aws-us-east-9-1"));
  testing::Outcome deleted = Git("push origin :refs/heads/satellites/aws-us-west-2-1");
  EXPECT_NE(deleted.code, 0);
  EXPECT_THAT(deleted.out, HasSubstr("[slice-ref-deleted]"));
  testing::Outcome main_deleted = Git("push origin :main");
  EXPECT_NE(main_deleted.code, 0);
  EXPECT_THAT(main_deleted.out,
              HasSubstr("[fleet-branch-deleted] the fleet branch cannot be deleted"));
  testing::Outcome checkpoint = Git("push origin HEAD:refs/strata/reconciled/main");
  EXPECT_NE(checkpoint.code, 0);
  EXPECT_THAT(checkpoint.out, HasSubstr("[strata-ref]"));
  EXPECT_EQ(fleet_->Git("rev-parse satellites/aws-us-west-2-1"), slice);
  EXPECT_EQ(Sh("git -C " + fleet_->bare() + " rev-parse -q --verify main").code, 0);
  EXPECT_NE(
      Sh("git -C " + fleet_->bare() + " rev-parse -q --verify satellites/aws-us-east-9-1").code, 0);
}

TEST_F(GuardCliTest, APersonsMergeOfControllerCommitsIsJudgedOnlyOnWhatTheMergeBrings) {
  // Ada commits locally; meanwhile Bob's change lands and the controllers commit on the server.
  fleet_->Write("README.md", "the fleet\n");
  ASSERT_EQ(Git("add -A").code, 0);
  ASSERT_EQ(Git("commit -q -m readme").code, 0);
  std::string bob = dir_ + "/bob";
  ASSERT_EQ(Sh("git clone -q " + fleet_->bare() + " " + bob).code, 0);
  ASSERT_EQ(Sh("cd " + bob +
               " && sed -i 's/cku: 2/cku: 4/' tenants/acme/kafka/orders.yaml && "
               "git -c user.name=Bob -c user.email=bob@x commit -qam grow && git push -q")
                .code,
            0);
  ASSERT_THAT(cake_->Settle().status(), IsOk());
  // Ada merges (git pull without --rebase): the merge's second parent brings derived/ files.
  ASSERT_EQ(Git("pull -q --no-rebase --no-edit origin main").code, 0);
  ASSERT_EQ(Git("rev-list --parents -n1 HEAD").out.size(), 3 * 41u);  // a merge commit
  testing::Outcome push = Git("push origin HEAD:main");
  EXPECT_EQ(push.code, 0) << push.out;
}

TEST_F(GuardCliTest, AMergeCannotBringBackAnOldDerivedStateFromAnOldCommitOfTheBranch) {
  std::string old = Main();
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4");
  ASSERT_EQ(CommitAndPush("orders: 4 CKU").code, 0);
  ASSERT_THAT(cake_->Settle().status(), IsOk());
  ASSERT_EQ(Git("pull -q --rebase origin main").code, 0);
  std::string now = Main();
  // A merge of main and its own old commit, taking derived/ as the old commit had it: every file
  // equals a parent's, but that parent is not a commit this push or the branch's tip vouches for.
  ASSERT_EQ(Git("checkout -q " + old + " -- derived").code, 0);
  std::string tree = Git("write-tree").out.substr(0, 40);
  std::string merge =
      Git("commit-tree " + tree + " -p HEAD -p " + old + " -m 'merge the past'").out.substr(0, 40);
  testing::Outcome push = Git("push origin " + merge + ":main");
  EXPECT_NE(push.code, 0);
  EXPECT_THAT(push.out, HasSubstr("derived/pkc/acme/pkc-acme-orders.yaml: [people-write-derived]"));
  EXPECT_EQ(Main(), now);
}

TEST_F(GuardCliTest, OtherBranchesPassUntouched) {
  fleet_->Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: -1");
  testing::Outcome push = CommitAndPush("work in progress", "refs/heads/feature");
  EXPECT_EQ(push.code, 0) << push.out;
}

}  // namespace
}  // namespace strata
