#include "reconciler/rollout_cli/rollout_edit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/status_matchers.h"
#include "reconciler/rollout_cli/line_diff.h"
#include "reconciler/rollout_cli/rollout_fixture.h"

namespace strata::rollout_cli {
namespace {

using testing::Git;
using testing::kRollout;
using testing::kRolloutFile;

const audit::Author kAuthor{"Ops", "ops@example.com"};

// kRollout with `from` replaced by `to`.
std::string RolloutWith(const std::string& from, const std::string& to) {
  std::string text = kRollout;
  size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("no " + from);
  return text.replace(at, from.size(), to);
}

class RolloutEditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::FreshTestDir("rollout-edit");
    bare_ = testing::MakeBareRepo(dir_, testing::RolloutFiles());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<EditOutcome> Edit(RolloutAction action, const std::string& wave = "",
                           const std::string& repo_path = "") {
    auto repo = Repository::Open(repo_path.empty() ? bare_ : repo_path);
    if (!repo.ok()) return repo.status();
    return CommitEdit(*repo, {"kafka-38", "main", action, wave}, kAuthor);
  }
  std::string File() const { return Git(bare_, "show main:" + std::string(kRolloutFile)); }

  std::string dir_;
  std::string bare_;
};

TEST_F(RolloutEditTest, ApproveAddsTheWaveInOneCommitGitAgrees) {
  std::string before = Git(bare_, "rev-parse main");
  auto approved = Edit(RolloutAction::kApprove, "rest");
  ASSERT_THAT(approved, IsOk());
  EXPECT_EQ(OidToHex(approved->commit), Git(bare_, "rev-parse main"));
  EXPECT_EQ(File() + "\n", std::string(kRollout) + "  approvedWaves:\n    - rest\n");
  EXPECT_EQ(Git(bare_, "log -1 --format='%an <%ae>|%P|%B' main"),
            "Ops <ops@example.com>|" + before + "|rollout kafka-38: approve wave rest");
  EXPECT_EQ(Git(bare_, "diff --name-only main~1 main"), kRolloutFile);
  EXPECT_EQ(Git(bare_, "rev-list --count main"), "2");

  // Approving it again is nothing to do, and no commit.
  auto again = Edit(RolloutAction::kApprove, "rest");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->plan.nothing_to_do, "wave rest of rollout kafka-38 is already approved");
  EXPECT_TRUE(IsZeroOid(again->commit));
  EXPECT_EQ(Git(bare_, "rev-list --count main"), "2");
}

TEST_F(RolloutEditTest, AnUnknownWaveNamesTheKnownOnes) {
  EXPECT_THAT(Edit(RolloutAction::kApprove, "azure"),
              StatusIs(StatusCode::kInvalidArgument,
                       "rollout kafka-38 has no wave 'azure'; its waves: internal, gcp, rest"));
  EXPECT_EQ(Git(bare_, "rev-list --count main"), "1");
}

TEST_F(RolloutEditTest, PauseThenResumeAcknowledgesTheFailuresSoFar) {
  ASSERT_THAT(Edit(RolloutAction::kPause), IsOk());
  EXPECT_EQ(File() + "\n", RolloutWith("state: running", "state: paused"));
  EXPECT_EQ(Git(bare_, "log -1 --format=%B main"), "rollout kafka-38: pause");
  auto paused_again = Edit(RolloutAction::kPause);
  ASSERT_THAT(paused_again, IsOk());
  EXPECT_EQ(paused_again->plan.nothing_to_do, "rollout kafka-38 is already paused");

  ASSERT_THAT(Edit(RolloutAction::kResume), IsOk());
  // The progress file counts 1 failure: it is acknowledged.
  EXPECT_EQ(File() + "\n", std::string(kRollout) + "  acknowledgedFailures: 1\n");
  EXPECT_EQ(Git(bare_, "log -1 --format=%B main"),
            "rollout kafka-38: resume\n\nAcknowledges the failed clusters so far: "
            "acknowledgedFailures 1, and the failure budget counts only failures beyond them.");
  auto resumed_again = Edit(RolloutAction::kResume);
  ASSERT_THAT(resumed_again, IsOk());
  EXPECT_EQ(resumed_again->plan.nothing_to_do,
            "rollout kafka-38 is running, with no new failures to acknowledge");
  EXPECT_EQ(Git(bare_, "rev-list --count main"), "3");
}

