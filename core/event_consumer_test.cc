// EventConsumer against the mock cluster: it hands out only what is newer than what it has seen
// for a key, keeps the latest desired state, and keeps the last good state beside a rejection.
#include "core/event_consumer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/mock_kafka.h"
#include "core/status_matchers.h"

namespace strata {
namespace {

ChangeEvent Event(ChangeType type, const std::string& name, uint64_t sequence, int cku) {
  ChangeEvent e;
  e.type = type;
  e.kind = "KafkaCluster";
  e.key = "KafkaCluster/acme/" + name;
  e.path = "tenants/acme/kafka/" + name + ".yaml";
  e.commit = std::string(39, 'a') + std::to_string(sequence % 10);
  e.sequence = sequence;
  if (type == ChangeType::kUpserted) e.spec = {{"spec", {{"cku", cku}}}};
  if (type == ChangeType::kRejected) e.errors = {{e.path, 3, 1, "spec.cku", "bad"}};
  return e;
}

KafkaMessage Message(const ChangeEvent& e) { return {DesiredTopic(e.kind), e.key, EncodeCloudEvent(e)}; }

TEST(EventConsumerTest, NeverGoesBackToAnOlderStateAndKeepsTheLastGoodOne) {
  auto kafka = MockKafka::Start(1);
  ASSERT_THAT(kafka.status(), IsOk());
  auto producer = Producer::Create({{"bootstrap.servers", (*kafka)->bootstrap_servers()}});
  ASSERT_THAT(producer.status(), IsOk());
  ASSERT_THAT((*producer)->ProduceAll(
                  {Message(Event(ChangeType::kUpserted, "orders", 5, 4)),
                   // late and older: a reconciler that lost the race, still sending
                   Message(Event(ChangeType::kUpserted, "orders", 3, 2)),
                   Message(Event(ChangeType::kUpserted, "orders", 5, 4)),  // a replay
                   Message(Event(ChangeType::kRejected, "orders", 6, 0)),
                   Message(Event(ChangeType::kUpserted, "sandbox", 7, 1)),
                   Message(Event(ChangeType::kDeleted, "sandbox", 8, 0)),
                   {DesiredTopic("KafkaCluster"), "junk", "{not a cloud event"}},
                  std::chrono::seconds(10)),
              IsOk());

  EventConsumerOptions options;
  options.properties = {{"bootstrap.servers", (*kafka)->bootstrap_servers()}};
  options.kinds = {"KafkaCluster"};
  auto consumer = EventConsumer::Create(options);
  ASSERT_THAT(consumer.status(), IsOk());
  std::vector<uint64_t> handed_out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (((*consumer)->malformed() < 1 || handed_out.size() < 4) &&
         std::chrono::steady_clock::now() < deadline) {
    auto next = (*consumer)->Next(std::chrono::milliseconds(200));
    ASSERT_THAT(next.status(), IsOk());
    if (next->has_value()) handed_out.push_back((*next)->sequence);
  }
  // The keys sit on one partition each; per key the order is kept.
  std::sort(handed_out.begin(), handed_out.end());
  EXPECT_THAT(handed_out, ::testing::ElementsAre(5, 6, 7, 8));
  EXPECT_EQ((*consumer)->duplicates_skipped(), 2u);
  EXPECT_EQ((*consumer)->malformed(), 1u);
  EXPECT_EQ((*consumer)->SequenceOf("KafkaCluster/acme/orders"), 6u);
  // The rejection leaves cku 4 as the desired state; the deleted cluster is gone.
  ASSERT_EQ((*consumer)->desired().count("KafkaCluster/acme/orders"), 1u);
  EXPECT_EQ((*consumer)->desired().at("KafkaCluster/acme/orders").spec["spec"]["cku"], 4);
  EXPECT_EQ((*consumer)->rejected().count("KafkaCluster/acme/orders"), 1u);
  EXPECT_EQ((*consumer)->desired().count("KafkaCluster/acme/sandbox"), 0u);
}

}  // namespace
}  // namespace strata
