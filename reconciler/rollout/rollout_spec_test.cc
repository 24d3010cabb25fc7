#include "reconciler/rollout/rollout_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reconciler/rollout/time_text.h"
#include "specs/yaml_loader.h"

namespace strata::rollout {
namespace {

ParsedRollout Parse(const std::string& yaml) {
  specs::Diagnostics diagnostics;
  std::optional<specs::YamlDocument> doc = specs::LoadYaml("rollouts/r.yaml", yaml, &diagnostics);
  if (!doc.has_value()) return {};
  return ParseRolloutSpec("rollouts/r.yaml", doc->root);
}

TEST(RolloutSpecTest, ReadsWavesAmountsAndState) {
  ParsedRollout p = Parse(R"(apiVersion: strata.dev/v1alpha1
kind: Rollout
metadata: {name: r}
spec:
  change: {kafkaVersion: "3.8", config: {a: b}}
  selector: {clouds: [aws], labels: {tier: gold}}
  waves:
    - {name: canary, percent: 10, maxConcurrent: "25%", soak: 10m, maxFailures: 1}
    - {name: rest, maxConcurrent: 50, maxFailures: "5%", requiresApproval: true}
  state: paused
  approvedWaves: [rest]
  acknowledgedFailures: 3
)");
  ASSERT_THAT(p.errors, ::testing::IsEmpty());
  const RolloutSpec& r = p.spec;
  EXPECT_EQ(r.name, "r");
  EXPECT_EQ(r.change.kafka_version, "3.8");
  EXPECT_EQ(r.change.config.at("a"), "b");
  EXPECT_EQ(r.selector.labels.at("tier"), "gold");
  ASSERT_EQ(r.waves.size(), 2u);
  EXPECT_EQ(r.waves[0].percent, 10);
  EXPECT_EQ(r.waves[0].max_concurrent.Of(10, true), 3);
  EXPECT_EQ(r.waves[0].soak_ms, 600'000);
  EXPECT_EQ(r.waves[1].max_failures.Of(30, false), 1);
  EXPECT_TRUE(r.waves[1].requires_approval);
  EXPECT_EQ(r.state, RequestedState::kPaused);
  EXPECT_EQ(r.acknowledged_failures, 3);
  EXPECT_EQ(DescribeChange(r.change), "kafkaVersion → 3.8, config a=b");
}

TEST(RolloutSpecTest, NamesTheLineAndFieldOfWhatTheSchemaCannotCheck) {
  ParsedRollout p = Parse(R"(apiVersion: strata.dev/v1alpha1
kind: Rollout
metadata: {name: r}
spec:
  change: {kafkaVersion: "3.8"}
  waves:
    - {name: a, maxConcurrent: 1}
    - {name: a, maxConcurrent: "0%"}
  state: running
  approvedWaves: [b]
)");
  ASSERT_EQ(p.errors.size(), 3u) << p.errors[0].message;
  EXPECT_EQ(p.errors[0].field, "spec.waves[1].name");
  EXPECT_EQ(p.errors[0].line, 8);
  EXPECT_EQ(p.errors[0].message, "wave a is named twice");
  EXPECT_EQ(p.errors[1].field, "spec.waves[1].maxConcurrent");
  EXPECT_EQ(p.errors[2].field, "spec.approvedWaves[0]");
  EXPECT_EQ(p.errors[2].message, "no wave named b in this rollout");
  EXPECT_EQ(p.errors[2].line, 10);
}

TEST(RolloutSpecTest, AnAmountTheSchemaWouldRefuseIsAnErrorNotACrash) {
  // The controller parses files as they come, before any schema check.
  ParsedRollout p = Parse(R"(apiVersion: strata.dev/v1alpha1
kind: Rollout
metadata: {name: r}
spec:
  change: {kafkaVersion: "3.8"}
  waves:
    - {name: a, maxConcurrent: "x%", maxFailures: "99999999999999999999%"}
  state: running
)");
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].field, "spec.waves[0].maxConcurrent");
  EXPECT_EQ(p.errors[0].message, "a count or a share like \"25%\"");
  EXPECT_EQ(p.errors[1].field, "spec.waves[0].maxFailures");
}

TEST(TimeTextTest, MillisRoundTripAndDurations) {
  EXPECT_EQ(FormatMillis(1'800'000'000'123), "2027-01-15T08:00:00.123Z");
  EXPECT_EQ(ParseMillis("2027-01-15T08:00:00.123Z"), 1'800'000'000'123);
  EXPECT_EQ(ParseMillis("2027-01-15T08:00:00Z"), 1'800'000'000'000);
  EXPECT_EQ(ParseMillis("2027-02-30T08:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseDurationMillis("90s"), 90'000);
  EXPECT_EQ(ParseDurationMillis("2h"), 7'200'000);
  EXPECT_EQ(ParseDurationMillis("2d"), std::nullopt);
}

}  // namespace
}  // namespace strata::rollout
