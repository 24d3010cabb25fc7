// A Diagnostic is one problem found in a spec file, located by file, line, column and field path
// (e.g. "spec.waves[1].soak"). Validation collects every diagnostic of a run instead of stopping
// at the first. Formats: human ("file:line:col: error: field: message"), JSON, and GitHub Actions
// workflow annotations. Line and column are 1-based; 0 means "the whole file".
#pragma once

#include <string>
#include <vector>

namespace strata::specs {

struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string field;  // empty when the problem is not about one field
  std::string message;

  std::string ToString() const;
  friend bool operator<(const Diagnostic& a, const Diagnostic& b);
};

using Diagnostics = std::vector<Diagnostic>;

// Sorts by file, line, column, field, message and removes exact duplicates.
void SortAndDedupe(Diagnostics* diagnostics);

std::string FormatHuman(const Diagnostics& diagnostics);
// {"valid":false,"errors":[{"file":…,"line":…,"column":…,"field":…,"message":…}]}
std::string FormatJson(const Diagnostics& diagnostics, size_t files_checked);
// "::error file=F,line=L,col=C,title=strata validate::field: message" per diagnostic.
std::string FormatGithub(const Diagnostics& diagnostics);

}  // namespace strata::specs
