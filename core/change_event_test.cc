// ChangeEvent's wire form: CloudEvents 1.0 structured JSON, and the exact errors for bad records.
#include "core/change_event.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/status_matchers.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

ChangeEvent Sample() {
  ChangeEvent e;
  e.type = ChangeType::kUpserted;
  e.key = "KafkaCluster/acme/orders";
  e.kind = "KafkaCluster";
  e.path = "tenants/acme/kafka/orders.yaml";
  e.source = "/strata/main";
  e.branch = "main";
  e.commit = std::string(40, 'a');
  e.parent = std::string(40, 'b');
  e.author = "Ada <ada@example.com>";
  e.time = FormatRfc3339Utc(1795334400);
  e.sequence = 42;
  e.controller = "pkc";
  e.causes = {std::string(40, 'c')};
  e.spec = nlohmann::json::parse(R"({"kind":"KafkaCluster","spec":{"cku":4}})");
  return e;
}

TEST(ChangeEventTest, RoundTripsThroughCloudEventsJson) {
  ChangeEvent e = Sample();
  std::string json = EncodeCloudEvent(e);
  EXPECT_THAT(json, HasSubstr(R"("specversion":"1.0")"));
  EXPECT_THAT(json, HasSubstr(R"("type":"dev.strata.resource.upserted")"));
  EXPECT_THAT(json, HasSubstr(R"("time":"2026-11-22T08:00:00Z")"));
  auto back = DecodeCloudEvent(json);
  ASSERT_THAT(back.status(), IsOk());
  EXPECT_EQ(EncodeCloudEvent(*back), json);  // nothing lost, same bytes
  EXPECT_EQ(back->id(), std::string(40, 'a') + ":tenants/acme/kafka/orders.yaml");
}

TEST(ChangeEventTest, RejectionsCarryTheirErrors) {
  ChangeEvent e = Sample();
  e.type = ChangeType::kRejected;
  e.errors = {{"tenants/acme/kafka/orders.yaml", 15, 3, "spec.cku", "wrong type"}};
  auto back = DecodeCloudEvent(EncodeCloudEvent(e));
  ASSERT_THAT(back.status(), IsOk());
  ASSERT_EQ(back->errors.size(), 1u);
  EXPECT_EQ(back->errors[0].line, 15);
  EXPECT_EQ(back->errors[0].field, "spec.cku");
  EXPECT_TRUE(back->spec.is_null());
}

TEST(ChangeEventTest, BadRecordsAreRefusedByName) {
  EXPECT_THAT(DecodeCloudEvent("not json").status(),
              StatusIs(StatusCode::kInvalidArgument, "cloud event: not a JSON object"));
  EXPECT_THAT(DecodeCloudEvent(R"({"specversion":"0.3"})").status(),
              StatusIs(StatusCode::kInvalidArgument, "cloud event: specversion '0.3' is not 1.0"));
  nlohmann::json doc = nlohmann::json::parse(EncodeCloudEvent(Sample()));
  doc["data"].erase("sequence");
  EXPECT_THAT(DecodeCloudEvent(doc.dump()).status(),
              StatusIs(StatusCode::kInvalidArgument,
                       "cloud event: data.sequence is missing or not a number"));
  doc = nlohmann::json::parse(EncodeCloudEvent(Sample()));
  doc["type"] = "dev.strata.resource.exploded";
  EXPECT_THAT(DecodeCloudEvent(doc.dump()).status(),
              StatusIs(StatusCode::kInvalidArgument,
                       "cloud event: unknown type 'dev.strata.resource.exploded'"));
  doc = nlohmann::json::parse(EncodeCloudEvent(Sample()));
  doc["id"] = "forged";
  EXPECT_THAT(DecodeCloudEvent(doc.dump()).status(),
              StatusIs(StatusCode::kInvalidArgument,
                       "cloud event: id 'forged' is not data.commit:data.path"));
}

TEST(ChangeEventTest, TopicsAreTheLowerCaseKind) {
  EXPECT_EQ(DesiredTopic("KafkaCluster"), "strata.desired.kafkacluster");
  EXPECT_EQ(DesiredTopic("PhysicalKafkaCluster"), "strata.desired.physicalkafkacluster");
}

}  // namespace
}  // namespace strata
