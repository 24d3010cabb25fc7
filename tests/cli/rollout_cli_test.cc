// strata rollout as a person runs it: the real binary on a fleet repository holding a rollout the
// controller has started, and git checking what approve wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/test_support.h"
#include "reconciler/rollout_cli/rollout_fixture.h"

namespace {

using strata::rollout_cli::testing::Git;
using strata::testing::Outcome;
using strata::testing::Sh;
using ::testing::HasSubstr;

class RolloutCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::FreshTestDir("rollout-cli");
    bare_ = strata::rollout_cli::testing::MakeBareRepo(
        dir_, strata::rollout_cli::testing::RolloutFiles());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static Outcome Strata(const std::string& args) {
    return Sh(std::string(STRATA_BINARY) + " rollout " + args);
  }
  std::string dir_;
  std::string bare_;
};

TEST_F(RolloutCliTest, StatusAsJson) {
  Outcome json = Strata("status kafka-38 --output json --repo " + bare_);
  ASSERT_EQ(json.code, 0) << json.out;
  auto status = nlohmann::json::parse(json.out);
  EXPECT_EQ(status["rollout"], "kafka-38");
  EXPECT_EQ(status["phase"], "Running");
  EXPECT_EQ(status["waves"].size(), 3u);
  EXPECT_EQ(status["inProgress"].size(), 12u);
  EXPECT_EQ(status["timeLeft"]["seconds"], 5702);

  // --watch ends by itself once the rollout is over; piped, it prints one JSON object a line.
  std::string progress = strata::rollout_cli::testing::kProgress;
  progress.replace(progress.find("phase: Running"), 14, "phase: Complete");
  strata::rollout_cli::testing::WriteFile(dir_ + "/seed",
                                          strata::rollout_cli::testing::kProgressFile, progress);
  Git(dir_ + "/seed", "-c user.name=Ada -c user.email=ada@example.com commit -qam done");
  Git(dir_ + "/seed", "push -q " + bare_ + " main");
  Outcome watched = Strata("status kafka-38 -o json --watch --interval 100ms --repo " + bare_);
  ASSERT_EQ(watched.code, 0) << watched.out;
  EXPECT_EQ(std::count(watched.out.begin(), watched.out.end(), '\n'), 1);
  EXPECT_EQ(nlohmann::json::parse(watched.out)["timeLeft"]["estimate"], "done");
}

TEST_F(RolloutCliTest, StatusExitCodes) {
  Outcome absent = Strata("status kafka-99 --repo " + bare_);
  EXPECT_EQ(absent.code, 1);
  EXPECT_THAT(absent.out, HasSubstr("no rollout kafka-99 (rollouts/kafka-99.yaml is absent)"));
  EXPECT_EQ(Strata("status kafka-38 --branch nope --repo " + bare_).code, 2);
  EXPECT_EQ(Strata("status kafka-38 --repo " + dir_ + "/nothing").code, 2);
  EXPECT_EQ(Strata("status kafka-38 --watch --interval soon --repo " + bare_).code, 2);
}

TEST_F(RolloutCliTest, ApproveDryRunThenCommit) {
  std::string head = Git(bare_, "rev-parse main");
  Outcome dry = Strata("approve kafka-38 rest --dry-run --repo " + bare_);
  ASSERT_EQ(dry.code, 0) << dry.out;
  EXPECT_THAT(dry.out, HasSubstr("+++ b/rollouts/kafka-38.yaml\n@@ -22,3 +22,5 @@\n"));
  EXPECT_THAT(dry.out, HasSubstr("+  approvedWaves:\n+    - rest\n--- commit message\n"
                                 "rollout kafka-38: approve wave rest\n"));
  EXPECT_THAT(dry.out, HasSubstr("dry run: nothing written"));
  EXPECT_EQ(Git(bare_, "rev-parse main"), head);

  Outcome done = Strata("approve kafka-38 rest --author 'Ops <ops@example.com>' --repo " + bare_);
  ASSERT_EQ(done.code, 0) << done.out;
  std::string commit = Git(bare_, "rev-parse main");
  EXPECT_EQ(done.out, "rollout kafka-38: approve wave rest: commit " + commit + " on main\n");
  EXPECT_EQ(Git(bare_, "log -1 --format='%an <%ae> %s' main"),
            "Ops <ops@example.com> rollout kafka-38: approve wave rest");
  EXPECT_THAT(Git(bare_, "show main:rollouts/kafka-38.yaml"),
              HasSubstr("  state: running\n  approvedWaves:\n    - rest"));
  // The file still passes strata validate.
  Outcome valid = Sh(std::string(STRATA_BINARY) + " validate --repo " + bare_ + " --rev main");
  EXPECT_EQ(valid.code, 0) << valid.out;

  Outcome unknown =
      Strata("approve kafka-38 azure --author 'Ops <ops@example.com>' --repo " + bare_);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.out, HasSubstr("its waves: internal, gcp, rest"));

  ASSERT_EQ(Strata("abort kafka-38 --author 'Ops <ops@example.com>' --repo " + bare_).code, 0);
  Outcome resume = Strata("resume kafka-38 --author 'Ops <ops@example.com>' --repo " + bare_);
  EXPECT_EQ(resume.code, 1);
  EXPECT_THAT(resume.out, HasSubstr("is aborted and cannot be resumed"));
}

}  // namespace
