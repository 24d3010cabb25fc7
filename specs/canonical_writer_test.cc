#include "specs/canonical_writer.h"

#include <gtest/gtest.h>

#include "specs/embedded.h"

namespace strata::specs {
namespace {

std::shared_ptr<const SchemaSet> Schemas() {
  static auto schemas = SchemaSet::LoadEmbedded();
  EXPECT_TRUE(schemas.ok()) << schemas.status().ToString();
  return *schemas;
}

std::string Canonical(const std::string& text) {
  Diagnostics d;
  auto doc = LoadYaml("f.yaml", text, &d);
  EXPECT_TRUE(doc.has_value()) << FormatHuman(d);
  return doc.has_value() ? WriteCanonical(*doc, *Schemas()) : "";
}

TEST(CanonicalWriterTest, EveryExampleFileIsAlreadyCanonical) {
  size_t checked = 0;
  for (const auto& f : EmbeddedExampleFleet()) {
    std::string text(f.content);
    EXPECT_EQ(Canonical(text), text) << f.path;
    ++checked;
  }
  EXPECT_GT(checked, 30u);
}

TEST(CanonicalWriterTest, OrdersKeysByTheSchemaAndQuotesOnlyWhatNeedsIt) {
  std::string messy =
      "spec: {cku: 4, region: us-west-2, sku: dedicated, kafkaVersion: '3.7', cloud: aws,\n"
      "  availability: multi-zone, config: {z.b: '1', a.b: 'x: y'}}\n"
      "metadata: {org: acme, name: orders, labels: {team: core, env: 'true'}}\n"
      "kind: KafkaCluster\napiVersion: strata.dev/v1alpha1\n";
  std::string expected =
      "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: orders\n"
      "  org: acme\n  labels:\n    env: \"true\"\n    team: core\nspec:\n  sku: dedicated\n"
      "  cloud: aws\n  region: us-west-2\n  availability: multi-zone\n  cku: 4\n"
      "  kafkaVersion: \"3.7\"\n  config:\n    a.b: \"x: y\"\n    z.b: \"1\"\n";
  EXPECT_EQ(Canonical(messy), expected);
}

TEST(CanonicalWriterTest, QuotesNonAsciiAndEscapesWhatYamlReadsAsLineBreaks) {
  std::string text = "kind: X\nmetadata:\n  labels:\n    a: M\u00fcnchen\n    b: \"x\\u2028y\\u0085z\"\n";
  std::string once = Canonical(text);
  EXPECT_NE(once.find("    a: \"M\u00fcnchen\"\n"), std::string::npos) << once;
  EXPECT_NE(once.find("    b: \"x\\u2028y\\u0085z\"\n"), std::string::npos) << once;
  EXPECT_EQ(Canonical(once), once);
}

TEST(CanonicalWriterTest, WriteLoadWriteIsIdentical) {
  std::string rollout =
      "# header kept\napiVersion: strata.dev/v1alpha1\nkind: Rollout\nmetadata: {name: r}\n"
      "spec:\n  state: paused\n  change: {kafkaVersion: '3.8'}\n"
      "  waves: [{soak: 10m, name: canary, maxConcurrent: 1, selector: {clouds: [aws, gcp]}},"
      " {name: rest, maxConcurrent: '10%', percent: 100}]\n  approvedWaves: []\n";
  std::string once = Canonical(rollout);
  EXPECT_EQ(Canonical(once), once);
  EXPECT_EQ(once.rfind("# header kept\n", 0), 0u);
  EXPECT_NE(once.find("  waves:\n    - name: canary\n      selector:\n        clouds:\n"
                      "          - aws\n          - gcp\n      maxConcurrent: 1\n"),
            std::string::npos)
      << once;
  EXPECT_NE(once.find("  approvedWaves: []\n"), std::string::npos) << once;
}

}  // namespace
}  // namespace strata::specs
