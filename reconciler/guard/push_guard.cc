#include "reconciler/guard/push_guard.h"

#include <map>
#include <memory>
#include <optional>
#include <set>

#include "reconciler/controllers/registry.h"
#include "specs/kinds.h"
#include "specs/resource.h"
#include "specs/schema_set.h"

namespace strata::guard {
namespace {

constexpr std::string_view kSatelliteRefs = "refs/heads/satellites/";
constexpr std::string_view kStrataRefs = "refs/strata/";
constexpr std::string_view kControllerDomain = "@controllers.strata.local";

const std::string* Trailer(const CommitInfo& info, std::string_view key) {
  for (const auto& [k, v] : info.trailers) {
    if (k == key) return &v;
  }
  return nullptr;
}

class Checker {
 public:
  Checker(const Repository& repo, GuardOptions options)
      : repo_(repo), options_(std::move(options)), prefixes_(controllers::ControllerPrefixes()) {}

  Status Check(const RefUpdate& update) {
    bool fleet = update.ref == "refs/heads/" + options_.branch;
    bool slice = update.ref.rfind(kSatelliteRefs, 0) == 0;
    if (update.ref.rfind(kStrataRefs, 0) == 0) {
      Refuse(update.ref, nullptr, "", "strata-ref",
             "refs/strata/ holds the reconciler's checkpoints; only strata moves them");
      return Status::Ok();
    }
    if (!fleet && !slice) return Status::Ok();
    if (IsZeroOid(update.new_oid)) {
      Refuse(update.ref, nullptr, "", fleet ? "fleet-branch-deleted" : "slice-ref-deleted",
             fleet ? "the fleet branch cannot be deleted"
                   : "only the sync controller moves a satellite's ref, and it never deletes one");
      return Status::Ok();
    }
    if (slice) return CheckSlice(update);
    old_tip_ = update.old_oid;
    ASSIGN_OR_RETURN(std::vector<git_oid> commits, NewCommits(update));
    for (const git_oid& commit : commits) pushed_.insert(OidToHex(commit));
    for (const git_oid& commit : commits) RETURN_IF_ERROR(CheckCommit(update.ref, commit));
    return Status::Ok();
  }

  // A satellite's ref moves forward only, and only onto slice commits the sync controller made
  // for that satellite (so nobody can point it at another commit of the sync controller's, or
  // roll it back to an older slice).
  Status CheckSlice(const RefUpdate& update) {
    std::string satellite = update.ref.substr(kSatelliteRefs.size());
    if (!IsZeroOid(update.old_oid)) {
      ASSIGN_OR_RETURN(bool forward, repo_.Descends(update.new_oid, update.old_oid));
      if (!forward) {
        ASSIGN_OR_RETURN(CommitInfo info, repo_.ReadCommit(update.new_oid));
        Refuse(update.ref, &info, "", "slice-ref-not-forward",
               "a satellite's ref only moves forward, as the sync controller moves it");
        return Status::Ok();
      }
    }
    ASSIGN_OR_RETURN(std::vector<git_oid> commits, NewCommits(update));
    for (const git_oid& commit : commits) {
      ASSIGN_OR_RETURN(CommitInfo info, repo_.ReadCommit(commit));
      const std::string* for_satellite = Trailer(info, "Strata-Satellite");
      if (ControllerOf(info, update.ref) != "sync" || for_satellite == nullptr ||
          *for_satellite != satellite) {
        Refuse(update.ref, &info, "", "slice-ref-not-sync",
               "only the sync controller moves " + update.ref + ", onto slice commits of " +
                   satellite);
        break;  // one is enough: the rest of a wrong history says the same
      }
    }
    return Status::Ok();
  }

  std::vector<Refusal> TakeRefusals() { return std::move(refusals_); }

 private:
  void Refuse(const std::string& ref, const CommitInfo* info, std::string file, std::string rule,
              std::string message) {
    Refusal r{ref, "", "", std::move(file), std::move(rule), std::move(message)};
    if (info != nullptr) {
      r.commit = OidToHex(info->id);
      r.author = info->author_name + " <" + info->author_email + ">";
    }
    refusals_.push_back(std::move(r));
  }

