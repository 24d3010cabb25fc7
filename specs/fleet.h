// Fleet: every resource of a fleet repo at one revision, loaded in parallel, plus the checks that
// need more than one file (references, SKU rules, quotas, residency).
//
// Loading reads each blob once and parses it once; work is split over `threads` workers, each
// with its own repository handle and schema validator. Diagnostics are collected, never thrown:
// a broken file is reported and left out, and every other file is still checked.
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/git.h"
#include "core/status.h"
#include "specs/diagnostic.h"
#include "specs/resource.h"
#include "specs/schema_set.h"

namespace strata::specs {

// One file to load: from a git object database (blob set) or from disk (disk_path set).
struct SpecInput {
  std::string path;  // repository-relative, '/'-separated
  git_oid blob{};
  git_filemode_t mode = GIT_FILEMODE_BLOB;
  std::string disk_path;
};

struct Fleet {
  std::vector<Resource> resources;  // every file that read as a resource, valid or not
  std::unordered_map<std::string, size_t> by_key;
  size_t files_checked = 0;

  const Resource* Find(const std::string& key) const;
};

// Loads `inputs` (reading blobs from the repository at `repo_path`, if any are blobs). Skips files
// outside the spec areas. kInternal/kNotFound only when the repository itself cannot be read.
Result<Fleet> LoadFleet(const std::string& repo_path, const std::vector<SpecInput>& inputs,
                        const std::shared_ptr<const SchemaSet>& schemas, int threads,
                        Diagnostics* diagnostics);

// All files of the tree of `revision`.
Result<std::vector<SpecInput>> InputsAtRevision(const Repository& repo, const std::string& revision);
// Files under each of `paths` on disk (files or directories), relative to `root`.
Result<std::vector<SpecInput>> InputsOnDisk(const std::string& root,
                                            const std::vector<std::string>& paths);

// Reads a spec file from disk; one over kMaxSpecBytes is refused (kResourceExhausted) unread.
Result<std::string> ReadSpecFile(const std::string& path);

// The checks across files. Only resources that passed their own checks take part.
void CheckFleet(const Fleet& fleet, Diagnostics* diagnostics);

// Why `kind` <org>/<name> and <other_org>/<other_name> cannot both be: what the controllers derive
// from each joins org and name with '-', so both would derive the same names.
std::string DerivedNameClashMessage(std::string_view kind, std::string_view org,
                                    std::string_view name, std::string_view other_org,
                                    std::string_view other_name);

}  // namespace strata::specs
