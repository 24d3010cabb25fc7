// End-to-end tests of the strata binary, with the git command line checking what strata wrote.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/test_support.h"
#include "specs/embedded.h"

namespace {

namespace fs = std::filesystem;

using strata::testing::Outcome;
using strata::testing::Sh;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::FreshTestDir("cli");
  }
  void TearDown() override { fs::remove_all(dir_); }

  Outcome Strata(const std::string& args) { return Sh(std::string(STRATA_BINARY) + " " + args); }
  Outcome Git(const std::string& repo, const std::string& args) {
    return Sh("git -C " + repo + " -c user.name=Dev -c user.email=dev@example.com " + args);
  }
  void Write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  std::string dir_;
};

TEST_F(CliTest, InitMakesAFleetRepoThatGitAndValidateAccept) {
  std::string fleet = dir_ + "/fleet";
  Outcome init = Strata("init " + fleet);
  ASSERT_EQ(init.code, 0) << init.out;
  EXPECT_EQ(Git(fleet, "log --format=%s").out, "init: example fleet\n");
  EXPECT_EQ(Git(fleet, "status --porcelain").out, "");
  Outcome fsck = Git(fleet, "fsck --strict");
  EXPECT_EQ(fsck.code, 0) << fsck.out;
  EXPECT_TRUE(fs::exists(fleet + "/.strata/schema/v1alpha1/kafkacluster.json"));

  Outcome validate = Sh("cd " + fleet + " && " + STRATA_BINARY + " validate");
  EXPECT_EQ(validate.code, 0) << validate.out;
  EXPECT_EQ(validate.out,
            std::to_string(strata::EmbeddedExampleFleet().size()) + " files valid\n");

  Outcome again = Strata("init " + fleet);
  EXPECT_EQ(again.code, 2);
  EXPECT_EQ(again.out, "strata init: " + fleet + " exists and is not empty\n");
}

TEST_F(CliTest, PullRequestCheckReportsEveryErrorInEachFormat) {
  std::string fleet = dir_ + "/fleet";
  ASSERT_EQ(Strata("init " + fleet).code, 0);
  Write(fleet + "/tenants/acme/kafka/clickstream.yaml",
        "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: clickstream\n"
        "  org: acme\nspec:\n  sku: standard\n  cloud: aws\n  region: us-west-2\n"
        "  availability: multi-zone\n  cku: 2\n");
  Write(fleet + "/tenants/acme/kafka/inventory.yaml",
        "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: inventory\n"
        "  org: acme\nspec:\n  sku: basic\n  cloud: aws\n  region: us-west-2\n"
        "  availability: single-zone\n  colour: blue\n");
  Write(fleet + "/tenants/acme/kafka/bad.yaml", "spec: [\n");
  ASSERT_EQ(Git(fleet, "add -A").code, 0);
  ASSERT_EQ(Git(fleet, "commit -qm break").code, 0);

  Outcome human = Strata("validate --repo " + fleet + " --base HEAD~1 --head HEAD");
  EXPECT_EQ(human.code, 1);
  EXPECT_EQ(human.out,
            "tenants/acme/kafka/bad.yaml:2:1: error: YAML syntax error: end of sequence flow not "
            "found\n"
            "tenants/acme/kafka/clickstream.yaml:11:3: error: spec.cku: SKU 'standard' is not sized "
            "in CKU; only dedicated clusters set cku\n"
            "tenants/acme/kafka/inventory.yaml:11:3: error: spec.colour: unknown field 'colour'\n"
            "3 errors in 3 files checked\n");

  Outcome github = Strata("validate -o github --repo " + fleet + " --base HEAD~1 --head HEAD");
  EXPECT_EQ(github.code, 1);
  EXPECT_NE(github.out.find("::error file=tenants/acme/kafka/inventory.yaml,line=11,col=3,"
                            "title=strata validate::spec.colour: unknown field 'colour'\n"),
            std::string::npos)
      << github.out;

  Outcome json = Strata("validate -o json --repo " + fleet);
  EXPECT_EQ(json.code, 1);
  auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["valid"], false);
  EXPECT_EQ(parsed["errors"].size(), 3u);
  EXPECT_EQ(parsed["errors"][2]["field"], "spec.colour");
  EXPECT_EQ(parsed["errors"][2]["line"], 11);

  Outcome previous = Strata("validate --repo " + fleet + " --rev HEAD~1");
  EXPECT_EQ(previous.code, 0) << previous.out;
}

TEST_F(CliTest, SymlinksAndSubmodulesInTheSpecTreeAreRefused) {
  std::string fleet = dir_ + "/fleet";
  ASSERT_EQ(Strata("init " + fleet).code, 0);
  fs::create_symlink("orders.yaml", fleet + "/tenants/acme/kafka/alias.yaml");
  std::string head = Git(fleet, "rev-parse HEAD").out;
  head.pop_back();
  ASSERT_EQ(Git(fleet, "update-index --add --cacheinfo 160000," + head + ",tenants/acme/kafka/sub")
                .code,
            0);
  ASSERT_EQ(Git(fleet, "add tenants/acme/kafka/alias.yaml").code, 0);
  ASSERT_EQ(Git(fleet, "commit -qm links").code, 0);
  Outcome run = Strata("validate --repo " + fleet);
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out,
            "tenants/acme/kafka/alias.yaml: error: symlinks are not allowed in the spec tree\n"
            "tenants/acme/kafka/sub: error: submodules are not allowed in the spec tree\n"
            "2 errors in " + std::to_string(strata::EmbeddedExampleFleet().size() + 2) +
                " files checked\n");
}

TEST_F(CliTest, UsageAndIoErrorsExitTwo) {
  Outcome missing = Strata("validate --repo " + dir_ + "/nope");
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(missing.out.rfind("strata validate: opening repository " + dir_ + "/nope", 0), 0u)
      << missing.out;
  EXPECT_EQ(Strata("validate --repo " + dir_ + " --base main").code, 2);
  Outcome outside = Sh("cd " + dir_ + " && " + STRATA_BINARY + " validate /etc/hostname");
  EXPECT_EQ(outside.code, 2);
  EXPECT_EQ(outside.out,
            "strata validate: /etc/hostname is not inside a fleet (no policy/ or tenants/ above "
            "it); give --root\n");
  EXPECT_EQ(Strata("validate --output yaml").code, 2);
  EXPECT_EQ(Strata("no-such-command").code, 2);
}

TEST_F(CliTest, GeneratedFleetIsValidDeterministicAndClean) {
  std::string a = dir_ + "/a.git";
  std::string b = dir_ + "/b.git";
  Outcome gen = Strata("gen fleet --repo " + a + " --bare --clusters 2000 --orgs 50 --seed 11");
  ASSERT_EQ(gen.code, 0) << gen.out;
  ASSERT_EQ(Strata("gen fleet --repo " + b + " --bare --clusters 2000 --orgs 50 --seed 11").code, 0);
  EXPECT_EQ(Git(a, "rev-parse HEAD^{tree}").out, Git(b, "rev-parse HEAD^{tree}").out);
  Outcome fsck = Git(a, "fsck --strict");
  EXPECT_EQ(fsck.code, 0) << fsck.out;
  EXPECT_EQ(Git(a, "ls-tree -r --name-only HEAD tenants | grep -c /kafka/").out, "2000\n");
  Outcome validate = Strata("validate --repo " + a);
  EXPECT_EQ(validate.code, 0) << validate.out.substr(0, 2000);
}

}  // namespace
