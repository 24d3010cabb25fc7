// The reconciler against real parts: a git repository in a temporary directory, changed with the
// git command line, and librdkafka's mock cluster as Kafka. Each test reads back what is on the
// topics and checks the events, the checkpoint and the sequence numbers.
#include "reconciler/reconcile/reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/event_consumer.h"
#include "core/mock_kafka.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "specs/embedded.h"
#include "tests/support/topic_reader.h"

namespace strata::reconcile {
namespace {

using ::strata::testing::FreshTestDir;
using ::strata::testing::ReadAllChangeEvents;
using ::strata::testing::Sh;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::SizeIs;

// The example fleet has 36 spec files; every one of them becomes an event in a bootstrap.
constexpr size_t kExampleSpecs = 36;

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("reconciler");
    work_ = dir_ + "/fleet";
    ASSERT_EQ(Sh("git init -q -b main " + work_).code, 0);
    for (const auto& file : EmbeddedExampleFleet()) Write(std::string(file.path), file.content);
    Write("README.md", "the fleet\n");
    Commit("the example fleet");
    auto kafka = MockKafka::Start(3);
    ASSERT_THAT(kafka.status(), IsOk());
    kafka_ = std::move(*kafka);
    auto producer = Producer::Create({{"bootstrap.servers", kafka_->bootstrap_servers()}});
    ASSERT_THAT(producer.status(), IsOk());
    producer_ = std::move(*producer);
    auto schemas = specs::SchemaSet::LoadEmbedded();
    ASSERT_THAT(schemas.status(), IsOk());
    schemas_ = *schemas;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& path, std::string_view content) {
    std::filesystem::path full = std::filesystem::path(work_) / path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full) << content;
  }
  std::string Read(const std::string& path) {
    std::ifstream in(std::filesystem::path(work_) / path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Commits everything in the work tree; returns the new commit's id.
  std::string Commit(const std::string& message) {
    auto add = Sh("cd " + work_ + " && git add -A && git -c user.name=Ada -c user.email=ada@example.com "
                  "commit -q -m '" + message + "'");
    EXPECT_EQ(add.code, 0) << add.out;
    return Git("rev-parse HEAD");
  }
  std::string Git(const std::string& args) {
    auto out = Sh("git -C " + work_ + " " + args);
    EXPECT_EQ(out.code, 0) << out.out;
    while (!out.out.empty() && out.out.back() == '\n') out.out.pop_back();
    return out.out;
  }

  std::unique_ptr<Reconciler> MakeReconciler(Producer* producer = nullptr) {
    ReconcilerOptions options;
    options.repo_path = work_;
    options.ack_timeout = std::chrono::seconds(5);
    options.read_retry_delay = std::chrono::milliseconds(5);
    options.threads = 2;
    auto r = Reconciler::Create(options, schemas_, producer != nullptr ? producer : producer_.get());
    EXPECT_THAT(r.status(), IsOk());
    return r.ok() ? std::move(*r) : nullptr;
  }
  ReconcileReport MustRun(Reconciler* reconciler) {
    auto report = reconciler->RunOnce();
    EXPECT_THAT(report.status(), IsOk());
    return report.ok() ? *report : ReconcileReport{};
  }
  std::vector<ChangeEvent> Events() {
    auto events = ReadAllChangeEvents(kafka_->bootstrap_servers());
    EXPECT_THAT(events.status(), IsOk());
    return events.ok() ? *events : std::vector<ChangeEvent>{};
  }
  // The events published after the first `skip`.
  std::vector<ChangeEvent> EventsAfter(size_t skip) {
    auto all = Events();
    return std::vector<ChangeEvent>(all.begin() + static_cast<ptrdiff_t>(std::min(skip, all.size())),
                                    all.end());
  }
  Checkpoint ReadCheckpointNow() {
    auto repo = Repository::Open(work_);
    EXPECT_THAT(repo.status(), IsOk());
    auto checkpoint = ReadCheckpoint(*repo, "main");
    EXPECT_THAT(checkpoint.status(), IsOk());
    return *checkpoint;
  }

  std::string dir_;
  std::string work_;
  std::unique_ptr<MockKafka> kafka_;
  std::unique_ptr<Producer> producer_;
  std::shared_ptr<const specs::SchemaSet> schemas_;
};

TEST_F(ReconcilerTest, BootstrapPublishesEveryResourceOfTheHeadAndMovesTheCheckpoint) {
  std::string head = Git("rev-parse HEAD");
  auto reconciler = MakeReconciler();
  ReconcileReport report = MustRun(reconciler.get());
  EXPECT_TRUE(report.bootstrap);
  EXPECT_EQ(report.events, kExampleSpecs);
  EXPECT_EQ(report.rejected, 0u);

  std::vector<ChangeEvent> events = Events();
  ASSERT_THAT(events, SizeIs(kExampleSpecs));
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence, i + 1);
    EXPECT_EQ(events[i].type, ChangeType::kUpserted);
    EXPECT_EQ(events[i].commit, head);
    EXPECT_EQ(events[i].parent, "");
    EXPECT_EQ(events[i].author, "Ada <ada@example.com>");
  }
  const ChangeEvent* orders = nullptr;
  for (const auto& e : events) {
    if (e.key == "KafkaCluster/acme/orders") orders = &e;
  }
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(orders->path, "tenants/acme/kafka/orders.yaml");
  EXPECT_EQ(orders->spec["spec"]["cku"], 2);
  EXPECT_EQ(orders->spec["spec"]["kafkaVersion"], "3.7");

  // The checkpoint names the head, holds its tree and the last sequence used; git agrees.
  Checkpoint checkpoint = ReadCheckpointNow();
  EXPECT_EQ(OidToHex(checkpoint.commit), head);
  EXPECT_EQ(checkpoint.sequence, kExampleSpecs);
  EXPECT_EQ(Git("rev-parse refs/strata/reconciled/main^"), head);
  EXPECT_EQ(Git("rev-parse refs/strata/reconciled/main^{tree}"), Git("rev-parse HEAD^{tree}"));
  EXPECT_EQ(Git("log -1 '--format=%(trailers:key=Strata-Sequence,valueonly)' refs/strata/reconciled/main"),
            std::to_string(kExampleSpecs));
  EXPECT_EQ(Sh("git -C " + work_ + " fsck --strict --no-dangling").code, 0);

  // Nothing new: nothing published.
  ReconcileReport again = MustRun(reconciler.get());
  EXPECT_EQ(again.commits, 0u);
  EXPECT_THAT(Events(), SizeIs(kExampleSpecs));
}

