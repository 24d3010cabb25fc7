// strata validate: the pull-request check, on disk paths, a revision, or a base..head change.
#include <cstdio>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "reconciler/cli/commands.h"
#include "specs/fleet.h"
#include "specs/schema_set.h"
#include "specs/validate.h"
#include "specs/yaml_loader.h"

namespace strata::cli {
namespace {

struct ValidateArgs {
  std::vector<std::string> paths;
  std::string root;
  std::string repo;
  std::string rev;
  std::string base;
  std::string head;
  std::string output = "human";
  int threads = 0;
  bool schema_only = false;
};

// --schema-only: each file against its kind's JSON Schema and nothing else (no path rules, no
// cross-file checks): what an editor or ajv checks, so the two can be compared.
Result<specs::ValidationReport> ValidateSchemaOnly(const std::vector<std::string>& paths) {
  ASSIGN_OR_RETURN(auto schemas, specs::SchemaSet::LoadEmbedded());
  specs::SchemaValidator validator(schemas);
  specs::ValidationReport report;
  for (const auto& path : paths) {
    ++report.files_checked;
    Result<std::string> read = specs::ReadSpecFile(path);
    if (read.status().code() == StatusCode::kResourceExhausted) {
      report.diagnostics.push_back({path, 0, 0, "", read.status().message()});
      continue;
    }
    if (!read.ok()) return read.status();
    const std::string& bytes = *read;
    auto doc = specs::LoadYaml(path, bytes, &report.diagnostics);
    if (!doc.has_value()) continue;
    validator.Validate(path, doc->root.StringAt("kind"), doc->root, &report.diagnostics);
  }
  specs::SortAndDedupe(&report.diagnostics);
  return report;
}

// The fleet root above `path`: the nearest directory holding policy/ or tenants/; "" if none.
std::string FindFleetRoot(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (!fs::is_directory(p, ec)) p = p.parent_path();
  for (fs::path dir = p; !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_directory(dir / "policy", ec) || fs::is_directory(dir / "tenants", ec)) {
      return dir.string();
    }
    if (dir == dir.root_path()) break;
  }
  return "";
}

int Run(const ValidateArgs& args) {
  specs::ValidateOptions options;
  options.threads = args.threads;
  Result<specs::ValidationReport> report = Status::InvalidArgument("nothing to validate");
  if (args.schema_only) {
    report = ValidateSchemaOnly(args.paths);
  } else if (!args.repo.empty()) {
    if (!args.paths.empty()) {
      std::fprintf(stderr, "strata validate: give paths or --repo, not both\n");
      return kExitError;
    }
    if (args.base.empty() != args.head.empty()) {
      std::fprintf(stderr, "strata validate: --base and --head go together\n");
      return kExitError;
    }
    report = args.base.empty() ? specs::ValidateRevision(args.repo, args.rev, options)
                               : specs::ValidateChange(args.repo, args.base, args.head, options);
  } else {
    std::vector<std::string> paths = args.paths.empty() ? std::vector<std::string>{"."} : args.paths;
    std::string root = args.root.empty() ? FindFleetRoot(paths.front()) : args.root;
    if (root.empty()) {
      std::fprintf(stderr,
                   "strata validate: %s is not inside a fleet (no policy/ or tenants/ above it); "
                   "give --root\n",
                   paths.front().c_str());
      return kExitError;
    }
    std::vector<std::string> absolute;
    for (const auto& p : paths) absolute.push_back(std::filesystem::absolute(p).lexically_normal());
    report = specs::ValidateDisk(std::filesystem::absolute(root).lexically_normal(), absolute, options);
  }
  if (!report.ok()) {
    std::fprintf(stderr, "strata validate: %s\n", report.status().message().c_str());
    return kExitError;
  }
  const auto& diags = report->diagnostics;
  std::string out;
  if (args.output == "json") {
    out = specs::FormatJson(diags, report->files_checked);
  } else if (args.output == "github") {
    out = specs::FormatGithub(diags);
  } else {
    out = specs::FormatHuman(diags);
    auto count = [](size_t n, const char* noun) {
      return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
    };
    out += diags.empty() ? count(report->files_checked, "file") + " valid\n"
                         : count(diags.size(), "error") + " in " +
                               count(report->files_checked, "file") + " checked\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return diags.empty() ? kExitOk : kExitInvalid;
}

}  // namespace

void AddValidateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Check specs: files and directories on disk, a whole revision (--repo [--rev]), or a pull "
      "request (--repo --base --head). Exit 0 valid, 1 invalid, 2 usage or I/O error.");
  cmd->add_option("paths", args->paths, "Files or directories in a fleet work tree (default .)");
  cmd->add_option("--root", args->root, "The fleet root (default: found above the first path)");
  cmd->add_option("--repo", args->repo, "A fleet repository (bare or not)");
  cmd->add_option("--rev", args->rev, "Revision to validate with --repo")->default_val("HEAD");
  cmd->add_option("--base", args->base, "Pull request base revision");
  cmd->add_option("--head", args->head, "Pull request head revision");
  cmd->add_option("--output,-o", args->output, "human, json or github")
      ->check(CLI::IsMember({"human", "json", "github"}));
  cmd->add_option("--threads", args->threads, "Parser threads (default: one per core)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--schema-only", args->schema_only,
                "Check each file against its kind's JSON Schema only (as ajv or an editor would)");
  cmd->callback([args, exit_code] { *exit_code = Run(*args); });
}

}  // namespace strata::cli
