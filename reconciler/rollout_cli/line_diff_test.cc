#include "reconciler/rollout_cli/line_diff.h"

#include <gtest/gtest.h>

namespace strata::rollout_cli {
namespace {

TEST(LineDiff, EqualTextsHaveNoDiff) { EXPECT_EQ(UnifiedDiff("a.yaml", "x\ny\n", "x\ny\n"), ""); }

TEST(LineDiff, OneChangeWithThreeLinesOfContext) {
  std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  std::string after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  EXPECT_EQ(UnifiedDiff("f", before, after),
            "--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(LineDiff, AnAppendAtTheEnd) {
  EXPECT_EQ(UnifiedDiff("f", "a\nb\n", "a\nb\nc\n"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n b\n+c\n");
  EXPECT_EQ(UnifiedDiff("f", "", "a\n"), "--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+a\n");
}

TEST(LineDiff, DistantChangesAreSeparateHunksAndCloseOnesMerge) {
  std::string before, far, near;
  for (int i = 1; i <= 20; ++i) before += std::to_string(i) + "\n";
  far = before;
  far.replace(far.find("2\n"), 2, "two\n");
  far.replace(far.find("19\n"), 3, "nineteen\n");
  EXPECT_EQ(UnifiedDiff("f", before, far),
            "--- a/f\n+++ b/f\n"
            "@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"
            "@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n");
  near = before;
  near.replace(near.find("2\n"), 2, "two\n");
  near.replace(near.find("9\n"), 2, "nine\n");
  EXPECT_EQ(UnifiedDiff("f", before, near),
            "--- a/f\n+++ b/f\n"
            "@@ -1,12 +1,12 @@\n 1\n-2\n+two\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+nine\n 10\n 11\n 12\n");
}

}  // namespace
}  // namespace strata::rollout_cli
