#include "reconciler/audit/usage.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <unordered_map>

#include "specs/diagnostic.h"
#include "specs/kinds.h"
#include "specs/node.h"
#include "specs/resource.h"
#include "specs/schema_set.h"

namespace strata::audit {
namespace {

bool SameOid(const git_oid& a, const git_oid& b) { return git_oid_equal(&a, &b) != 0; }

// What one version of a KafkaCluster file bills, or why it cannot.
struct Parsed {
  std::optional<BillingState> state;
  std::string problem;
};

// The first-parent commits of the walk: all the walk keeps of each.
struct LineCommit {
  git_oid id{};
  git_oid tree{};
  int64_t time = 0;
};

class UsageWalk {
 public:
  UsageWalk(const Repository& repo, const UsageQuery& query,
            std::shared_ptr<const specs::SchemaSet> schemas, UsageReport* report)
      : repo_(repo),
        query_(query),
        validator_(std::move(schemas)),
        report_(report),
        ledger_(query.from, query.to) {}

  Status Run() {
    ASSIGN_OR_RETURN(git_oid head, repo_.ResolveCommit("refs/heads/" + query_.branch));
    report_->head = OidToHex(head);
    std::optional<CommitInfo> base;
    std::vector<LineCommit> window;  // newest first while walking
    RETURN_IF_ERROR(WalkBack(head, &base, &window));
    std::reverse(window.begin(), window.end());

    // The state at `from`: the base commit's tree, read as if every file were added then.
    git_oid tenants{};
    git_oid scope{};
    if (base.has_value()) {
      ASSIGN_OR_RETURN(tenants, repo_.SubtreeAt(base->tree, "tenants"));
      ASSIGN_OR_RETURN(scope, ScopeOf(tenants));
      RETURN_IF_ERROR(Apply(git_oid{}, scope, base->id, &*base));
    }
    bool found = !IsZeroOid(scope);
    for (const LineCommit& commit : window) {
      ledger_.AdvanceTo(commit.time);
      if (ledger_.now() >= query_.to) break;  // what happens from `to` on bills nothing
      ASSIGN_OR_RETURN(git_oid next_tenants, repo_.SubtreeAt(commit.tree, "tenants"));
      if (SameOid(next_tenants, tenants)) continue;  // a controller commit, or policy/ only
      tenants = next_tenants;
      ASSIGN_OR_RETURN(git_oid next_scope, ScopeOf(tenants));
      found = found || !IsZeroOid(next_scope);
      if (SameOid(next_scope, scope)) continue;  // another org's change
      RETURN_IF_ERROR(Apply(scope, next_scope, commit.id, nullptr));
      scope = next_scope;
    }
    report_->org_found = query_.org.empty() || found;
    report_->rows = ledger_.Close();
    return Status::Ok();
  }

 private:
  // The first-parent line from `head` back to the last commit dated at or before `from` (the
  // base, absent when the branch starts after `from`); `window` gets the commits after it.
  Status WalkBack(git_oid at, std::optional<CommitInfo>* base, std::vector<LineCommit>* window) {
    for (;;) {
      ASSIGN_OR_RETURN(CommitInfo info, repo_.ReadCommit(at));
      ++report_->commits_read;
      if (info.committer_time <= query_.from) {
        *base = std::move(info);
        return Status::Ok();
      }
      window->push_back({info.id, info.tree, info.committer_time});
      if (info.parents.empty()) return Status::Ok();
      at = info.parents[0];
    }
  }

  // The tree the query reads within `tenants`: all of it, or the org's directory.
  Result<git_oid> ScopeOf(const git_oid& tenants) const {
    if (query_.org.empty() || IsZeroOid(tenants)) return tenants;
    return repo_.SubtreeAt(tenants, query_.org);
  }

  std::string ScopePath() const {
    return query_.org.empty() ? "tenants/" : "tenants/" + query_.org + "/";
  }

