#include "specs/node_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "specs/yaml_loader.h"

namespace strata::specs {
namespace {

using ::testing::ElementsAre;

Node Parse(const std::string& text) {
  Diagnostics diagnostics;
  std::optional<YamlDocument> doc = LoadYaml("t.yaml", text, &diagnostics);
  if (!doc.has_value()) throw std::runtime_error("does not parse: " + text);
  return doc->root;
}

std::vector<std::string> Formatted(const std::vector<FieldChange>& changes) {
  std::vector<std::string> out;
  for (const FieldChange& c : changes) out.push_back(FormatFieldChange(c));
  return out;
}

TEST(NodeDiffTest, ChangedAddedAndRemovedScalarsAreNamedByTheirFieldPath) {
  Node before = Parse("spec:\n  cku: 2\n  cloud: aws\n  old: x\n");
  Node after = Parse("spec:\n  cku: 4\n  cloud: aws\n  network: net-1\n");
  EXPECT_THAT(
      Formatted(DiffNodes(&before, &after)),
      ElementsAre("spec.cku: 2 → 4", "spec.network: (none) → net-1", "spec.old: x → (none)"));
}

TEST(NodeDiffTest, AScalarListIsOneValueAndAListOfMapsIsComparedItemByItem) {
  Node before = Parse("zones: [a, b]\npools:\n  - name: p1\n    nodes: 6\n");
  Node after = Parse("zones: [a, b, c]\npools:\n  - name: p1\n    nodes: 9\n");
  EXPECT_THAT(Formatted(DiffNodes(&before, &after)),
              ElementsAre("zones: [a, b] → [a, b, c]", "pools[0].nodes: 6 → 9"));
}

TEST(NodeDiffTest, IgnoredPrefixesAndACreatedDocument) {
  Node after = Parse("metadata:\n  name: x\n  annotations:\n    a: b\nspec:\n  cku: 1\n");
  EXPECT_THAT(Formatted(DiffNodes(nullptr, &after, {"metadata.annotations"})),
              ElementsAre("metadata.name: (none) → x", "spec.cku: (none) → 1"));
  EXPECT_THAT(DiffNodes(&after, &after), ::testing::IsEmpty());
}

}  // namespace
}  // namespace strata::specs
