// `strata reconcile`, `strata hook`, `strata status` and `strata events tail` as real processes,
// against librdkafka's mock cluster (hosted by this test process) and real git repositories: bare
// ones pushed to with the git command line, and one served by `git daemon` on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/git.h"
#include "core/mock_kafka.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "reconciler/reconcile/checkpoint.h"
#include "reconciler/reconcile/webhook.h"
#include "tests/support/child_process.h"
#include "tests/support/topic_reader.h"

namespace strata {
namespace {

using ::strata::testing::ChildProcess;
using ::strata::reconcile::GithubSignature;
using ::strata::testing::Eventually;
using ::strata::testing::FreshTestDir;
using ::strata::testing::ReadAllChangeEvents;
using ::strata::testing::Sh;
using ::testing::HasSubstr;

const std::string kStrata = STRATA_BINARY;

class ReconcileCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("reconcile-cli");
    bare_ = dir_ + "/fleet.git";
    work_ = dir_ + "/work";
    ASSERT_EQ(Sh(kStrata + " init --bare " + bare_).code, 0);
    ASSERT_EQ(Sh("git clone -q " + bare_ + " " + work_).code, 0);
    auto kafka = MockKafka::Start(3);
    ASSERT_THAT(kafka.status(), IsOk());
    kafka_ = std::move(*kafka);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Changes a file in the clone, commits it and pushes it; returns the pushing git's outcome.
  ::strata::testing::Outcome EditAndPush(const std::string& path, const std::string& from,
                                         const std::string& to) {
    std::string file = work_ + "/" + path;
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find(from), from.size(), to);
    std::ofstream(file, std::ios::trunc) << text;
    return Sh("cd " + work_ + " && git -c user.name=Ada -c user.email=ada@example.com commit -qam '" +
              path + "' && git push -q origin main");
  }
  std::vector<ChangeEvent> Events() {
    auto events = ReadAllChangeEvents(kafka_->bootstrap_servers());
    EXPECT_THAT(events.status(), IsOk());
    return events.ok() ? *events : std::vector<ChangeEvent>{};
  }
  bool HasEvent(const std::string& key, const std::string& commit) {
    for (const auto& e : Events()) {
      if (e.key == key && e.commit == commit) return true;
    }
    return false;
  }
  std::string Head(const std::string& repo) {
    auto out = Sh("git -C " + repo + " rev-parse main");
    out.out.pop_back();
    return out.out;
  }
  std::string Kafka() const { return kafka_->bootstrap_servers(); }

  std::string dir_;
  std::string bare_;
  std::string work_;
  std::unique_ptr<MockKafka> kafka_;
};

TEST_F(ReconcileCliTest, OncePublishesTheFleetAndKcatReadsIt) {
  auto run = Sh(kStrata + " reconcile --once --repo " + bare_ + " --kafka " + Kafka());
  ASSERT_EQ(run.code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("published 1 commit of main: 36 events, 0 rejected (bootstrap)"));
  auto again = Sh(kStrata + " reconcile --once --repo " + bare_ + " --kafka " + Kafka());
  EXPECT_THAT(again.out, HasSubstr("main is up to date"));

  // Any Kafka client reads them: kcat, keys and CloudEvents values.
  auto kcat = Sh("kcat -b " + Kafka() + " -C -t strata.desired.kafkacluster -o beginning -e -q "
                 "-f '%k %s\\n'");
  ASSERT_EQ(kcat.code, 0) << kcat.out;
  EXPECT_THAT(kcat.out, HasSubstr("KafkaCluster/acme/orders {\"specversion\":\"1.0\",\"id\":\""));
  EXPECT_THAT(kcat.out, HasSubstr("\"type\":\"dev.strata.resource.upserted\""));

  auto status = Sh(kStrata + " status --repo " + bare_);
  EXPECT_THAT(status.out, HasSubstr("reconciled  up to date (sequence 36)"));

  // strata events tail: the consumer library, one CloudEvent per line.
  auto tail = Sh(kStrata + " events tail --kafka " + Kafka() +
                 " --kind KafkaCluster --output json --count 12 --idle-timeout 20");
  ASSERT_EQ(tail.code, 0) << tail.out;
  std::istringstream lines(tail.out);
  std::string line;
  size_t events = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '{') continue;
    auto json = nlohmann::json::parse(line);
    for (const char* required : {"specversion", "id", "source", "type", "subject", "time"}) {
      ASSERT_TRUE(json.contains(required) && json[required].is_string()) << required << " in " << line;
    }
    EXPECT_EQ(json["specversion"], "1.0");
    EXPECT_EQ(json["datacontenttype"], "application/json");
    EXPECT_EQ(json["data"]["kind"], "KafkaCluster");
    ++events;
  }
  EXPECT_EQ(events, 12u);
  auto unknown = Sh(kStrata + " events tail --kafka " + Kafka() + " --kind Broker --count 1");
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.out, HasSubstr("unknown kind 'Broker'"));
}