  // Bills the change from `old_scope` to `new_scope` (either may be absent) made by `commit`.
  // `base` is set for the state at `from`, whose invalid files look further back.
  Status Apply(const git_oid& old_scope, const git_oid& new_scope, const git_oid& commit,
               const CommitInfo* base) {
    std::vector<ChangedFile> changes;
    if (IsZeroOid(new_scope)) {
      if (IsZeroOid(old_scope)) return Status::Ok();
      ASSIGN_OR_RETURN(std::vector<TreeFile> gone, repo_.ListFiles(old_scope));
      for (const TreeFile& f : gone) {
        changes.push_back({f.path, f.oid, git_oid{}, f.mode, static_cast<git_filemode_t>(0)});
      }
    } else {
      ASSIGN_OR_RETURN(changes, repo_.DiffTrees(old_scope, new_scope));
    }
    std::string prefix = ScopePath();
    for (const ChangedFile& change : changes) {
      std::string path = prefix + change.path;
      Result<specs::PathRule> rule = specs::ClassifyPath(path);
      if (!rule.ok() || rule->kind != "KafkaCluster") continue;
      if (change.deleted()) {
        ledger_.Set(rule->org, rule->name, std::nullopt);
        continue;
      }
      ASSIGN_OR_RETURN(const Parsed* parsed, Parse(path, change.new_oid));
      if (parsed->state.has_value()) {
        ledger_.Set(rule->org, rule->name, parsed->state);
        continue;
      }
      UsageWarning warning{OidToHex(commit), path, parsed->problem, false};
      warning.kept_last = ledger_.Current(rule->org, rule->name) != nullptr;
      if (!warning.kept_last && base != nullptr) {
        RETURN_IF_ERROR(LookBack(*base, path, change.new_oid, *rule, &warning));
      }
      report_->warnings.push_back(std::move(warning));
    }
    return Status::Ok();
  }

  // A file already invalid at `from`: its last valid state is further back on the line. Bills it
  // and names, in `warning`, the commit that broke the file.
  Status LookBack(const CommitInfo& base, const std::string& path, git_oid blob,
                  const specs::PathRule& rule, UsageWarning* warning) {
    git_oid newer = base.id;
    std::vector<git_oid> parents = base.parents;
    while (!parents.empty()) {
      ASSIGN_OR_RETURN(CommitInfo info, repo_.ReadCommit(parents[0]));
      ++report_->commits_read;
      Result<TreeFile> entry = repo_.FindPath(info.tree, path);
      if (!entry.ok()) {
        if (entry.status().code() == StatusCode::kNotFound) return Status::Ok();  // never valid
        return entry.status();
      }
      if (!SameOid(entry->oid, blob)) {
        ASSIGN_OR_RETURN(const Parsed* parsed, Parse(path, entry->oid));
        if (parsed->state.has_value()) {
          ledger_.Set(rule.org, rule.name, parsed->state);
          warning->commit = OidToHex(newer);
          warning->kept_last = true;
          return Status::Ok();
        }
        blob = entry->oid;
      }
      newer = info.id;
      parents = std::move(info.parents);
    }
    return Status::Ok();
  }

  // Reads and checks one version of a file; the same version at the same path is read once.
  Result<const Parsed*> Parse(const std::string& path, const git_oid& blob) {
    std::string key = OidToHex(blob) + ":" + path;
    if (auto it = parsed_.find(key); it != parsed_.end()) return &it->second;
    ASSIGN_OR_RETURN(std::string bytes, repo_.ReadBlob(blob));
    specs::Diagnostics diagnostics;
    std::optional<specs::Resource> resource =
        specs::LoadResource(path, bytes, &validator_, &diagnostics);
    Parsed parsed;
    if (resource.has_value() && resource->valid) {
      BillingState state;
      state.sku = std::string(resource->Text("spec.sku"));
      state.cloud = std::string(resource->Text("spec.cloud"));
      state.region = std::string(resource->Text("spec.region"));
      state.cku = specs::ParseYamlInt(resource->Text("spec.cku")).value_or(0);
      parsed.state = std::move(state);
    } else {
      specs::SortAndDedupe(&diagnostics);
      parsed.problem = "not a valid KafkaCluster";
      if (!diagnostics.empty()) {
        const specs::Diagnostic& first = diagnostics[0];
        parsed.problem = (first.line > 0 ? "line " + std::to_string(first.line) + ": " : "") +
                         (first.field.empty() ? "" : first.field + ": ") + first.message;
      }
    }
    return &parsed_.emplace(std::move(key), std::move(parsed)).first->second;
  }

  const Repository& repo_;
  const UsageQuery& query_;
  specs::SchemaValidator validator_;
  UsageReport* report_;
  UsageLedger ledger_;
  std::unordered_map<std::string, Parsed> parsed_;
};

}  // namespace

Result<UsageReport> ComputeUsage(const Repository& repo, const UsageQuery& query) {
  if (query.to < query.from) {
    return Status::InvalidArgument("the end of the period is before its start");
  }
  if (!query.org.empty() && !specs::IsDnsLabel(query.org)) {
    return Status::InvalidArgument("'" + query.org + "' is not an org name (a DNS-1123 label)");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const specs::SchemaSet> schemas,
                   specs::SchemaSet::LoadEmbedded());
  UsageReport report;
  UsageWalk walk(repo, query, std::move(schemas), &report);
  RETURN_IF_ERROR(walk.Run());
  return report;
}

}  // namespace strata::audit
