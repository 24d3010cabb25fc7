#include "reconciler/audit/history.h"

#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/change_event.h"
#include "core/handles.h"
#include "reconciler/audit/path_history.h"
#include "specs/kinds.h"
#include "specs/yaml_loader.h"

namespace strata::audit {
namespace {

// The annotations the controller framework writes (reconciler/controller/output_batch.h); named
// here so that this library reads the fleet without linking the controllers.
constexpr std::string_view kSourcesAnnotation = "strata.dev/sources";
// Where a derived file's provenance lives (a slice entry carries its resource's inside it): every
// controller commit changes computed-at, which says nothing about the resource.
const std::vector<std::string> kControllerBookkeeping = {"metadata.annotations",
                                                         "spec.resource.metadata.annotations"};

std::string Subject(const std::string& message) { return message.substr(0, message.find('\n')); }

std::string TrailerOf(const CommitInfo& info, std::string_view key) {
  for (const auto& [k, v] : info.trailers) {
    if (k == key) return v;
  }
  return "";
}

// The Strata-Cause of a commit, read from its raw message without parsing the trailers (the
// history reads it for every commit walked).
Result<std::string> CauseOf(const Repository& repo, const git_oid& id) {
  git_commit* raw = nullptr;
  if (int rc = git_commit_lookup(&raw, repo.raw(), &id); rc != 0) {
    return GitError(rc, "reading commit " + OidToHex(id));
  }
  CommitPtr commit(raw);
  std::string_view message = git_commit_message(raw);
  constexpr std::string_view kTrailer = "\nStrata-Cause: ";
  size_t at = message.rfind(kTrailer);
  if (at == std::string_view::npos) return std::string();
  std::string_view rest = message.substr(at + kTrailer.size());
  std::string_view value = rest.substr(0, rest.find('\n'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return std::string(value);
}

std::optional<specs::Node> Parse(const std::string& path, const std::string& bytes,
                                 std::string* error) {
  specs::Diagnostics diagnostics;
  auto doc = specs::LoadYaml(path, bytes, &diagnostics);
  if (!doc) {
    *error = diagnostics.empty() ? "not YAML" : diagnostics.front().ToString();
    return std::nullopt;
  }
  return std::move(doc->root);
}

std::string DirOf(const std::string& path) { return path.substr(0, path.rfind('/')); }

// The paths that belong to the resource, and the question whether a derived document does.
class Belonging {
 public:
  void Add(const std::string& path) {
    if (paths_.insert(path).second) dirs_.insert(DirOf(path));
  }
  // A cheap test on the raw bytes: can this blob name one of our paths at all?
  bool MayMention(std::string_view bytes) const {
    for (const std::string& d : dirs_) {
      if (bytes.find(d) != std::string_view::npos) return true;
    }
    return false;
  }
  bool Names(std::string_view source) const {
    if (paths_.contains(std::string(source))) return true;
    return dirs_.contains(std::string(source));  // a directory standing for its files
  }
  // Whether the derived document `doc` at `path` names one of our paths.
  bool Claims(const std::string& path, const specs::Node& doc) const {
    if (path.starts_with("satellites/")) {
      const specs::Node* spec = doc.Find("spec");
      if (spec != nullptr && Names(spec->StringAt("source"))) return true;
    }
    const specs::Node* sources = doc.AtPath("metadata.annotations");
    if (sources == nullptr) return false;
    std::string_view list = sources->StringAt(kSourcesAnnotation);
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string_view::npos) comma = list.size();
      if (comma > start && Names(list.substr(start, comma - start))) return true;
      start = comma + 1;
    }
    return false;
  }

 private:
  std::set<std::string> paths_;
  std::set<std::string> dirs_;
};

Result<std::optional<std::string>> ReadSide(const Repository& repo, const git_oid& blob) {
  if (IsZeroOid(blob)) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(blob));
  return std::optional<std::string>(std::move(bytes));
}

// The resource's derived files that `commit` changed; learns the paths it finds into `belonging`.
Result<std::vector<FileDiff>> DerivedChanges(const Repository& repo, const CommitInfo& commit,
                                             Belonging& belonging) {
  git_oid parent_tree{};
  if (!commit.parents.empty()) {
    ASSIGN_OR_RETURN(parent_tree, repo.TreeOfCommit(commit.parents[0]));
  }
  ASSIGN_OR_RETURN(auto changed, repo.DiffTrees(parent_tree, commit.tree));
  struct Candidate {
    const ChangedFile* file;
    std::optional<std::string> before, after;
    std::optional<specs::Node> before_doc, after_doc;
    bool claimed = false;
  };
  std::vector<Candidate> candidates;
  for (const ChangedFile& f : changed) {
    if (!f.path.starts_with("derived/") && !f.path.starts_with("satellites/")) continue;
    Candidate c{&f, {}, {}, {}, {}, false};
    ASSIGN_OR_RETURN(c.before, ReadSide(repo, f.old_oid));
    ASSIGN_OR_RETURN(c.after, ReadSide(repo, f.new_oid));
    candidates.push_back(std::move(c));
  }
  // A commit may hold several layers' files (pkc and the capacity it implies): repeat until no
  // new file is claimed.
  for (bool learnt = true; learnt;) {
    learnt = false;
    for (Candidate& c : candidates) {
      if (c.claimed) continue;
      bool may = (c.before && belonging.MayMention(*c.before)) ||
                 (c.after && belonging.MayMention(*c.after));
      if (!may) continue;
      std::string ignored;
      if (c.before && !c.before_doc) c.before_doc = Parse(c.file->path, *c.before, &ignored);
      if (c.after && !c.after_doc) c.after_doc = Parse(c.file->path, *c.after, &ignored);
      if ((c.before_doc && belonging.Claims(c.file->path, *c.before_doc)) ||
          (c.after_doc && belonging.Claims(c.file->path, *c.after_doc))) {
        c.claimed = true;
        learnt = true;
        belonging.Add(c.file->path);
      }
    }
  }
  std::vector<FileDiff> out;
  for (const Candidate& c : candidates) {
    if (!c.claimed) continue;
    out.push_back(DiffVersions(c.file->path, c.before ? &*c.before : nullptr,
                               c.after ? &*c.after : nullptr, kControllerBookkeeping));
  }
  return out;
}

}  // namespace