TEST_F(ReconcilerTest, EachCommitPublishesOnlyItsChangesInOrderWithTrailers) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  std::string base = Git("rev-parse HEAD");

  std::string orders = Read("tenants/acme/kafka/orders.yaml");
  orders.replace(orders.find("cku: 2"), 6, "cku: 4");
  Write("tenants/acme/kafka/orders.yaml", orders);
  std::string scaled = Commit("scale orders\n\nStrata-Controller: pkc\nStrata-Cause: 1111111111111111111111111111111111111111");
  std::filesystem::remove(std::filesystem::path(work_) / "tenants/acme/kafka/sandbox.yaml");
  Write("README.md", "not a spec: no event\n");
  std::string deleted = Commit("delete sandbox");

  ReconcileReport report = MustRun(reconciler.get());
  EXPECT_EQ(report.commits, 2u);
  std::vector<ChangeEvent> events = EventsAfter(kExampleSpecs);
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0].type, ChangeType::kUpserted);
  EXPECT_EQ(events[0].key, "KafkaCluster/acme/orders");
  EXPECT_EQ(events[0].spec["spec"]["cku"], 4);
  EXPECT_EQ(events[0].commit, scaled);
  EXPECT_EQ(events[0].parent, base);
  EXPECT_EQ(events[0].sequence, kExampleSpecs + 1);
  EXPECT_EQ(events[0].controller, "pkc");
  EXPECT_THAT(events[0].causes, ElementsAre("1111111111111111111111111111111111111111"));
  EXPECT_EQ(events[0].id(), scaled + ":tenants/acme/kafka/orders.yaml");

  EXPECT_EQ(events[1].type, ChangeType::kDeleted);
  EXPECT_EQ(events[1].key, "KafkaCluster/acme/sandbox");
  EXPECT_EQ(events[1].commit, deleted);
  EXPECT_EQ(events[1].parent, scaled);
  EXPECT_EQ(events[1].sequence, kExampleSpecs + 2);
  EXPECT_TRUE(events[1].spec.is_null());
  EXPECT_EQ(OidToHex(ReadCheckpointNow().commit), deleted);
}

