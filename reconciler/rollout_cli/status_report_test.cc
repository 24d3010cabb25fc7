#include "reconciler/rollout_cli/status_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/status_matchers.h"
#include "reconciler/rollout_cli/rollout_fixture.h"

namespace strata::rollout_cli {
namespace {

using ::testing::HasSubstr;

class RolloutStatusTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = strata::testing::FreshTestDir("rollout-status"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The snapshot of kafka-38 in a repository holding `files`.
  RolloutSnapshot Read(const std::map<std::string, std::string>& files) {
    std::string bare = testing::MakeBareRepo(dir_, files);
    auto repo = Repository::Open(bare);
    EXPECT_TRUE(repo.ok());
    auto head = repo->ResolveCommit("refs/heads/main");
    EXPECT_TRUE(head.ok());
    head_ = OidToHex(*head);
    auto snapshot = ReadRollout(*repo, *head, "kafka-38");
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    return snapshot.ok() ? *snapshot : RolloutSnapshot{};
  }
  static std::map<std::string, std::string> WithProgress(const std::string& from,
                                                         const std::string& to) {
    auto files = testing::RolloutFiles();
    std::string& progress = files[testing::kProgressFile];
    size_t at = progress.find(from);
    if (at == std::string::npos) throw std::runtime_error("no " + from);
    progress.replace(at, from.size(), to);
    return files;
  }

  std::string dir_;
  std::string head_;
};

constexpr int64_t kNow = 1796229600000;  // 2026-12-02T16:40:00Z

TEST_F(RolloutStatusTest, TextShowsWavesBatchWaitAndTimeLeft) {
  RolloutSnapshot snapshot = Read(testing::RolloutFiles());
  ASSERT_EQ(snapshot.targets.size(), 18u);  // not the other rollout's
  EXPECT_EQ(
      FormatStatusText(snapshot, /*terminal=*/false, kNow),
      "rollout kafka-38 (rollouts/kafka-38.yaml at " + head_.substr(0, 12) +
          ")\n"
          "change     kafkaVersion → 3.8; config: log.retention.ms=604800000\n"
          "phase      Running (spec.state running)\n"
          "waves\n"
          "  internal  Complete  [3/4]   pending 0, in progress 0, done 3, failed 1; "
          "maxConcurrent 5, maxFailures 1\n"
          "  gcp       Active    [2/16]  pending 2, in progress 12, done 2, failed 0; "
          "maxConcurrent 12, maxFailures 0\n"
          "  rest      Pending   [0/5]   pending 5, in progress 0, done 0, failed 0; "
          "maxConcurrent 2, maxFailures 0 (needs approval)\n"
          "batch      12 in progress: pkc-gcp-00, pkc-gcp-01, pkc-gcp-02, pkc-gcp-03, "
          "pkc-gcp-04, pkc-gcp-05, pkc-gcp-06, pkc-gcp-07, pkc-gcp-08, pkc-gcp-09 and 2 more\n"
          "waiting    the current batch: no more clusters at once: wave gcp has 12 clusters in "
          "progress, its maxConcurrent\n"
          "failures   1 (0 acknowledged)\n"
          "  pkc-internal-3 (wave internal): broker 2 did not come back after the upgrade\n"
          "time left  about 1h35m (19 clusters not done, one every 5m00s over the last 5 done; "
          "soaks and approvals come on top)\n");
}

TEST_F(RolloutStatusTest, JsonHasTheSameFacts) {
  nlohmann::ordered_json json = StatusJson(Read(testing::RolloutFiles()));
  EXPECT_EQ(json["rollout"], "kafka-38");
  EXPECT_EQ(json["commit"], head_);
  EXPECT_EQ(json["change"],
            nlohmann::ordered_json::parse(
                R"({"kafkaVersion":"3.8","config":{"log.retention.ms":"604800000"}})"));
  EXPECT_EQ(json["state"], "running");
  EXPECT_EQ(json["started"], true);
  EXPECT_EQ(json["phase"], "Running");
  EXPECT_EQ(json["waitingFor"], "Concurrency");
  EXPECT_EQ(json["approveCommand"], "");
  EXPECT_EQ(json["failures"], 1);
  ASSERT_EQ(json["waves"].size(), 3u);
  EXPECT_EQ(json["waves"][1], nlohmann::ordered_json::parse(R"({
      "name": "gcp", "state": "Active", "clusters": 16, "pending": 2, "inProgress": 12,
      "done": 2, "failed": 0, "maxConcurrent": 12, "maxFailures": 0,
      "requiresApproval": false, "approved": false,
      "startedAt": "2026-12-02T16:12:00.000Z", "completedAt": ""})"));
  EXPECT_EQ(json["waves"][2]["requiresApproval"], true);
  EXPECT_EQ(json["inProgress"].size(), 12u);  // all of them, not the first ten
  EXPECT_EQ(json["inProgress"][11], "pkc-gcp-11");
  EXPECT_EQ(json["failed"], nlohmann::ordered_json::parse(R"([{"cluster": "pkc-internal-3",
      "wave": "internal", "reason": "broker 2 did not come back after the upgrade"}])"));
  EXPECT_EQ(json["timeLeft"], nlohmann::ordered_json::parse(R"({"estimate": "known",
      "seconds": 5702, "secondsPerCluster": 300.125, "basedOn": 5, "notDone": 19})"));
}

TEST_F(RolloutStatusTest, ApprovalGivesTheExactCommand) {
  RolloutSnapshot snapshot = Read(WithProgress(
      "waitingFor: Concurrency\n  reason: wave gcp has 12 clusters in progress, its maxConcurrent",
      "waitingFor: Approval\n  reason: wave rest waits for approval"));
  EXPECT_THAT(FormatStatusText(snapshot, false, kNow),
              HasSubstr("waiting    approval: wave rest waits for approval\n"
                        "           approve with: strata rollout approve kafka-38 rest\n"));
  EXPECT_EQ(StatusJson(snapshot)["approveCommand"], "strata rollout approve kafka-38 rest");
}

TEST_F(RolloutStatusTest, FailureBudgetListsTheFailedAndHowToGoOn) {
  RolloutSnapshot snapshot = Read(WithProgress(
      "phase: Running\n  waitingFor: Concurrency\n  reason: wave gcp has 12 clusters in progress, "
      "its maxConcurrent",
      "phase: Paused\n  waitingFor: FailureBudget\n  reason: 1 failed, more than wave gcp's "
      "maxFailures 0"));
  EXPECT_THAT(FormatStatusText(snapshot, false, kNow),
              HasSubstr("phase      Paused (spec.state running)\n"));
  EXPECT_THAT(FormatStatusText(snapshot, false, kNow),
              HasSubstr("waiting    paused at the failure budget: 1 failed, 0 acknowledged\n"
                        "           1 failed, more than wave gcp's maxFailures 0\n"
                        "           resume with: strata rollout resume kafka-38 (accepts the 1 "
                        "failed cluster below and goes on)\n"
                        "failures   1 (0 acknowledged)\n"
                        "  pkc-internal-3 (wave internal): broker 2 did not come back after the "
                        "upgrade\n"));
}

TEST_F(RolloutStatusTest, SoakSaysUntilWhen) {
  RolloutSnapshot snapshot = Read(WithProgress(
      "waitingFor: Concurrency\n  reason: wave gcp has 12 clusters in progress, its maxConcurrent",
      "waitingFor: Soak\n  soakUntil: \"2026-12-02T16:52:30.000Z\""));
  EXPECT_THAT(FormatStatusText(snapshot, false, kNow),
              HasSubstr("waiting    soak until 2026-12-02T16:52:30.000Z (12m30s from now)\n"
                        "failures"));
}

TEST_F(RolloutStatusTest, CompleteIsDoneAndOneDoneIsUnknown) {
  RolloutSnapshot complete = Read(WithProgress("phase: Running", "phase: Complete"));
  EXPECT_THAT(FormatStatusText(complete, false, kNow), HasSubstr("time left  done\n"));
  EXPECT_EQ(StatusJson(complete)["timeLeft"]["estimate"], "done");

  std::filesystem::remove_all(dir_);
  auto files = testing::RolloutFiles();
  for (const char* name : {"pkc-internal-0", "pkc-internal-1", "pkc-gcp-a", "pkc-gcp-b"}) {
    files.erase(testing::TargetPath(name));
  }
  RolloutSnapshot early = Read(files);
  EXPECT_THAT(FormatStatusText(early, false, kNow),
              HasSubstr("time left  unknown (until 2 clusters are done)\n"));
  EXPECT_EQ(StatusJson(early)["timeLeft"]["estimate"], "unknown");
}

TEST_F(RolloutStatusTest, NotStartedYet) {
  auto files = testing::RolloutFiles();
  files.erase(testing::kProgressFile);
  RolloutSnapshot snapshot = Read(files);
  EXPECT_EQ(FormatStatusText(snapshot, false, kNow),
            "rollout kafka-38 (rollouts/kafka-38.yaml at " + head_.substr(0, 12) +
                ")\n"
                "change     kafkaVersion → 3.8; config: log.retention.ms=604800000\n"
                "state      running\n"
                "not started by the rollout controller yet\n");
  nlohmann::ordered_json json = StatusJson(snapshot);
  EXPECT_EQ(json["started"], false);
  EXPECT_EQ(json["message"], "not started by the rollout controller yet");
}

TEST_F(RolloutStatusTest, OnATerminalBarsAndColours) {
  std::string text = FormatStatusText(Read(testing::RolloutFiles()), /*terminal=*/true, kNow);
  EXPECT_THAT(text, HasSubstr("[###############.....] 3/4"));
  EXPECT_THAT(text, HasSubstr("[##..................] 2/16"));
  EXPECT_THAT(text, HasSubstr("\033[32mComplete\033[0m"));
}

TEST_F(RolloutStatusTest, AbsentRolloutAndBadName) {
  std::string bare = testing::MakeBareRepo(dir_, testing::RolloutFiles());
  auto repo = Repository::Open(bare);
  ASSERT_TRUE(repo.ok());
  auto head = repo->ResolveCommit("refs/heads/main");
  ASSERT_TRUE(head.ok());
  auto absent = ReadRollout(*repo, *head, "kafka-99");
  EXPECT_THAT(absent, StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(absent.status().message(), "no rollout kafka-99 (rollouts/kafka-99.yaml is absent)");
  EXPECT_THAT(ReadRollout(*repo, *head, "../x"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace strata::rollout_cli
