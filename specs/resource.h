// Resource: one spec file after loading and schema validation, reduced to what the fleet-wide
// checks need (key, kind, the fields that link resources together and their positions), so that
// a 100,000-cluster fleet fits in memory. Policy documents (Sku, OrgPolicy, Satellite, Rollout)
// keep their whole tree: they are few and the checks read them in depth.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "specs/diagnostic.h"
#include "specs/kinds.h"
#include "specs/node.h"
#include "specs/schema_set.h"
#include "specs/yaml_loader.h"

namespace strata::specs {

struct Field {
  std::string path;  // "spec.cku"
  std::string text;  // the scalar as written
  Mark mark;
};

struct Resource {
  std::string file;  // path in the repository
  std::string kind;
  std::string org;
  std::string name;
  std::string key;
  Mark kind_mark;
  bool valid = false;    // passed the schema and the path rules
  bool path_ok = false;  // kind, org and name agree with the path (schema errors aside)
  std::vector<Field> fields;            // the scalars under spec (one level down) and metadata
  std::vector<std::string> bad_fields;  // fields the schema refused ("spec.cku", or "spec" when
                                        // a required field is missing)
  std::shared_ptr<const Node> tree;     // policy kinds only

  // A field the schema refused, or one inside such a field: cross-file checks skip it, since its
  // own error is already reported.
  bool IsBad(std::string_view path) const;
  // nullptr / "" when absent or bad.
  const Field* Get(std::string_view path) const;
  std::string_view Text(std::string_view path) const;
};

// Loads, schema-validates and path-checks one spec file. Appends diagnostics for every problem.
// Returns nullopt when the file could not be read as a resource at all (syntax, no kind);
// otherwise a Resource whose `valid` says whether it passed. With `keep_tree` every kind keeps
// its whole document in `tree` (the reconciler publishes it), not only the policy kinds.
std::optional<Resource> LoadResource(std::string_view file, std::string_view bytes,
                                     SchemaValidator* validator, Diagnostics* diagnostics,
                                     bool keep_tree = false);

}  // namespace strata::specs
