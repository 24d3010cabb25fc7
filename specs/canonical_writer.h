// The canonical form of a spec: what strata writes and what `strata fmt` would produce.
// Two-space block style; keys in the order the kind's JSON Schema lists them (so apiVersion, kind,
// metadata, spec first), keys of free-form maps (labels, config) sorted; strings plain unless
// they would read as another type or need quoting, then double-quoted; integers in decimal.
// The file's opening comment lines are kept. Other comments are not part of the canonical form.
// Guarantees: load → write of a canonical file gives the same bytes; write → load → write is
// identical. Thread-safe given a shared read-only SchemaSet.
#pragma once

#include <string>

#include "specs/node.h"
#include "specs/schema_set.h"
#include "specs/yaml_loader.h"

namespace strata::specs {

std::string WriteCanonical(const YamlDocument& document, const SchemaSet& schemas);

}  // namespace strata::specs