  // The controller a commit is from: "" for a person's. A commit that claims a controller (by
  // trailer or identity) is refused when pushed controller commits are not trusted, or when its
  // trailer and identity disagree; it is then judged as a person's commit as well.
  std::string ControllerOf(const CommitInfo& info, const std::string& ref) {
    const std::string* claimed = Trailer(info, "Strata-Controller");
    bool controller_identity =
        info.author_email.size() > kControllerDomain.size() &&
        info.author_email.compare(info.author_email.size() - kControllerDomain.size(),
                                  kControllerDomain.size(), kControllerDomain) == 0;
    if (claimed == nullptr && !controller_identity) return "";
    std::string name = claimed != nullptr ? *claimed : "";
    if (!options_.trust_pushed_controller_commits) {
      Refuse(ref, &info, "", "controller-commit-pushed",
             "strata's controllers commit in place, never through a push: a pushed commit may "
             "not claim to be a controller's (" +
                 (claimed != nullptr ? "Strata-Controller: " + *claimed : info.author_email) + ")");
      return "";
    }
    if (claimed != nullptr && prefixes_.count(name) != 0 &&
        info.author_email == name + std::string(kControllerDomain)) {
      return name;
    }
    Refuse(
        ref, &info, "", "controller-identity",
        "the commit says Strata-Controller: " + (claimed != nullptr ? name : "(nothing)") +
            " but is authored by " + info.author_email +
            (claimed != nullptr && prefixes_.count(name) == 0 ? " (and no such controller exists)"
                                                              : ""));
    return "";
  }

  // The commits the push adds to the branch, oldest first.
  Result<std::vector<git_oid>> NewCommits(const RefUpdate& update) {
    git_revwalk* raw = nullptr;
    if (int rc = git_revwalk_new(&raw, repo_.raw()); rc < 0) return GitError(rc, "revwalk");
    RevwalkPtr walk(raw);
    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
    if (int rc = git_revwalk_push(walk.get(), &update.new_oid); rc < 0) {
      return GitError(rc, "walking from " + OidToHex(update.new_oid));
    }
    if (!IsZeroOid(update.old_oid)) {
      if (int rc = git_revwalk_hide(walk.get(), &update.old_oid); rc < 0) {
        return GitError(rc, "walking to " + OidToHex(update.old_oid));
      }
    }
    std::vector<git_oid> out;
    git_oid id;
    int rc;
    while ((rc = git_revwalk_next(&id, walk.get())) == 0) out.push_back(id);
    if (rc != GIT_ITEROVER) return GitError(rc, "walking the pushed commits");  // fail closed
    return out;
  }

  // The files a commit changes: against its parent, or for a merge, what differs from each of
  // its trusted parents (the branch's old tip and the push's own commits, which are checked
  // themselves): what the merge brings, not what a trusted side already had. An old commit of
  // the branch is not trusted as a parent: merging it would bring back an old derived/.
  Result<std::vector<ChangedFile>> ChangedBy(const CommitInfo& info) {
    git_oid first_parent_tree{};
    if (!info.parents.empty()) {
      ASSIGN_OR_RETURN(first_parent_tree, repo_.TreeOfCommit(info.parents[0]));
    }
    ASSIGN_OR_RETURN(std::vector<ChangedFile> changed,
                     repo_.DiffTrees(first_parent_tree, info.tree));
    if (info.parents.size() < 2) return changed;
    std::vector<ChangedFile> merged;
    for (const ChangedFile& c : changed) {
      bool new_to_all = true;
      for (size_t i = 1; i < info.parents.size() && new_to_all; ++i) {
        if (!Trusted(info.parents[i])) continue;
        ASSIGN_OR_RETURN(git_oid tree, repo_.TreeOfCommit(info.parents[i]));
        Result<TreeFile> there = repo_.FindPath(tree, c.path);
        if (there.ok()) {
          new_to_all = !git_oid_equal(&there->oid, &c.new_oid);
        } else if (there.status().code() == StatusCode::kNotFound) {
          new_to_all = !c.deleted();
        } else {
          return there.status();
        }
      }
      if (new_to_all) merged.push_back(c);
    }
    return merged;
  }

  bool Trusted(const git_oid& parent) const {
    return git_oid_equal(&parent, &old_tip_) || pushed_.count(OidToHex(parent)) != 0;
  }

