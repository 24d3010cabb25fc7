// Validation against real git repositories in temporary directories.
#include "specs/validate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/git.h"
#include "core/status_matchers.h"
#include "core/test_support.h"
#include "specs/embedded.h"

namespace strata::specs {
namespace {

namespace fs = std::filesystem;

class ValidateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::FreshTestDir("validate");
    auto repo = Repository::Init(dir_, /*bare=*/true, "main");
    ASSERT_THAT(repo, IsOk());
    repo_.emplace(std::move(repo).value());
    for (const auto& f : EmbeddedExampleFleet()) files_[std::string(f.path)] = f.content;
    base_ = CommitFiles("examples");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Commits the current `files_` on main and returns the commit id.
  std::string CommitFiles(const std::string& message) {
    auto tree = repo_->WriteTree(files_);
    EXPECT_THAT(tree, IsOk());
    std::vector<git_oid> parents;
    if (auto head = repo_->ResolveCommit("refs/heads/main"); head.ok()) parents.push_back(*head);
    auto commit = repo_->Commit("refs/heads/main", *tree, parents, message, "Dev", "dev@example.com");
    EXPECT_THAT(commit, IsOk());
    return OidToHex(*commit);
  }

  // Changes one line of an example file (the text must be there).
  void Edit(const std::string& path, const std::string& from, const std::string& to) {
    std::string& text = files_.at(path);
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << path;
    text.replace(at, from.size(), to);
  }

  // Validates HEAD of main as a pull request against the examples; returns the errors as text.
  std::string ChangeErrors() {
    std::string head = CommitFiles("change");
    auto report = ValidateChange(dir_, base_, head);
    EXPECT_THAT(report, IsOk());
    return report.ok() ? FormatHuman(report->diagnostics) : report.status().ToString();
  }

  std::string RevisionErrors() {
    auto report = ValidateRevision(dir_, "main");
    EXPECT_THAT(report, IsOk());
    return report.ok() ? FormatHuman(report->diagnostics) : report.status().ToString();
  }

  static std::string Kafka(const std::string& org, const std::string& name, const std::string& spec) {
    return "apiVersion: strata.dev/v1alpha1\nkind: KafkaCluster\nmetadata:\n  name: " + name +
           "\n  org: " + org + "\nspec:\n" + spec;
  }

  std::string dir_;
  std::optional<Repository> repo_;
  std::map<std::string, std::string> files_;
  std::string base_;
};

TEST_F(ValidateTest, ExampleFleetIsValid) {
  auto report = ValidateRevision(dir_, "main");
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(FormatHuman(report->diagnostics), "");
  EXPECT_EQ(report->files_checked, EmbeddedExampleFleet().size());
}

TEST_F(ValidateTest, UnknownRevisionIsAnErrorNotAVerdict) {
  EXPECT_THAT(ValidateRevision(dir_, "no-such-branch"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(ValidateRevision(dir_ + "/missing", "main"), StatusIs(StatusCode::kNotFound));
}

TEST_F(ValidateTest, CkuOnlyOnDedicated) {
  Edit("tenants/acme/kafka/clickstream.yaml", "  availability: multi-zone\n",
       "  availability: multi-zone\n  cku: 2\n");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/clickstream.yaml:15:3: error: spec.cku: SKU 'standard' is not sized "
            "in CKU; only dedicated clusters set cku\n");
}

TEST_F(ValidateTest, MultiZoneNeedsTwoCku) {
  Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 1");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/orders.yaml:14:3: error: spec.availability: multi-zone needs at "
            "least 2 CKU; this cluster has 1\n");
}

TEST_F(ValidateTest, NegativeAndAbsurdCkuAreRefusedBySchema) {
  Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: -3");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/orders.yaml:15:3: error: spec.cku: -3 is below the minimum of 1\n");
  Edit("tenants/acme/kafka/orders.yaml", "cku: -3", "cku: 99999999999");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/orders.yaml:15:3: error: spec.cku: 99999999999 is above the maximum "
            "of 1000\n");
}

TEST_F(ValidateTest, PrivateNetworkingNeedsDedicated) {
  Edit("tenants/acme/kafka/payments.yaml", "sku: dedicated", "sku: standard");
  std::string errors = ChangeErrors();
  EXPECT_NE(errors.find("tenants/acme/kafka/payments.yaml:16:3: error: spec.network: private "
                        "networking (vpc-peering) needs a dedicated SKU; 'standard' allows public"),
            std::string::npos)
      << errors;
}

TEST_F(ValidateTest, EuResidentOrgStaysInTheEu) {
  Edit("tenants/bergbau/kafka/maschinen.yaml", "region: europe-west1", "region: us-central1");
  EXPECT_EQ(ChangeErrors(),
            "tenants/bergbau/kafka/maschinen.yaml:13:3: error: spec.region: org bergbau requires "
            "data residency 'eu', and gcp/us-central1 is outside it\n");
}

