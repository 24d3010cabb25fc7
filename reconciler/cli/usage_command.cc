// strata usage: the billing view of a fleet branch — cluster-hours and CKU-hours per org and
// cluster, split by SKU, cloud and region, read from the branch's first-parent history:
//   strata usage --from 2026-01-01 --to 2026-02-01 [--org acme] [--repo DIR] [--branch main]
//                [--output table|csv|json]
// Warnings (a commit that left a cluster's file invalid; an org not found) go to standard error;
// they do not change the exit code. Exit 2 for a bad date, an end before the start, or a
// repository or branch that cannot be read.
#include <cstdio>
#include <memory>
#include <string>

#include "core/change_event.h"
#include "core/git.h"
#include "reconciler/audit/dates.h"
#include "reconciler/audit/usage.h"
#include "reconciler/audit/usage_format.h"
#include "reconciler/cli/commands.h"

namespace strata::cli {
namespace {

struct UsageOptions {
  std::string from;
  std::string to;
  std::string org;
  std::string repo = ".";
  std::string branch = "main";
  std::string output = "table";
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "strata usage: %s\n", message.c_str());
  return kExitError;
}

int RunUsage(const UsageOptions& options) {
  Result<int64_t> from = audit::ParseInstant(options.from);
  if (!from.ok()) return Fail("--from: " + from.status().message());
  Result<int64_t> to = audit::ParseInstant(options.to);
  if (!to.ok()) return Fail("--to: " + to.status().message());
  if (*to < *from) {
    return Fail("--to " + FormatRfc3339Utc(*to) + " is before --from " + FormatRfc3339Utc(*from));
  }
  audit::UsageQuery query;
  query.branch = options.branch;
  query.from = *from;
  query.to = *to;
  query.org = options.org;
  Result<Repository> repo = Repository::Open(options.repo);
  if (!repo.ok()) return Fail(repo.status().message());
  // A year of history reads tens of thousands of trees. libgit2 re-hashes every object it reads
  // (with collision-detecting SHA-1) unless told not to; git itself checks hashes on fsck and on
  // transfer, not on every read, and so does this read-only command: it halves its time. (A
  // process-wide libgit2 setting: set here, in a one-shot command, and nowhere else.)
  git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  Result<audit::UsageReport> report = audit::ComputeUsage(*repo, query);
  if (!report.ok()) return Fail(report.status().message());

  for (const audit::UsageWarning& warning : report->warnings) {
    std::fprintf(stderr, "strata usage: warning: commit %s left %s invalid (%s); %s\n",
                 warning.commit.substr(0, 12).c_str(), warning.file.c_str(),
                 warning.problem.c_str(),
                 warning.kept_last ? "billing its last valid state"
                                   : "it had no valid state before, so it bills nothing");
  }
  if (!report->org_found) {
    std::fprintf(stderr, "strata usage: no org '%s' on %s between %s and %s: nothing to bill\n",
                 query.org.c_str(), query.branch.c_str(), FormatRfc3339Utc(query.from).c_str(),
                 FormatRfc3339Utc(query.to).c_str());
  }
  std::string out = options.output == "csv"    ? audit::FormatUsageCsv(*report)
                    : options.output == "json" ? audit::FormatUsageJson(*report, query)
                                               : audit::FormatUsageTable(*report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

void AddUsageCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<UsageOptions>();
  CLI::App* cmd = app.add_subcommand(
      "usage", "Cluster-hours and CKU-hours per org and cluster, from the branch's history");
  cmd->add_option("--from", options->from,
                  "Start of the period: YYYY-MM-DD (midnight UTC) or RFC 3339")
      ->required();
  cmd->add_option("--to", options->to, "End of the period, in the same forms")->required();
  cmd->add_option("--org", options->org, "Only this org (reads only tenants/ORG/)");
  cmd->add_option("--repo", options->repo, "The fleet repository")->capture_default_str();
  cmd->add_option("--branch", options->branch, "The fleet branch")->capture_default_str();
  cmd->add_option("--output,-o", options->output, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->callback([options, exit_code] { *exit_code = RunUsage(*options); });
}

}  // namespace strata::cli