TEST_F(ReconcilerTest, AFileMovedToAnotherOrgIsADeleteAndACreate) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  std::string payments = Read("tenants/acme/kafka/payments.yaml");
  std::filesystem::remove(std::filesystem::path(work_) / "tenants/acme/kafka/payments.yaml");
  payments.replace(payments.find("org: acme"), 9, "org: globex");
  Write("tenants/globex/kafka/payments.yaml", payments);
  Commit("move payments to globex");
  MustRun(reconciler.get());
  std::vector<ChangeEvent> events = EventsAfter(kExampleSpecs);
  ASSERT_THAT(events, SizeIs(2));
  // In path order: tenants/acme/… before tenants/globex/….
  EXPECT_EQ(events[0].type, ChangeType::kDeleted);
  EXPECT_EQ(events[0].key, "KafkaCluster/acme/payments");
  EXPECT_EQ(events[1].type, ChangeType::kUpserted);
  EXPECT_EQ(events[1].key, "KafkaCluster/globex/payments");
}

TEST_F(ReconcilerTest, AnInvalidFileIsRejectedWhileTheOthersArePublished) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  std::string orders = Read("tenants/acme/kafka/orders.yaml");
  std::string broken = orders;
  broken.replace(broken.find("cku: 2"), 6, "cku: lots");
  Write("tenants/acme/kafka/orders.yaml", broken);
  std::string ledger = Read("tenants/globex/kafka/ledger.yaml");
  Write("tenants/globex/kafka/ledger.yaml", ledger + "  # reviewed\n");
  Write("tenants/acme/kafka/notes.yml", "kind: KafkaCluster\n");
  std::string bad = Commit("one good, two bad");
  ReconcileReport report = MustRun(reconciler.get());
  EXPECT_EQ(report.rejected, 2u);
  EXPECT_EQ(OidToHex(ReadCheckpointNow().commit), bad);

  std::vector<ChangeEvent> events = EventsAfter(kExampleSpecs);
  auto all = ReadAllChangeEvents(kafka_->bootstrap_servers());
  ASSERT_THAT(events, SizeIs(2));  // the bad path has no kind topic: it goes to strata.status
  EXPECT_EQ(events[0].type, ChangeType::kRejected);
  EXPECT_EQ(events[0].key, "KafkaCluster/acme/orders");
  ASSERT_THAT(events[0].errors, SizeIs(1));
  EXPECT_EQ(events[0].errors[0].file, "tenants/acme/kafka/orders.yaml");
  EXPECT_EQ(events[0].errors[0].line, 15);
  EXPECT_EQ(events[0].errors[0].field, "spec.cku");
  EXPECT_EQ(events[1].type, ChangeType::kUpserted);
  EXPECT_EQ(events[1].key, "KafkaCluster/globex/ledger");

  auto status = strata::testing::ReadAllRecords(kafka_->bootstrap_servers(), "strata.status");
  ASSERT_THAT(status.status(), IsOk());
  ASSERT_THAT(*status, SizeIs(1));
  auto file_event = DecodeCloudEvent((*status)[0].value);
  ASSERT_THAT(file_event.status(), IsOk());
  EXPECT_EQ(file_event->key, "File/tenants/acme/kafka/notes.yml");
  EXPECT_EQ(file_event->errors[0].message, "spec files end in .yaml, not .yml");
  EXPECT_EQ(file_event->type, ChangeType::kRejected);

  // The fix publishes the good state; until then the last good one (cku 2) stays desired.
  Write("tenants/acme/kafka/orders.yaml", orders.replace(orders.find("cku: 2"), 6, "cku: 6"));
  Commit("fix orders");
  MustRun(reconciler.get());
  events = EventsAfter(kExampleSpecs + 2);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].type, ChangeType::kUpserted);
  EXPECT_EQ(events[0].spec["spec"]["cku"], 6);
}