TEST_F(ValidateTest, RegionMustExistInTheCloud) {
  Edit("tenants/acme/kafka/clickstream.yaml", "region: us-west-2", "region: westeurope");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/clickstream.yaml:13:3: error: spec.region: cloud aws has no region "
            "'westeurope'\n");
}

TEST_F(ValidateTest, ReferencesResolveWithinTheOrg) {
  files_["tenants/globex/connect/stray.yaml"] =
      "apiVersion: strata.dev/v1alpha1\nkind: ConnectCluster\nmetadata:\n  name: stray\n"
      "  org: globex\nspec:\n  kafkaCluster: orders\n  workers: 2\n";
  EXPECT_EQ(ChangeErrors(),
            "tenants/globex/connect/stray.yaml:7:3: error: spec.kafkaCluster: no KafkaCluster "
            "'orders' in org globex (tenants/globex/kafka/orders.yaml)\n");
}

TEST_F(ValidateTest, PathAndMetadataMustAgree) {
  files_["tenants/acme/kafka/renamed.yaml"] =
      Kafka("globex", "other", "  sku: basic\n  cloud: aws\n  region: us-west-2\n  availability: single-zone\n");
  files_["tenants/acme/connect/wrong-kind.yaml"] = Kafka(
      "acme", "wrong-kind", "  sku: basic\n  cloud: aws\n  region: us-west-2\n  availability: single-zone\n");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/connect/wrong-kind.yaml:2:7: error: kind: a file at "
            "tenants/acme/connect/wrong-kind.yaml must hold a ConnectCluster, not a KafkaCluster\n"
            "tenants/acme/kafka/renamed.yaml:4:9: error: metadata.name: 'other' does not match the "
            "file name 'renamed.yaml'\n"
            "tenants/acme/kafka/renamed.yaml:5:8: error: metadata.org: 'globex' does not match the "
            "org directory tenants/acme/\n");
}

TEST_F(ValidateTest, UnknownFieldsAndWrongTypesAreErrors) {
  Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: four\n  replicas: 3");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/orders.yaml:15:3: error: spec.cku: wrong type: expected integer, got "
            "string 'four'\n"
            "tenants/acme/kafka/orders.yaml:16:3: error: spec.replicas: unknown field 'replicas'\n");
}

TEST_F(ValidateTest, SchemaAndCrossFileErrorsOfOneFileComeInOneRun) {
  Edit("tenants/acme/kafka/clickstream.yaml", "  availability: multi-zone\n",
       "  availability: multi-zone\n  cku: 2\n  colour: blue\n");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/clickstream.yaml:15:3: error: spec.cku: SKU 'standard' is not sized "
            "in CKU; only dedicated clusters set cku\n"
            "tenants/acme/kafka/clickstream.yaml:16:3: error: spec.colour: unknown field 'colour'\n");
}

TEST_F(ValidateTest, ABrokenSkuIsReportedOnceNotOnEveryClusterThatUsesIt) {
  Edit("policy/skus/standard.yaml", "tenancy: multi-tenant", "tenancy: shared");
  std::string errors = ChangeErrors();
  EXPECT_EQ(errors,
            "policy/skus/standard.yaml:9:3: error: spec.tenancy: 'shared' is not one of: "
            "dedicated, multi-tenant\n")
      << errors;
  EXPECT_EQ(RevisionErrors(), errors);  // the clusters of that SKU get no errors of their own
}

TEST_F(ValidateTest, EveryMissingFieldIsReported) {
  Edit("tenants/acme/kafka/clickstream.yaml", "  cloud: aws\n  region: us-west-2\n", "");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/clickstream.yaml:10:1: error: spec: missing required property "
            "'cloud'\n"
            "tenants/acme/kafka/clickstream.yaml:10:1: error: spec: missing required property "
            "'region'\n");
}

TEST_F(ValidateTest, AVeryLongNameFailsOnItsLengthWithoutExhaustingTheStack) {
  std::string name(4000, 'a');
  files_["tenants/acme/kafka/" + name + ".yaml"] = Kafka(
      "acme", name, "  sku: basic\n  cloud: aws\n  region: us-west-2\n  availability: single-zone\n");
  std::string errors = ChangeErrors();
  EXPECT_NE(errors.find("error: metadata.name: String should be no more than 63 characters"),
            std::string::npos)
      << errors.substr(0, 300);
}