TEST_F(ReconcileCliTest, AHookWakesTheWatcherAndNeverFailsAPushWhenItIsDown) {
  auto install = Sh(kStrata + " hook install --repo " + bare_);
  ASSERT_EQ(install.code, 0) << install.out;
  EXPECT_THAT(install.out, HasSubstr("hooks/post-receive"));
  // Nobody listens: the push still succeeds.
  auto push = EditAndPush("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 3");
  ASSERT_EQ(push.code, 0) << push.out;

  // A watcher that polls once an hour: only the hook can wake it in time.
  ChildProcess watcher({kStrata, "reconcile", "--watch", "--repo", bare_, "--kafka", Kafka(),
                        "--poll-interval", "3600"},
                       dir_ + "/watch.log");
  ASSERT_TRUE(watcher.WaitForLog("watching", std::chrono::seconds(10))) << watcher.Log();
  ASSERT_TRUE(Eventually([&] { return HasEvent("KafkaCluster/acme/orders", Head(bare_)); },
                         std::chrono::seconds(15)));
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(EditAndPush("tenants/acme/kafka/orders.yaml", "cku: 3", "cku: 4").code, 0);
  std::string head = Head(bare_);
  EXPECT_TRUE(Eventually([&] { return HasEvent("KafkaCluster/acme/orders", head); },
                         std::chrono::seconds(10)))
      << watcher.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  watcher.Signal(SIGTERM);
  EXPECT_EQ(watcher.Wait(), 0) << watcher.Log();
}

TEST_F(ReconcileCliTest, AWorkingRepoGetsCommitAndMergeHooks) {
  auto install = Sh(kStrata + " hook install --repo " + work_);
  ASSERT_EQ(install.code, 0) << install.out;
  EXPECT_THAT(install.out, HasSubstr("hooks/post-commit"));
  EXPECT_THAT(install.out, HasSubstr("hooks/post-merge"));
  EXPECT_EQ(Sh(kStrata + " hook install --repo " + work_).code, 0);  // again: replaces its own
  std::ofstream(work_ + "/.git/hooks/pre-push") << "#!/bin/sh\n";
  std::ofstream(work_ + "/.git/hooks/post-commit", std::ios::trunc) << "#!/bin/sh\necho mine\n";
  auto refused = Sh(kStrata + " hook install --repo " + work_);
  EXPECT_EQ(refused.code, 2);
  EXPECT_THAT(refused.out, HasSubstr("post-commit exists and is not strata's"));
}