TEST_F(ReconcilerTest, ABootstrapKeepsTheLastGoodStateOfAFileThatIsInvalidAtTheHead) {
  std::string good = Git("rev-parse HEAD");
  std::string orders = Read("tenants/acme/kafka/orders.yaml");
  Write("tenants/acme/kafka/orders.yaml", orders.replace(orders.find("cku: 2"), 6, "cku: lots"));
  std::string bad = Commit("break orders");
  // Kafka lost everything (or never had it): the bootstrap rebuilds from git.
  auto reconciler = MakeReconciler();
  ReconcileReport report = MustRun(reconciler.get());
  EXPECT_EQ(report.rejected, 1u);
  std::vector<ChangeEvent> orders_events;
  for (const auto& e : Events()) {
    if (e.key == "KafkaCluster/acme/orders") orders_events.push_back(e);
  }
  ASSERT_THAT(orders_events, SizeIs(2));
  EXPECT_EQ(orders_events[0].type, ChangeType::kUpserted);
  EXPECT_EQ(orders_events[0].commit, good);
  EXPECT_EQ(orders_events[0].spec["spec"]["cku"], 2);
  EXPECT_EQ(orders_events[1].type, ChangeType::kRejected);
  EXPECT_EQ(orders_events[1].commit, bad);
  EXPECT_EQ(orders_events[1].sequence, orders_events[0].sequence + 1);
  EXPECT_EQ(ReadCheckpointNow().sequence, kExampleSpecs + 1);
}

TEST_F(ReconcilerTest, AForcePushPublishesTheNetChangeWithSequenceStillGrowing) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  std::string base = Git("rev-parse HEAD");
  std::filesystem::remove(std::filesystem::path(work_) / "tenants/acme/kafka/sandbox.yaml");
  Commit("delete sandbox");
  std::filesystem::remove(std::filesystem::path(work_) / "tenants/acme/kafka/inventory.yaml");
  std::string abandoned = Commit("delete inventory");
  MustRun(reconciler.get());
  ASSERT_EQ(OidToHex(ReadCheckpointNow().commit), abandoned);

  // Rewrite history: back to the base, then a different change.
  Git("reset -q --hard " + base);
  std::string ledger = Read("tenants/globex/kafka/ledger.yaml");
  Write("tenants/globex/kafka/ledger.yaml", ledger + "  # rewritten\n");
  std::string head = Commit("a different future");
  ReconcileReport report = MustRun(reconciler.get());
  EXPECT_TRUE(report.force_push);

  std::vector<ChangeEvent> events = EventsAfter(kExampleSpecs + 2);
  ASSERT_THAT(events, SizeIs(3));  // sandbox and inventory come back, ledger changed
  for (size_t i = 0; i < events.size(); ++i) {
    // Above anything the abandoned line could have put on Kafka.
    EXPECT_EQ(events[i].sequence, kExampleSpecs + 2 + kForcePushSequenceGap + 1 + i);
    EXPECT_EQ(events[i].commit, head);
    EXPECT_EQ(events[i].parent, abandoned);
    EXPECT_EQ(events[i].type, ChangeType::kUpserted);
  }
  EXPECT_EQ(events[0].key, "KafkaCluster/acme/inventory");
  EXPECT_EQ(events[1].key, "KafkaCluster/acme/sandbox");
  EXPECT_EQ(events[2].key, "KafkaCluster/globex/ledger");
  EXPECT_EQ(OidToHex(ReadCheckpointNow().commit), head);
}

TEST_F(ReconcilerTest, ACheckpointLeftLockedIsReportedNotRetriedForever) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  std::filesystem::remove(std::filesystem::path(work_) / "tenants/acme/kafka/sandbox.yaml");
  Commit("delete sandbox");
  // A lock file a crashed git process left behind.
  std::ofstream(work_ + "/.git/refs/strata/reconciled/main.lock") << "stale\n";
  EXPECT_THAT(reconciler->RunOnce().status(),
              StatusIs(StatusCode::kUnavailable,
                       "refs/strata/reconciled/main cannot be moved: it stays locked (remove its "
                       ".lock file if no git process or reconciler is writing it)"));
  std::filesystem::remove(work_ + "/.git/refs/strata/reconciled/main.lock");
  EXPECT_EQ(MustRun(reconciler.get()).commits, 1u);
}