  Status CheckCommit(const std::string& ref, const git_oid& commit) {
    ASSIGN_OR_RETURN(CommitInfo info, repo_.ReadCommit(commit));
    std::string controller = ControllerOf(info, ref);
    ASSIGN_OR_RETURN(std::vector<ChangedFile> changed, ChangedBy(info));
    for (const ChangedFile& c : changed) {
      if (!controller.empty()) {
        const std::string& prefix = prefixes_[controller];
        if (c.path.compare(0, prefix.size(), prefix) != 0) {
          Refuse(ref, &info, c.path, "controller-outside-prefix",
                 "the " + controller + " controller writes only under " + prefix);
        }
        continue;
      }
      Result<specs::PathRule> rule = specs::ClassifyPath(c.path);
      if (!rule.ok()) {
        if (!c.deleted()) Refuse(ref, &info, c.path, "validation", rule.status().message());
        continue;
      }
      if (rule->area == specs::Area::kDerived || rule->area == specs::Area::kSatellite) {
        Refuse(ref, &info, c.path, "people-write-derived",
               "people may not change " +
                   std::string(rule->area == specs::Area::kDerived ? "derived/" : "satellites/") +
                   " (written only by the " + (rule->owner.empty() ? "sync" : rule->owner) +
                   " controller)");
        continue;
      }
      if (rule->area == specs::Area::kNotSpec || c.deleted()) continue;
      RETURN_IF_ERROR(Validate(ref, info, c));
    }
    return Status::Ok();
  }

  Status Validate(const std::string& ref, const CommitInfo& info, const ChangedFile& c) {
    if (validator_ == nullptr) {
      ASSIGN_OR_RETURN(auto schemas, specs::SchemaSet::LoadEmbedded());
      validator_ = std::make_unique<specs::SchemaValidator>(schemas);
    }
    ASSIGN_OR_RETURN(std::string bytes, repo_.ReadBlob(c.new_oid));
    specs::Diagnostics diagnostics;
    std::optional<specs::Resource> resource =
        specs::LoadResource(c.path, bytes, validator_.get(), &diagnostics);
    if (resource.has_value() && resource->valid) return Status::Ok();
    for (const specs::Diagnostic& d : diagnostics) {
      std::string where = d.file;
      if (d.line > 0) where += ":" + std::to_string(d.line) + ":" + std::to_string(d.column);
      Refuse(ref, &info, where, "validation", (d.field.empty() ? "" : d.field + ": ") + d.message);
    }
    if (diagnostics.empty()) Refuse(ref, &info, c.path, "validation", "not a valid spec");
    return Status::Ok();
  }

  const Repository& repo_;
  GuardOptions options_;
  git_oid old_tip_{};                            // the fleet branch's tip before the push
  std::set<std::string> pushed_;                 // the commits the push adds to the branch
  std::map<std::string, std::string> prefixes_;  // controller → the prefix it owns
  std::unique_ptr<specs::SchemaValidator> validator_;
  std::vector<Refusal> refusals_;
};

}  // namespace

Result<std::vector<RefUpdate>> ParseRefUpdates(std::string_view input) {
  std::vector<RefUpdate> out;
  int number = 0;
  while (!input.empty()) {
    size_t end = input.find('\n');
    std::string_view line = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    ++number;
    if (line.empty()) continue;
    size_t a = line.find(' ');
    size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    RefUpdate update;
    if (b == std::string_view::npos || a != 40 || b != 81 ||
        git_oid_fromstrn(&update.old_oid, line.data(), 40) < 0 ||
        git_oid_fromstrn(&update.new_oid, line.data() + 41, 40) < 0) {
      return Status::InvalidArgument("line " + std::to_string(number) +
                                     " is not \"<old-sha> <new-sha> <ref>\": " + std::string(line));
    }
    update.ref = std::string(line.substr(b + 1));
    out.push_back(std::move(update));
  }
  return out;
}

Result<std::vector<Refusal>> CheckPush(const Repository& repo,
                                       const std::vector<RefUpdate>& updates,
                                       const GuardOptions& options) {
  Checker checker(repo, options);
  for (const RefUpdate& update : updates) RETURN_IF_ERROR(checker.Check(update));
  return checker.TakeRefusals();
}

std::string FormatRefusal(const Refusal& r) {
  std::string out = "refused " + r.ref + ": ";
  if (!r.commit.empty()) out += "commit " + r.commit.substr(0, 12) + " (" + r.author + "): ";
  if (!r.file.empty()) out += r.file + ": ";
  return out + "[" + r.rule + "] " + r.message;
}

}  // namespace strata::guard
