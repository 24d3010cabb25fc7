// The git wrapper on real repositories, checked against the git command line.
#include "core/git.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/status_matchers.h"
#include "core/test_support.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

std::string Sh(const std::string& command) { return testing::Sh(command).out; }

class GitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("git");
    auto repo = Repository::Init(dir_, /*bare=*/true, "main");
    ASSERT_THAT(repo, IsOk());
    repo_.emplace(std::move(repo).value());
  }
  void TearDown() override { fs::remove_all(dir_); }

  git_oid Commit(const std::map<std::string, std::string>& files, std::vector<git_oid> parents,
                 const std::string& ref = "") {
    auto tree = repo_->WriteTree(files);
    EXPECT_THAT(tree, IsOk());
    auto commit = repo_->Commit(ref, *tree, parents, "c\n", "Dev", "dev@example.com");
    EXPECT_THAT(commit, IsOk());
    return *commit;
  }

  std::string dir_;
  std::optional<Repository> repo_;
};

TEST_F(GitTest, DiffAgreesWithGitDiffTree) {
  std::map<std::string, std::string> before = {
      {"a/b/one.yaml", "1"}, {"a/b/two.yaml", "2"}, {"a/c", "file"}, {"z.yaml", "z"},
      {"big/x/y/deep.yaml", "d"}};
  std::map<std::string, std::string> after = before;
  after["a/b/two.yaml"] = "22";          // modified
  after.erase("a/b/one.yaml");           // deleted
  after["a/b/three.yaml"] = "3";         // added
  after.erase("a/c");                    // a file becomes a directory
  after["a/c/inside.yaml"] = "i";
  git_oid c1 = Commit(before, {});
  git_oid c2 = Commit(after, {c1});
  auto diff = repo_->DiffTrees(*repo_->TreeOfCommit(c1), *repo_->TreeOfCommit(c2));
  ASSERT_THAT(diff, IsOk());
  std::vector<std::string> ours;
  for (const auto& c : *diff) {
    ours.push_back(std::string(c.added() ? "A" : c.deleted() ? "D" : "M") + "\t" + c.path);
  }
  std::vector<std::string> theirs;
  std::string out = Sh("git -C " + dir_ + " diff-tree -r --no-renames --name-status " +
                       OidToHex(c1) + " " + OidToHex(c2));
  for (size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    theirs.push_back(out.substr(start, end - start));
  }
  auto by_path = [](const std::string& a, const std::string& b) {
    return a.substr(2) < b.substr(2);
  };
  std::sort(ours.begin(), ours.end(), by_path);
  std::sort(theirs.begin(), theirs.end(), by_path);
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(diff->size(), 5u);
}

TEST_F(GitTest, CompareAndSwapRefLetsOneOfTwoWritersWin) {
  git_oid c1 = Commit({{"f", "1"}}, {});
  git_oid c2 = Commit({{"f", "2"}}, {c1});
  git_oid c3 = Commit({{"f", "3"}}, {c1});
  const std::string ref = "refs/strata/reconciled/main";
  git_oid none{};
  ASSERT_THAT(repo_->CompareAndSwapRef(ref, none, c1, "create"), IsOk());
  EXPECT_THAT(repo_->CompareAndSwapRef(ref, none, c2, "create again"),
              StatusIs(StatusCode::kAborted));

  auto other = Repository::Open(dir_);  // a second writer with its own handle
  ASSERT_THAT(other, IsOk());
  ASSERT_THAT(repo_->CompareAndSwapRef(ref, c1, c2, "writer one"), IsOk());
  Status lost = other->CompareAndSwapRef(ref, c1, c3, "writer two");
  EXPECT_THAT(lost, StatusIs(StatusCode::kAborted));
  EXPECT_EQ(lost.message(), ref + " moved under us (expected " + OidToHex(c1) + ")");
  EXPECT_EQ(Sh("git -C " + dir_ + " rev-parse " + ref), OidToHex(c2) + "\n");
  Sh("git -C " + dir_ + " update-ref -d " + ref);  // a third party deletes it
  EXPECT_THAT(repo_->CompareAndSwapRef(ref, c2, c3, "after delete"), StatusIs(StatusCode::kAborted));
}

