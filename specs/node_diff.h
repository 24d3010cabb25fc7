// Field-level differences between two YAML documents: what `strata history` and `strata plan`
// print as "spec.cku: 2 → 4".
//
// Maps are compared key by key and sequences of maps item by item ("spec.nodePools[0].nodes");
// a sequence of scalars is one value ("[a, b, c]"), since an operator reads a zone list as a whole.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "specs/node.h"

namespace strata::specs {

struct FieldChange {
  std::string path;                   // "spec.cku", "metadata.labels.tier"
  std::optional<std::string> before;  // nullopt: the field was absent
  std::optional<std::string> after;   // nullopt: the field is gone
};

// Every scalar field that differs between `before` and `after` (either may be null: a document
// created or deleted), in the order of `after`'s keys, then `before`'s removed ones. Fields under
// `ignore` prefixes ("metadata.annotations") are left out.
std::vector<FieldChange> DiffNodes(const Node* before, const Node* after,
                                   const std::vector<std::string>& ignore = {});

// "spec.cku: 2 → 4", "spec.network: (none) → net-1", "spec.config.x: 1 → (none)".
std::string FormatFieldChange(const FieldChange& change);

// The value of a scalar or a sequence of scalars as DiffNodes renders it ("4", "[a, b]").
std::string RenderValue(const Node& node);

}  // namespace strata::specs
