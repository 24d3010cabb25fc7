#include "reconciler/audit/path_history.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/test_support.h"

namespace strata::audit {
namespace {

// A plain repository built with the git command line, one dated commit at a time.
class PathHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("path-history");
    Git("init -q -b main .");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Git(const std::string& args) {
    auto out = testing::Sh("cd " + dir_ + " && git " + args);
    ASSERT_EQ(out.code, 0) << args << ": " << out.out;
  }
  void Write(const std::string& path, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(dir_ + "/" + path).parent_path());
    std::ofstream(dir_ + "/" + path) << content;
  }
  // Commits everything, dated `day` days into 2026; returns the sha.
  std::string Commit(const std::string& message, int day) {
    std::string date =
        "2026-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T12:00:00Z";
    Git("add -A && GIT_AUTHOR_DATE=" + date + " GIT_COMMITTER_DATE=" + date +
        " git -c user.name=Ada -c user.email=ada@example.com commit -q --allow-empty -m '" +
        message + "'");
    return testing::Sh("git -C " + dir_ + " rev-parse HEAD").out.substr(0, 40);
  }
  PathWalk Walk(const std::string& path, PathWalkOptions options = {}) {
    auto repo = Repository::Open(dir_);
    EXPECT_TRUE(repo.ok());
    auto head = repo->ResolveCommit("main");
    EXPECT_TRUE(head.ok());
    auto walk = WalkPathHistory(*repo, *head, path, options);
    EXPECT_TRUE(walk.ok()) << walk.status().ToString();
    return walk.ok() ? *walk : PathWalk{};
  }
  static std::vector<std::string> Commits(const PathWalk& walk) {
    std::vector<std::string> out;
    for (const auto& c : walk.changes) out.push_back(OidToHex(c.commit));
    return out;
  }
  std::string dir_;
};

constexpr char kPath[] = "tenants/acme/kafka/orders.yaml";

TEST_F(PathHistoryTest, OnlyTheCommitsThatChangedThePathNewestFirst) {
  Write(kPath, "a: 1\n");
  std::string c1 = Commit("create", 1);
  Write("tenants/acme/kafka/other.yaml", "x: 1\n");
  Commit("a neighbour", 2);
  Write(kPath, "a: 2\n");
  std::string c3 = Commit("edit", 3);
  Write("policy/skus/basic.yaml", "y: 1\n");
  Commit("elsewhere", 4);
  std::filesystem::remove(dir_ + "/" + kPath);
  std::string c5 = Commit("delete", 5);
  Commit("empty", 6);

  PathWalk walk = Walk(kPath);
  EXPECT_EQ(Commits(walk), (std::vector<std::string>{c5, c3, c1}));
  EXPECT_TRUE(walk.changes[0].deleted());
  EXPECT_FALSE(walk.changes[1].created() || walk.changes[1].deleted());
  EXPECT_TRUE(walk.changes[2].created());
  EXPECT_EQ(walk.walked.size(), 6u);
  // The same answer as git's own path-limited walk.
  auto git = testing::Sh("git -C " + dir_ + " log --first-parent --format=%H -- " + kPath);
  EXPECT_EQ(git.out, c5 + "\n" + c3 + "\n" + c1 + "\n");

  PathWalkOptions since;
  since.since = 1767268800 + 2 * 86400;  // 2026-01-03T12:00:00Z
  EXPECT_EQ(Commits(Walk(kPath, since)), (std::vector<std::string>{c5, c3}));
  PathWalkOptions limit;
  limit.limit = 1;
  EXPECT_EQ(Commits(Walk(kPath, limit)), (std::vector<std::string>{c5}));
}

TEST_F(PathHistoryTest, AMergeCountsAsOneChangeOnTheFirstParentLine) {
  Write(kPath, "a: 1\n");
  std::string c1 = Commit("create", 1);
  Git("checkout -q -b feature");
  Write(kPath, "a: 2\n");
  Commit("on a branch", 2);
  Git("checkout -q main");
  Git("-c user.name=Ada -c user.email=ada@example.com merge -q --no-ff -m merged feature");
  std::string merge = testing::Sh("git -C " + dir_ + " rev-parse HEAD").out.substr(0, 40);
  EXPECT_EQ(Commits(Walk(kPath)), (std::vector<std::string>{merge, c1}));
}

}  // namespace
}  // namespace strata::audit
