#include "examples/generator/fleet_generator.h"

#include <gtest/gtest.h>

namespace strata::examples {
namespace {

// How many KafkaCluster files of `files` have each SKU.
std::map<std::string, int> SkuCounts(const std::map<std::string, std::string>& files) {
  std::map<std::string, int> counts;
  for (const auto& [path, text] : files) {
    if (path.find("/kafka/") == std::string::npos) continue;
    size_t at = text.find("\n  sku: ");
    if (at == std::string::npos) continue;
    at += 8;
    ++counts[text.substr(at, text.find('\n', at) - at)];
  }
  return counts;
}

TEST(FleetGeneratorTest, DedicatedPercentSetsTheShareOfDedicatedClusters) {
  FleetShape shape{200, 10, 7};
  std::map<std::string, int> mix = SkuCounts(GenerateFleetFiles(shape));
  EXPECT_EQ(mix["basic"] + mix["standard"] + mix["dedicated"], 200);
  EXPECT_GT(mix["basic"], mix["standard"]);
  EXPECT_GT(mix["standard"], mix["dedicated"]);
  EXPECT_GT(mix["dedicated"], 0);

  shape.dedicated_percent = 100;
  EXPECT_EQ(SkuCounts(GenerateFleetFiles(shape)), (std::map<std::string, int>{{"dedicated", 200}}));

  shape.dedicated_percent = 0;
  std::map<std::string, std::string> none = GenerateFleetFiles(shape);
  EXPECT_EQ(SkuCounts(none).count("dedicated"), 0u);
  for (const auto& [path, text] : none) EXPECT_EQ(path.find("/networks/"), std::string::npos);

  // Half: the other half is basic, the cheaper SKU first.
  shape.dedicated_percent = 50;
  std::map<std::string, int> half = SkuCounts(GenerateFleetFiles(shape));
  EXPECT_EQ(half["basic"] + half["dedicated"], 200);
  EXPECT_EQ(half.count("standard"), 0u);
  EXPECT_GT(half["basic"], 0);
  EXPECT_GT(half["dedicated"], 0);
}

}  // namespace
}  // namespace strata::examples