std::string FormatDate(int64_t seconds) { return FormatRfc3339Utc(seconds).substr(0, 10); }

std::string_view FileChangeName(FileChange change) {
  switch (change) {
    case FileChange::kCreated:
      return "created";
    case FileChange::kDeleted:
      return "deleted";
    case FileChange::kUpdated:
      break;
  }
  return "updated";
}

FileDiff DiffVersions(const std::string& path, const std::string* before, const std::string* after,
                      const std::vector<std::string>& ignore) {
  FileDiff diff;
  diff.path = path;
  diff.change = before == nullptr  ? FileChange::kCreated
                : after == nullptr ? FileChange::kDeleted
                                   : FileChange::kUpdated;
  std::optional<specs::Node> old_doc, new_doc;
  std::string error;
  if (before != nullptr) {
    old_doc = Parse(path, *before, &error);
    if (!old_doc) diff.unreadable = "before: " + error;
  }
  if (after != nullptr) {
    new_doc = Parse(path, *after, &error);
    if (!new_doc) diff.unreadable = "after: " + error;
  }
  if (diff.change == FileChange::kUpdated && diff.unreadable.empty()) {
    diff.fields = specs::DiffNodes(&*old_doc, &*new_doc, ignore);
  }
  return diff;
}

Result<History> ReadHistory(const Repository& repo, const HistoryRequest& request) {
  History history;
  history.key = request.key;
  ASSIGN_OR_RETURN(history.path, specs::PathOfKey(request.key));
  ASSIGN_OR_RETURN(git_oid head, repo.ResolveCommit("refs/heads/" + request.branch));
  PathWalkOptions options;
  options.since = request.since;
  options.limit = request.limit;
  ASSIGN_OR_RETURN(PathWalk walk, WalkPathHistory(repo, head, history.path, options));

  // Who each walked commit names as its cause: cause sha → positions in `walk.walked`.
  std::unordered_map<std::string, std::vector<size_t>> caused_by;
  if (walk.changes.empty()) return history;
  // Only commits newer than the oldest change can have been caused by one.
  size_t oldest = walk.walked.size();
  for (size_t i = 0; i < walk.walked.size(); ++i) {
    if (git_oid_equal(&walk.walked[i], &walk.changes.back().commit)) oldest = i;
  }
  for (size_t i = 0; i < oldest; ++i) {
    ASSIGN_OR_RETURN(std::string cause, CauseOf(repo, walk.walked[i]));
    if (!cause.empty()) caused_by[cause].push_back(i);
  }

  Belonging belonging;
  belonging.Add(history.path);
  for (const PathChange& c : walk.changes) belonging.Add(c.old_path);
  // Oldest change first, so that derived paths learnt from one change are known to the next.
  std::vector<HistoryEntry> entries;
  for (auto change = walk.changes.rbegin(); change != walk.changes.rend(); ++change) {
    HistoryEntry entry;
    ASSIGN_OR_RETURN(CommitInfo info, repo.ReadCommit(change->commit));
    entry.commit = OidToHex(info.id);
    entry.author_name = info.author_name;
    entry.author_email = info.author_email;
    entry.time = info.author_time;
    entry.subject = Subject(info.message);
    if (change->renamed()) entry.renamed_from = change->old_path;
    ASSIGN_OR_RETURN(auto before, ReadSide(repo, change->old_blob));
    ASSIGN_OR_RETURN(auto after, ReadSide(repo, change->new_blob));
    entry.file = DiffVersions(change->path, before ? &*before : nullptr, after ? &*after : nullptr);

    // The commits it caused, transitively, in the order they were made (newest has position 0).
    std::set<size_t, std::greater<>> positions;
    std::vector<std::string> frontier = {entry.commit};
    while (!frontier.empty()) {
      std::string cause = std::move(frontier.back());
      frontier.pop_back();
      auto found = caused_by.find(cause);
      if (found == caused_by.end()) continue;
      for (size_t p : found->second) {
        if (positions.insert(p).second) frontier.push_back(OidToHex(walk.walked[p]));
      }
    }
    for (size_t p : positions) {
      ASSIGN_OR_RETURN(CommitInfo controller_commit, repo.ReadCommit(walk.walked[p]));
      CausedCommit caused;
      caused.commit = OidToHex(controller_commit.id);
      caused.controller = TrailerOf(controller_commit, "Strata-Controller");
      caused.cause = TrailerOf(controller_commit, "Strata-Cause");
      caused.time = controller_commit.author_time;
      caused.subject = Subject(controller_commit.message);
      ASSIGN_OR_RETURN(caused.files, DerivedChanges(repo, controller_commit, belonging));
      entry.caused.push_back(std::move(caused));
    }
    entries.push_back(std::move(entry));
  }
  history.entries.assign(entries.rbegin(), entries.rend());
  return history;
}

}  // namespace strata::audit
