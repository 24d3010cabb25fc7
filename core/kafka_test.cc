// The producer against librdkafka's mock cluster: real Kafka protocol on loopback, real faults.
#include "core/kafka.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "core/mock_kafka.h"
#include "core/status_matchers.h"

namespace strata {
namespace {

using namespace std::chrono_literals;

// Reads `count` records of partition 0 of `topic` from the beginning, as "key=value".
std::vector<std::string> ReadBack(const std::string& bootstrap, const std::string& topic,
                                  size_t count) {
  auto conf = MakeKafkaConf({{"bootstrap.servers", bootstrap}, {"group.id", "kafka-test"},
                             {"enable.auto.commit", "false"}});
  EXPECT_THAT(conf, IsOk());
  char err[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err, sizeof err);
  EXPECT_NE(raw, nullptr) << err;
  conf->release();
  KafkaPtr consumer(raw);
  KafkaTopicPartitionListPtr parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  EXPECT_EQ(rd_kafka_assign(consumer.get(), parts.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::vector<std::string> out;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    KafkaMessagePtr m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (m == nullptr || m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    out.push_back(std::string(static_cast<const char*>(m->key), m->key_len) + "=" +
                  std::string(static_cast<const char*>(m->payload), m->len));
  }
  // Anything more than `count` would be a duplicate: give it a moment to show up.
  for (int i = 0; i < 5; ++i) {
    KafkaMessagePtr m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (m != nullptr && m->err == RD_KAFKA_RESP_ERR_NO_ERROR) out.push_back("(extra)");
  }
  rd_kafka_consumer_close(consumer.get());
  return out;
}

std::vector<KafkaMessage> Messages(const std::string& topic, int n, const std::string& tag) {
  std::vector<KafkaMessage> out;
  for (int i = 0; i < n; ++i) out.push_back({topic, "k" + std::to_string(i), tag + std::to_string(i)});
  return out;
}

std::vector<std::string> Expected(int n, const std::string& tag) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("k" + std::to_string(i) + "=" + tag + std::to_string(i));
  return out;
}

// A mock cluster of `brokers` brokers with topic "t" (one partition) and a producer on it.
class ProducerTest : public ::testing::Test {
 protected:
  void Start(int brokers) {
    auto started = MockKafka::Start(brokers);
    ASSERT_THAT(started, IsOk());
    kafka_ = std::move(started).value();
    ASSERT_THAT(kafka_->CreateTopic("t", 1, brokers), IsOk());
    auto made = Producer::Create({{"bootstrap.servers", kafka_->bootstrap_servers()}});
    ASSERT_THAT(made, IsOk());
    producer_ = std::move(made).value();
  }
  std::vector<std::string> ReadBackT(size_t count) {
    return ReadBack(kafka_->bootstrap_servers(), "t", count);
  }

  std::unique_ptr<MockKafka> kafka_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(ProducerTest, EveryMessageIsAcknowledgedAndReadBackInOrder) {
  ASSERT_NO_FATAL_FAILURE(Start(3));
  ASSERT_THAT(producer_->ProduceAll(Messages("t", 500, "v"), 20s), IsOk());
  EXPECT_EQ(ReadBackT(500), Expected(500, "v"));
}

TEST_F(ProducerTest, BrokerDownIsUnavailableThenTheResendSucceeds) {
  ASSERT_NO_FATAL_FAILURE(Start(1));
  ASSERT_THAT(kafka_->SetBrokerDown(1), IsOk());
  Status down = producer_->ProduceAll(Messages("t", 10, "v"), 1500ms);
  EXPECT_THAT(down, StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(down.message(), "Kafka did not acknowledge 10 of 10 messages within 1500 ms");
  ASSERT_THAT(kafka_->SetBrokerUp(1), IsOk());
  ASSERT_THAT(producer_->ProduceAll(Messages("t", 10, "v"), 20s), IsOk());
  // At least once: the purged batch never reached the log, the resend did, once.
  EXPECT_EQ(ReadBackT(10), Expected(10, "v"));
}

TEST_F(ProducerTest, RetriableProduceErrorsAreRetriedWithoutDuplicates) {
  ASSERT_NO_FATAL_FAILURE(Start(1));
  kafka_->PushRequestErrors(kKafkaApiProduce, {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                               RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
  ASSERT_THAT(producer_->ProduceAll(Messages("t", 50, "v"), 20s), IsOk());
  EXPECT_EQ(ReadBackT(50), Expected(50, "v"));
}

TEST(ProducerLimitsTest, AMessageThatCanNeverBeSentIsNotAskedToBeRetried) {
  auto kafka = MockKafka::Start(1);
  ASSERT_THAT(kafka, IsOk());
  auto producer = Producer::Create(
      {{"bootstrap.servers", (*kafka)->bootstrap_servers()}, {"message.max.bytes", "2000"}});
  ASSERT_THAT(producer, IsOk());
  Status too_big = (*producer)->ProduceAll({{"t", "k", std::string(10'000, 'x')}}, 5s);
  EXPECT_THAT(too_big, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(too_big.message(), "Kafka refused a message: Broker: Message size too large");
}

TEST(KafkaConfigTest, ReadsPropertiesAndNamesTheBadLine) {
  std::string path = ::testing::TempDir() + "/kafka.properties";
  std::ofstream(path) << "# TLS\nsecurity.protocol = SSL\n\nssl.ca.location=/etc/ca.pem\n";
  auto props = LoadKafkaConfigFile(path);
  ASSERT_THAT(props, IsOk());
  EXPECT_EQ(*props, (KafkaProperties{{"security.protocol", "SSL"}, {"ssl.ca.location", "/etc/ca.pem"}}));
  std::ofstream(path) << "acks=all\nnot a property\n";
  auto bad = LoadKafkaConfigFile(path);
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(bad.status().message(), path + ":2: expected key=value (a librdkafka property)");
  auto refused = MakeKafkaConf({{"no.such.property", "1"}});
  EXPECT_THAT(refused, StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace strata