TEST_F(RolloutEditTest, AnAbortedRolloutIsNotResumedPausedOrApproved) {
  ASSERT_THAT(Edit(RolloutAction::kAbort), IsOk());
  EXPECT_EQ(File() + "\n", RolloutWith("state: running", "state: aborted"));
  EXPECT_EQ(Git(bare_, "log -1 --format=%s main"), "rollout kafka-38: abort");
  EXPECT_THAT(Edit(RolloutAction::kResume),
              StatusIs(StatusCode::kFailedPrecondition,
                       "rollout kafka-38 is aborted and cannot be resumed: an abort is for good "
                       "(write a new rollout to make the change again)"));
  EXPECT_THAT(Edit(RolloutAction::kPause), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Edit(RolloutAction::kApprove, "rest"), StatusIs(StatusCode::kFailedPrecondition));
  auto again = Edit(RolloutAction::kAbort);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->plan.nothing_to_do, "rollout kafka-38 is already aborted");
  EXPECT_EQ(Git(bare_, "rev-list --count main"), "2");
}

TEST_F(RolloutEditTest, PlanWritesNothingAndShowsTheChange) {
  auto repo = Repository::Open(bare_);
  ASSERT_TRUE(repo.ok());
  auto plan = PlanEdit(*repo, {"kafka-38", "main", RolloutAction::kApprove, "rest"});
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->message, "rollout kafka-38: approve wave rest\n");
  EXPECT_EQ(UnifiedDiff(plan->path, plan->before, plan->after),
            "--- a/rollouts/kafka-38.yaml\n+++ b/rollouts/kafka-38.yaml\n"
            "@@ -22,3 +22,5 @@\n"
            "       maxConcurrent: 25%\n       requiresApproval: true\n   state: running\n"
            "+  approvedWaves:\n+    - rest\n");
  EXPECT_EQ(Git(bare_, "rev-list --count main"), "1");
  EXPECT_THAT(PlanEdit(*repo, {"kafka-99", "main", RolloutAction::kPause, ""}),
              StatusIs(StatusCode::kNotFound,
                       "no rollout kafka-99 on main (rollouts/kafka-99.yaml is absent)"));
  EXPECT_THAT(PlanEdit(*repo, {"kafka-38", "nope", RolloutAction::kPause, ""}),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(RolloutEditTest, AnEditThatWouldLeaveTheFileInvalidIsRefused) {
  std::filesystem::remove_all(dir_);
  auto files = testing::RolloutFiles();
  files[kRolloutFile] = RolloutWith("  state: running\n", "  state: running\n  speed: 11\n");
  bare_ = testing::MakeBareRepo(dir_, files);
  auto paused = Edit(RolloutAction::kPause);
  EXPECT_THAT(paused, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(paused.status().message(),
              ::testing::StartsWith("rollouts/kafka-38.yaml would not be valid after the edit, "
                                    "refusing to write it: "));
  EXPECT_THAT(paused.status().message(), ::testing::HasSubstr("speed"));
  EXPECT_EQ(Git(bare_, "rev-list --count main"), "1");
}

TEST_F(RolloutEditTest, InAWorkCloneTheFileTheIndexAndTheCommitAgree) {
  std::string work = dir_ + "/seed";  // the clone the bare repository was made from
  auto approved = Edit(RolloutAction::kApprove, "rest", work);
  ASSERT_THAT(approved, IsOk());
  EXPECT_EQ(Git(work, "rev-parse HEAD"), OidToHex(approved->commit));
  EXPECT_EQ(Git(work, "status --porcelain"), "");
  std::ifstream in(work + "/" + kRolloutFile);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}),
            std::string(kRollout) + "  approvedWaves:\n    - rest\n");

  // Local changes to the file are not overwritten.
  testing::WriteFile(work, kRolloutFile, RolloutWith("maxConcurrent: 5", "maxConcurrent: 6"));
  EXPECT_THAT(Edit(RolloutAction::kPause, "", work),
              StatusIs(StatusCode::kFailedPrecondition,
                       "rollouts/kafka-38.yaml has local changes in the work tree or the index: "
                       "commit or discard them before changing the rollout"));
  EXPECT_EQ(Git(work, "rev-list --count HEAD"), "2");
}

}  // namespace
}  // namespace strata::rollout_cli
