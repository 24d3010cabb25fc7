// The kind of resource a fleet path holds, as a controller decides whether a file is one of its
// inputs.
#pragma once

#include <string>

namespace strata::controller {

// The kind a fleet path holds: from the path (tenant and policy files), or for derived files from
// the document's top-level `kind:` line. "" when the path holds no spec.
std::string KindOfPath(const std::string& path, const std::string& bytes);

}  // namespace strata::controller