TEST_F(ReconcileCliTest, ASignedWebhookFetchesFromGitDaemonAndAForgedOneChangesNothing) {
  // The fleet repo on a real transport: git daemon on a loopback port.
  int port = ::strata::testing::FreeLoopbackPort();
  ChildProcess daemon({"git", "daemon", "--reuseaddr", "--listen=127.0.0.1",
                       "--port=" + std::to_string(port), "--base-path=" + dir_, "--export-all", dir_},
                      dir_ + "/daemon.log");
  std::string url = "git://127.0.0.1:" + std::to_string(port) + "/fleet.git";
  ASSERT_TRUE(Eventually([&] { return Sh("git ls-remote " + url).code == 0; }, std::chrono::seconds(10)))
      << daemon.Log();
  std::ofstream(dir_ + "/secret") << "s3cret\n";
  std::string mirror = dir_ + "/mirror.git";
  ChildProcess watcher({kStrata, "reconcile", "--watch", "--repo", url, "--mirror", mirror,
                        "--kafka", Kafka(), "--poll-interval", "3600", "--webhook-listen",
                        "127.0.0.1:0", "--webhook-secret-file", dir_ + "/secret"},
                       dir_ + "/watch.log");
  ASSERT_TRUE(watcher.WaitForLog("watching", std::chrono::seconds(15))) << watcher.Log();
  std::string log = watcher.Log();
  size_t at = log.find("http://127.0.0.1:");
  ASSERT_NE(at, std::string::npos) << log;
  int webhook_port = std::atoi(log.c_str() + at + std::strlen("http://127.0.0.1:"));
  ASSERT_TRUE(Eventually([&] { return Events().size() == 36; }, std::chrono::seconds(15)));

  ASSERT_EQ(EditAndPush("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 4").code, 0);
  std::string head = Head(bare_);
  std::string body = R"({"ref":"refs/heads/main","after":")" + head + R"("})";
  httplib::Client client("127.0.0.1", webhook_port);
  auto forged = client.Post("/webhook",
                            {{"X-GitHub-Event", "push"},
                             {"X-Hub-Signature-256", GithubSignature("wrong", body)}},
                            body, "application/json");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto unsigned_request = client.Post("/webhook", {{"X-GitHub-Event", "push"}}, body, "application/json");
  ASSERT_TRUE(unsigned_request);
  EXPECT_EQ(unsigned_request->status, 401);
  auto bad_token = client.Post("/webhook", {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", "s3cre"}},
                               body, "application/json");
  ASSERT_TRUE(bad_token);
  EXPECT_EQ(bad_token->status, 401);
  // A flood of them is refused as well, and logged once: anyone can send them.
  for (int i = 0; i < 100; ++i) {
    auto again = client.Post("/webhook", {{"X-GitHub-Event", "push"}}, body, "application/json");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 401);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::string refusals = watcher.Log();
  size_t lines = 0;
  for (size_t line = refusals.find("webhook: refused a request"); line != std::string::npos;
       line = refusals.find("webhook: refused a request", line + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << refusals;
  EXPECT_EQ(Events().size(), 36u);  // nothing fetched, nothing published
  EXPECT_NE(Sh("git -C " + mirror + " rev-parse refs/heads/main").out.substr(0, 40), head);

  auto other_branch = client.Post(
      "/webhook", {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", GithubSignature("s3cret", R"({"ref":"refs/heads/dev"})")}},
      R"({"ref":"refs/heads/dev"})", "application/json");
  ASSERT_TRUE(other_branch);
  EXPECT_EQ(other_branch->status, 200);

  auto signed_push = client.Post(
      "/webhook", {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", GithubSignature("s3cret", body)}},
      body, "application/json");
  ASSERT_TRUE(signed_push);
  EXPECT_EQ(signed_push->status, 202);
  EXPECT_TRUE(Eventually([&] { return HasEvent("KafkaCluster/acme/orders", head); },
                         std::chrono::seconds(10)))
      << watcher.Log();

  // GitLab's form: the token itself.
  ASSERT_EQ(EditAndPush("tenants/acme/kafka/orders.yaml", "cku: 4", "cku: 6").code, 0);
  head = Head(bare_);
  auto gitlab = client.Post("/webhook", {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", "s3cret"}},
                            body, "application/json");
  ASSERT_TRUE(gitlab);
  EXPECT_EQ(gitlab->status, 202);
  EXPECT_TRUE(Eventually([&] { return HasEvent("KafkaCluster/acme/orders", head); },
                         std::chrono::seconds(10)));
  EXPECT_THAT(watcher.Log(), ::testing::Not(HasSubstr("s3cret")));
}

TEST_F(ReconcileCliTest, CredentialsInARemoteUrlNeverReachTheOutput) {
  int closed_port = ::strata::testing::FreeLoopbackPort();
  auto run = Sh(kStrata + " reconcile --once --repo https://ada:tok3n-s3cret@127.0.0.1:" +
                std::to_string(closed_port) + "/fleet.git --mirror " + dir_ + "/mirror.git --kafka " +
                Kafka());
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.out, HasSubstr("https://127.0.0.1:" + std::to_string(closed_port) + "/fleet.git"));
  EXPECT_THAT(run.out, ::testing::Not(HasSubstr("tok3n")));
}

TEST_F(ReconcileCliTest, KilledDuringABootstrapOfTenThousandSpecsItRestartsAndLosesNothing) {
  std::string big = dir_ + "/big.git";
  auto gen = Sh(kStrata + " gen fleet --repo " + big + " --bare --clusters 10000 --seed 7");
  ASSERT_EQ(gen.code, 0) << gen.out;
  {
    ChildProcess first({kStrata, "reconcile", "--once", "--repo", big, "--kafka", Kafka(),
                        "--bootstrap-batch", "500", "--threads", "1"},
                       dir_ + "/first.log");
    ASSERT_TRUE(first.WaitForLog("files published", std::chrono::seconds(60))) << first.Log();
    first.Signal(SIGKILL);
    EXPECT_EQ(first.Wait(), 128 + SIGKILL);
  }
  auto repo = Repository::Open(big);
  ASSERT_THAT(repo.status(), IsOk());
  auto checkpoint = reconcile::ReadCheckpoint(*repo, "main");
  ASSERT_THAT(checkpoint.status(), IsOk());
  EXPECT_FALSE(checkpoint->exists);  // killed before the end: nothing claimed
  size_t partial = Events().size();
  EXPECT_GT(partial, 0u);

  auto second = Sh(kStrata + " reconcile --once --repo " + big + " --kafka " + Kafka());
  ASSERT_EQ(second.code, 0) << second.out;
  // Every spec of the head has its event with the final state; duplicates are harmless.
  auto files = Sh("git -C " + big + " ls-tree -r --name-only main | grep -E '^(policy|tenants|rollouts)/' | wc -l");
  size_t spec_files = std::stoul(files.out);
  std::set<std::string> keys;
  std::string head = Head(big);
  for (const auto& e : Events()) {
    if (e.commit == head && e.type == ChangeType::kUpserted) keys.insert(e.key);
  }
  EXPECT_EQ(keys.size(), spec_files);
  EXPECT_GE(spec_files, 10000u);
  // Requests in flight at the kill may land after `partial` was counted: at least, not exactly.
  EXPECT_GE(Events().size(), partial + spec_files);
}

}  // namespace
}  // namespace strata
