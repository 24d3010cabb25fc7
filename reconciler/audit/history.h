// The history of one resource across the layers: every first-parent commit of a branch that
// changed the resource's file (who, when, which commit, the field-level change), and under each,
// the controller commits it caused (through Strata-Cause trailers, transitively) with the derived
// files of this resource they changed. What `strata history KEY` prints.
//
// A derived file belongs to the resource when its `strata.dev/sources` annotation names the
// resource's path or a derived file that belongs to it (pkc → capacity), or the directory of one
// (a shared cluster with too many tenants to list names their org's directory); a satellite slice
// entry belongs when its `spec.source` is such a path. Each caused commit is diffed on its own
// (the cost follows what the controller changed) and a changed blob is parsed only when its bytes
// mention such a path.
//
// Errors: kInvalidArgument for a malformed key; kNotFound for an unknown branch; kInternal when
// git cannot be read. A key with no history is not an error: the answer is empty.
// Not thread-safe (it uses `repo`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/git.h"
#include "specs/node_diff.h"

namespace strata::audit {

enum class FileChange { kCreated, kUpdated, kDeleted };
std::string_view FileChangeName(FileChange change);  // "created", "updated", "deleted"

// One file's change in one commit.
struct FileDiff {
  std::string path;
  FileChange change = FileChange::kUpdated;
  std::vector<specs::FieldChange> fields;  // for an update; for a derived file without annotations
  std::string unreadable;  // set when a side could not be read as YAML (the loader's message)
};

// A controller commit caused, directly or through another controller commit, by a change.
struct CausedCommit {
  std::string commit;      // full sha
  std::string controller;  // its Strata-Controller trailer
  std::string cause;       // its Strata-Cause trailer
  int64_t time = 0;
  std::string subject;
  std::vector<FileDiff> files;  // the resource's derived files it changed, in git's order
};

// One commit that changed the resource's own file.
struct HistoryEntry {
  std::string commit;  // full sha
  std::string author_name;
  std::string author_email;
  int64_t time = 0;  // author time, seconds since the epoch
  std::string subject;
  FileDiff file;
  std::string renamed_from;          // the path before an org-to-org rename, else ""
  std::vector<CausedCommit> caused;  // oldest first
};

struct HistoryRequest {
  std::string key;  // "KafkaCluster/acme/orders"
  std::string branch = "main";
  int64_t since = 0;  // only commits made at or after this (seconds); 0: all
  size_t limit = 0;   // at most this many entries; 0: all
};

struct History {
  std::string key;
  std::string path;  // the resource's path at the branch head (or when it was last seen)
  std::vector<HistoryEntry> entries;  // newest first
};

// "2026-03-04", in UTC (the time is FormatRfc3339Utc, core/change_event.h).
std::string FormatDate(int64_t seconds);

Result<History> ReadHistory(const Repository& repo, const HistoryRequest& request);

// The field-level difference of two versions of a spec file (either may be absent).
FileDiff DiffVersions(const std::string& path, const std::string* before, const std::string* after,
                      const std::vector<std::string>& ignore = {});

}  // namespace strata::audit
