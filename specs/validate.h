// The three ways to validate a fleet, as `strata validate` offers them:
//   ValidateDisk     files or directories in a working tree (the editor / pre-commit case);
//   ValidateRevision the whole tree of one commit;
//   ValidateChange   a pull request: the files it changes plus what the change affects (the
//                    quotas of an org that gets a new cluster, every cluster of a changed SKU),
//                    and people may not touch derived/ or satellites/.
// Each returns the diagnostics (sorted, one per problem, every problem of the run) or a Status
// when the input cannot be read at all (no such repository, revision or path).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "specs/diagnostic.h"

namespace strata::specs {

struct ValidationReport {
  Diagnostics diagnostics;
  size_t files_checked = 0;
  bool ok() const { return diagnostics.empty(); }
};

struct ValidateOptions {
  int threads = 0;  // 0: one per core
};

// `root` is the fleet's top directory; `paths` are files or directories inside it. The whole fleet
// under root is loaded for the cross-file checks; only problems in `paths` are reported.
Result<ValidationReport> ValidateDisk(const std::string& root, const std::vector<std::string>& paths,
                                      const ValidateOptions& options = {});
Result<ValidationReport> ValidateRevision(const std::string& repo, const std::string& revision,
                                          const ValidateOptions& options = {});
Result<ValidationReport> ValidateChange(const std::string& repo, const std::string& base,
                                        const std::string& head, const ValidateOptions& options = {});

}  // namespace strata::specs