TEST_F(ValidateTest, DuplicateNamesAreReported) {
  std::string pkc =
      "apiVersion: strata.dev/v1alpha1\nkind: PhysicalKafkaCluster\nmetadata:\n  name: pkc-1\n"
      "  annotations:\n    strata.dev/computed-at: \"0123456789012345678901234567890123456789\"\n"
      "    strata.dev/sources: tenants/acme/kafka/orders.yaml\nspec:\n  tenancy: dedicated\n"
      "  sku: dedicated\n  cloud: aws\n  region: us-west-2\n  zones:\n    - us-west-2a\n"
      "  brokers: 6\n  brokerSize:\n    cpu: 4\n    memoryGiB: 16\n    storageGiB: 500\n"
      "  kafkaVersion: \"3.7\"\n  tenants: []\n";
  files_["derived/pkc/pkc-1.yaml"] = pkc;
  files_["derived/pkc/aws/pkc-1.yaml"] = pkc;
  CommitFiles("two files, one name");
  std::string errors = RevisionErrors();
  EXPECT_NE(errors.find("derived/pkc/pkc-1.yaml:2:7: error: metadata.name: duplicate resource "
                        "PhysicalKafkaCluster/pkc-1, also defined in derived/pkc/aws/pkc-1.yaml"),
            std::string::npos)
      << errors;
}

TEST_F(ValidateTest, PeopleMayNotEditDerivedOrSatellites) {
  files_["derived/pkc/pkc-9.yaml"] = "anything: at all\n";
  files_["satellites/aws-us-west-2-1/x.yaml"] = "anything: at all\n";
  EXPECT_EQ(ChangeErrors(),
            "derived/pkc/pkc-9.yaml: error: people may not edit derived/: it is written only by the "
            "pkc controller\n"
            "satellites/aws-us-west-2-1/x.yaml: error: people may not edit satellites/: it is "
            "written only by the sync controller\n");
}

TEST_F(ValidateTest, ChangeThatUsesUpAnOrgsQuotaIsRefusedOnItsOwnFile) {
  files_["tenants/acme/kafka/big.yaml"] = Kafka(
      "acme", "big", "  sku: dedicated\n  cloud: aws\n  region: us-west-2\n  availability: multi-zone\n  cku: 8\n");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/big.yaml: error: org acme uses 14 CKU in total; its quota is 12 "
            "(policy/orgs/acme.yaml)\n");
}

TEST_F(ValidateTest, ChangeIsAnswerableForErrorsItCausesInFilesItDidNotTouch) {
  files_.erase("tenants/acme/networks/payments-peering.yaml");
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/payments.yaml:16:3: error: spec.network: no Network "
            "'payments-peering' in org acme (tenants/acme/networks/payments-peering.yaml)\n");
  Edit("policy/skus/dedicated.yaml", "max: 100", "max: 1");
  std::string errors = ChangeErrors();
  EXPECT_NE(errors.find("tenants/acme/kafka/orders.yaml:15:3: error: spec.cku: 2 CKU is outside "
                        "dedicated's range 1..1"),
            std::string::npos)
      << errors;
}

TEST_F(ValidateTest, ChangedFileWithABadPathIsReported) {
  files_["tenants/acme/kafka/x.yml"] = "kind: KafkaCluster\n";
  files_["tenants/acme/x.yaml"] = "kind: KafkaCluster\n";
  EXPECT_EQ(ChangeErrors(),
            "tenants/acme/kafka/x.yml: error: spec files end in .yaml, not .yml\n"
            "tenants/acme/x.yaml: error: tenant files live in "
            "tenants/<org>/{kafka,connect,ksql,networks}/<name>.yaml\n");
}

TEST_F(ValidateTest, ChangeReportsOnlyWhatItTouches) {
  // A broken file already on main is not the next pull request's fault.
  files_["tenants/initech/kafka/staging.yaml"] = "kind: [\n";
  CommitFiles("broken on main");
  base_ = OidToHex(*repo_->ResolveCommit("main"));
  Edit("tenants/acme/kafka/orders.yaml", "cku: 2", "cku: 3");
  EXPECT_EQ(ChangeErrors(), "");
  EXPECT_NE(RevisionErrors().find("tenants/initech/kafka/staging.yaml:2:1: error: YAML syntax"),
            std::string::npos);
}

TEST_F(ValidateTest, BrokenFilesAreReportedAndTheRestStillChecked) {
  // Bad files among good ones: each is reported, the rest are still checked.
  files_["tenants/acme/kafka/broken.yaml"] = "spec: [\n";
  files_["tenants/acme/kafka/empty.yaml"] = "";
  auto report = ValidateRevision(dir_, CommitFiles("two broken files"));
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->diagnostics.size(), 2u) << FormatHuman(report->diagnostics);
  EXPECT_EQ(report->files_checked, EmbeddedExampleFleet().size() + 2);
}

}  // namespace
}  // namespace strata::specs