TEST_F(ReconcilerTest, AMergeCommitIsDiffedAgainstItsFirstParent) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  Git("checkout -q -b feature");
  std::string ledger = Read("tenants/globex/kafka/ledger.yaml");
  Write("tenants/globex/kafka/ledger.yaml", ledger + "  # from a branch\n");
  Commit("feature work");
  Git("checkout -q main");
  Git("-c user.name=Ada -c user.email=ada@example.com merge -q --no-ff -m merge feature");
  std::string merge = Git("rev-parse HEAD");
  ReconcileReport report = MustRun(reconciler.get());
  EXPECT_EQ(report.commits, 1u);  // the branch's own commit is not on main's first-parent line
  std::vector<ChangeEvent> events = EventsAfter(kExampleSpecs);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].key, "KafkaCluster/globex/ledger");
  EXPECT_EQ(events[0].commit, merge);
}

TEST_F(ReconcilerTest, KafkaDownMovesNothingAndTheNextRunPublishes) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  Checkpoint before = ReadCheckpointNow();
  std::filesystem::remove(std::filesystem::path(work_) / "tenants/acme/kafka/sandbox.yaml");
  std::string head = Commit("delete sandbox");

  for (int32_t broker = 1; broker <= 3; ++broker) ASSERT_THAT(kafka_->SetBrokerDown(broker), IsOk());
  ReconcilerOptions options;
  options.repo_path = work_;
  options.ack_timeout = std::chrono::milliseconds(1500);
  auto impatient = Reconciler::Create(options, schemas_, producer_.get());
  ASSERT_THAT(impatient.status(), IsOk());
  EXPECT_THAT((*impatient)->RunOnce().status(), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(OidToHex(ReadCheckpointNow().ref_target), OidToHex(before.ref_target));

  for (int32_t broker = 1; broker <= 3; ++broker) ASSERT_THAT(kafka_->SetBrokerUp(broker), IsOk());
  // As the watch loop does: call again until Kafka answers (librdkafka reconnects with backoff).
  Result<ReconcileReport> report = Status::Unavailable("not run");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!report.ok() && std::chrono::steady_clock::now() < deadline) report = reconciler->RunOnce();
  ASSERT_THAT(report.status(), IsOk());
  EXPECT_EQ(OidToHex(ReadCheckpointNow().commit), head);
  std::vector<ChangeEvent> events = EventsAfter(kExampleSpecs);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].type, ChangeType::kDeleted);
  EXPECT_EQ(events[0].sequence, kExampleSpecs + 1);
}

TEST_F(ReconcilerTest, ARepublishAfterACrashRepeatsTheSameEventsAndConsumersIgnoreThem) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  std::string bootstrap_checkpoint = Git("rev-parse refs/strata/reconciled/main");
  std::string orders = Read("tenants/acme/kafka/orders.yaml");
  Write("tenants/acme/kafka/orders.yaml", orders.replace(orders.find("cku: 2"), 6, "cku: 4"));
  Commit("scale orders");
  MustRun(reconciler.get());
  // A crash after the events were acknowledged but before the checkpoint moved, replayed: put the
  // checkpoint back and run again.
  Git("update-ref refs/strata/reconciled/main " + bootstrap_checkpoint);
  MustRun(reconciler.get());

  std::vector<ChangeEvent> events = EventsAfter(kExampleSpecs);
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(EncodeCloudEvent(events[0]), EncodeCloudEvent(events[1]));  // byte for byte

  EventConsumerOptions options;
  options.properties = {{"bootstrap.servers", kafka_->bootstrap_servers()}};
  options.kinds = {"KafkaCluster"};
  auto consumer = EventConsumer::Create(options);
  ASSERT_THAT(consumer.status(), IsOk());
  size_t seen = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  // 12 clusters bootstrapped, one scaled; the replayed scale comes last on its partition.
  while ((seen < 13 || (*consumer)->duplicates_skipped() < 1) &&
         std::chrono::steady_clock::now() < deadline) {
    auto next = (*consumer)->Next(std::chrono::milliseconds(500));
    ASSERT_THAT(next.status(), IsOk());
    if (next->has_value()) ++seen;
  }
  EXPECT_EQ(seen, 13u);
  EXPECT_EQ((*consumer)->duplicates_skipped(), 1u);
  EXPECT_EQ((*consumer)->desired().at("KafkaCluster/acme/orders").spec["spec"]["cku"], 4);
}

