// `strata usage` as a user runs it: the real binary over a fleet repository whose history has
// known commit times, one of them made with the git command line (its committer date counts,
// not its author date).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/change_event.h"
#include "core/test_support.h"
#include "reconciler/audit/dates.h"
#include "reconciler/audit/usage_test_support.h"

namespace strata::audit {
namespace {

using strata::testing::Sh;
using testing::KafkaClusterYaml;
using testing::KafkaPath;

constexpr int64_t kHour = 3600;
const int64_t kT0 = *ParseInstant("2026-01-01");

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

class UsageCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = strata::testing::FreshTestDir("usage-cli");
    testing::TimedHistory history(dir_ + "/fleet.git");
    history.Put(kT0 + 1 * kHour, KafkaPath("acme", "orders"),
                KafkaClusterYaml("acme", "orders", "dedicated", "aws", "us-west-2", 2));
    history.Put(kT0 + 2 * kHour, KafkaPath("globex", "web"),
                KafkaClusterYaml("globex", "web", "basic", "gcp", "europe-west1", std::nullopt));
    bad_ = history.Put(kT0 + 3 * kHour, KafkaPath("acme", "orders"),
                       KafkaClusterYaml("acme", "orders", "dedicated", "aws", "us-west-2", 5000));
    // A person resizes to 4 CKU in a clone; the change lands (committer date) at t0 + 11 h,
    // though it was written (author date) a day earlier.
    std::string work = dir_ + "/work";
    Must("git clone -q " + dir_ + "/fleet.git " + work);
    std::ofstream(work + "/" + KafkaPath("acme", "orders"))
        << KafkaClusterYaml("acme", "orders", "dedicated", "aws", "us-west-2", 4);
    Must("cd " + work +
             " && git -c user.name=Ada -c user.email=ada@example.com commit -qam "
             "'resize orders to 4' && git push -q origin main",
         "GIT_AUTHOR_DATE='" + FormatRfc3339Utc(kT0 - 24 * kHour) + "' GIT_COMMITTER_DATE='" +
             FormatRfc3339Utc(kT0 + 11 * kHour) + "' ");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static void Must(const std::string& command, const std::string& env = "") {
    auto outcome = Sh(env + "sh -c \"" + command + "\"");
    ASSERT_EQ(outcome.code, 0) << command << "\n" << outcome.out;
  }

  CliRun Usage(const std::string& args, const std::string& in = "") {
    std::string err_file = dir_ + "/stderr.txt";
    std::string cd = in.empty() ? "" : "cd " + in + " && ";
    auto outcome =
        Sh("{ " + cd + std::string(STRATA_BINARY) + " usage " + args + " 2>" + err_file + "; }");
    std::ifstream err(err_file);
    return {outcome.code, outcome.out, std::string(std::istreambuf_iterator<char>(err), {})};
  }
  std::string Repo() const { return " --repo " + dir_ + "/fleet.git"; }

  std::string dir_;
  std::string bad_;
};

TEST_F(UsageCliTest, CsvOfEveryOrgWithTheInvalidCommitWarnedOnStderr) {
  CliRun run = Usage("--from 2026-01-01 --to 2026-01-02T00:00:00Z --output csv" + Repo());
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  // orders: 23 h, 10 of them at 2 CKU (the 5000-CKU commit is invalid), 13 at 4; web: 22 h.
  EXPECT_EQ(run.out,
            "org,cluster,sku,cloud,region,cluster_hours,cku_hours\n"
            "acme,orders,dedicated,aws,us-west-2,23.00,72.00\n"
            "globex,web,basic,gcp,europe-west1,22.00,0.00\n");
  EXPECT_EQ(run.err, "strata usage: warning: commit " + bad_.substr(0, 12) +
                         " left tenants/acme/kafka/orders.yaml invalid (line 11: spec.cku: "
                         "5000 is above the maximum of 1000); billing its last valid state\n");
}

TEST_F(UsageCliTest, OneOrgAsATableFromAWorkingClone) {
  CliRun run = Usage("--from 2026-01-01T06:00:00Z --to 2026-01-01T16:00:00+02:00 --org acme",
                     dir_ + "/work");
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  // 06:00 to 14:00 UTC: 5 h at 2 CKU, then 3 h at 4 CKU.
  EXPECT_EQ(run.out,
            "ORG    CLUSTER  SKU        CLOUD  REGION     CLUSTER-HOURS  CKU-HOURS\n"
            "acme   orders   dedicated  aws    us-west-2           8.00      22.00\n"
            "acme   (total)                                        8.00      22.00\n"
            "(all)                                                 8.00      22.00\n");
}

TEST_F(UsageCliTest, JsonForScripts) {
  CliRun run = Usage("--from 2026-01-01 --to 2026-01-02 --org globex -o json" + Repo());
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["org"], "globex");
  ASSERT_EQ(json["clusters"].size(), 1u);
  EXPECT_EQ(json["clusters"][0]["cluster"], "web");
  EXPECT_EQ(json["clusters"][0]["clusterSeconds"], 22 * kHour);
  EXPECT_EQ(json["orgs"][0]["clusterHours"], 22.0);
  EXPECT_TRUE(json["warnings"].empty());
}

TEST_F(UsageCliTest, AnUnknownOrgIsAnEmptyAnswerAndANote) {
  CliRun run = Usage("--from 2026-01-01 --to 2026-01-02 --org initech -o csv" + Repo());
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out, "org,cluster,sku,cloud,region,cluster_hours,cku_hours\n");
  EXPECT_EQ(run.err,
            "strata usage: no org 'initech' on main between 2026-01-01T00:00:00Z and "
            "2026-01-02T00:00:00Z: nothing to bill\n");
}

TEST_F(UsageCliTest, AnEndBeforeTheStartOrABadDateIsExitTwo) {
  CliRun backwards = Usage("--from 2026-02-01 --to 2026-01-01" + Repo());
  EXPECT_EQ(backwards.code, 2);
  EXPECT_EQ(backwards.err,
            "strata usage: --to 2026-01-01T00:00:00Z is before --from "
            "2026-02-01T00:00:00Z\n");
  CliRun bad = Usage("--from 2026-02-30 --to 2026-03-01" + Repo());
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, ::testing::HasSubstr("--from: '2026-02-30' is not a date"));
  CliRun no_branch = Usage("--from 2026-01-01 --to 2026-01-02 --branch nope" + Repo());
  EXPECT_EQ(no_branch.code, 2);
  EXPECT_THAT(no_branch.err, ::testing::HasSubstr("refs/heads/nope"));
}

}  // namespace
}  // namespace strata::audit