TEST_F(GitTest, AHostileDeepTreeIsRefusedNotRecursedInto) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "d/";
  git_oid c1 = Commit({{"f", "1"}}, {});
  git_oid c2 = Commit({{"f", "1"}, {deep + "x.yaml", "x"}}, {c1});
  EXPECT_THAT(repo_->ListFiles(*repo_->TreeOfCommit(c2)), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(repo_->DiffTrees(*repo_->TreeOfCommit(c1), *repo_->TreeOfCommit(c2)),
              StatusIs(StatusCode::kResourceExhausted));
}

TEST_F(GitTest, WriteTreeRefusesAPathThatIsBothFileAndDirectory) {
  EXPECT_THAT(repo_->WriteTree({{"a", "x"}, {"a/b", "y"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(repo_->WriteTree({{"a//b", "x"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(repo_->WriteTree({{"a/../b", "x"}}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(GitTest, FirstParentRangeFollowsMainAndRefusesAForcePush) {
  git_oid c1 = Commit({{"f", "1"}}, {});
  git_oid c2 = Commit({{"f", "2"}}, {c1});
  git_oid side = Commit({{"f", "2"}, {"g", "side"}}, {c1});
  git_oid merge = Commit({{"f", "2"}, {"g", "side"}}, {c2, side});
  auto range = repo_->FirstParentRange(c1, merge);
  ASSERT_THAT(range, IsOk());
  ASSERT_EQ(range->size(), 2u);
  EXPECT_TRUE(git_oid_equal(&(*range)[0], &c2));
  EXPECT_TRUE(git_oid_equal(&(*range)[1], &merge));

  git_oid none{};
  auto all = repo_->FirstParentRange(none, merge);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), 3u);

  auto forced = repo_->FirstParentRange(side, merge);  // side is not on the first-parent line
  EXPECT_THAT(forced, StatusIs(StatusCode::kFailedPrecondition));
  auto same = repo_->FirstParentRange(merge, merge);
  ASSERT_THAT(same, IsOk());
  EXPECT_TRUE(same->empty());
}

TEST_F(GitTest, CopyObjectsFromCopiesOnlyWhatTheRefReachesAndLacks) {
  git_oid c1 = Commit({{"a/x", "1"}, {"a/y", "2"}, {"b/z", "3"}}, {});
  git_oid c2 = Commit({{"a/x", "1"}, {"a/y", "changed"}, {"b/z", "3"}}, {c1});
  git_oid other = Commit({{"secret", "not yours"}}, {});  // reachable only from elsewhere
  auto copy = Repository::Init(dir_ + "/copy.git", /*bare=*/true, "main");
  ASSERT_THAT(copy, IsOk());
  ASSERT_THAT(copy->CopyObjectsFrom(*repo_, c1), IsOk());
  std::string objects = "git --git-dir=" + dir_ + "/copy.git count-objects -v | grep '^count:'";
  EXPECT_EQ(Sh(objects), "count: 7\n");  // commit, 3 trees, 3 blobs
  // The next commit costs what changed: the commit, the root tree, a/ and the new blob.
  ASSERT_THAT(copy->CopyObjectsFrom(*repo_, c2), IsOk());
  EXPECT_EQ(Sh(objects), "count: 11\n");
  EXPECT_EQ(Sh("git --git-dir=" + dir_ + "/copy.git fsck --no-dangling " + OidToHex(c2) + " 2>&1"), "");
  EXPECT_NE(testing::Sh("git --git-dir=" + dir_ + "/copy.git cat-file -t " + OidToHex(other)).code, 0);
  git_oid missing;
  git_oid_fromstr(&missing, std::string(40, '1').c_str());
  EXPECT_THAT(copy->CopyObjectsFrom(*repo_, missing), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace strata