TEST_F(ReconcilerTest, TwoReconcilersOnOneBranchAgreeOnTheCheckpoint) {
  for (int i = 0; i < 5; ++i) {
    std::string ledger = Read("tenants/globex/kafka/ledger.yaml");
    Write("tenants/globex/kafka/ledger.yaml", ledger + "  # edit " + std::to_string(i) + "\n");
    Commit("edit " + std::to_string(i));
  }
  auto other_producer = Producer::Create({{"bootstrap.servers", kafka_->bootstrap_servers()}});
  ASSERT_THAT(other_producer.status(), IsOk());
  auto first = MakeReconciler();
  auto second = MakeReconciler(other_producer->get());
  std::thread a([&] { MustRun(first.get()); });
  std::thread b([&] { MustRun(second.get()); });
  a.join();
  b.join();

  Checkpoint checkpoint = ReadCheckpointNow();
  EXPECT_EQ(OidToHex(checkpoint.commit), Git("rev-parse HEAD"));
  EXPECT_EQ(checkpoint.sequence, kExampleSpecs);  // a bootstrap of the head: one event per spec
  // Whatever interleaving happened, each id was published with one sequence number only.
  std::map<std::string, uint64_t> sequence_of_id;
  for (const auto& e : Events()) {
    auto [it, fresh] = sequence_of_id.emplace(e.id(), e.sequence);
    EXPECT_EQ(it->second, e.sequence) << e.id();
  }
  EXPECT_EQ(Sh("git -C " + work_ + " fsck --strict --no-dangling").code, 0);
}

TEST_F(ReconcilerTest, ACommitThatCannotBeReadIsSkippedAfterRetriesAndItsChangesComeNext) {
  auto reconciler = MakeReconciler();
  MustRun(reconciler.get());
  // A commit whose tree names a blob the repository does not have (as after a broken fetch):
  // commit, then take the blob's object file away.
  std::string tree = Git("rev-parse HEAD^{tree}");
  std::string orders = Read("tenants/acme/kafka/orders.yaml");
  std::string scaled_orders = orders.replace(orders.find("cku: 2"), 6, "cku: 4");
  Write("tenants/acme/kafka/orders.yaml", scaled_orders);
  std::string broken = Commit("scale orders");
  std::string blob = Git("rev-parse HEAD:tenants/acme/kafka/orders.yaml");
  std::filesystem::path object = std::filesystem::path(work_) / ".git/objects" / blob.substr(0, 2) /
                                 blob.substr(2);
  std::filesystem::path away = std::filesystem::path(dir_) / "away";
  std::filesystem::rename(object, away);
  ReconcileReport report = MustRun(reconciler.get());
  ASSERT_THAT(report.skipped, ElementsAre(broken));
  Checkpoint checkpoint = ReadCheckpointNow();
  EXPECT_EQ(OidToHex(checkpoint.commit), broken);
  EXPECT_EQ(OidToHex(checkpoint.tree), tree);  // Kafka still holds the tree before it
  EXPECT_THAT(checkpoint.skipped, ElementsAre(broken));
  auto status = Sh(std::string(STRATA_BINARY) + " status --repo " + work_);
  EXPECT_THAT(status.out, ::testing::HasSubstr("skipped     " + broken + ": could not be read"));

  // The blob comes back; the next commit carries the skipped change with it.
  std::filesystem::rename(away, object);
  std::string ledger = Read("tenants/globex/kafka/ledger.yaml");
  Write("tenants/globex/kafka/ledger.yaml", ledger + "  # next\n");
  std::string next = Commit("next");
  MustRun(reconciler.get());
  std::vector<ChangeEvent> events = EventsAfter(kExampleSpecs);
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0].key, "KafkaCluster/acme/orders");
  EXPECT_EQ(events[0].spec["spec"]["cku"], 4);
  EXPECT_EQ(events[0].commit, next);
  EXPECT_EQ(events[1].key, "KafkaCluster/globex/ledger");
}

}  // namespace
}  // namespace strata::reconcile
