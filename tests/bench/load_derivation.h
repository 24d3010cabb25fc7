// Whether a running layer cake has caught up in substance, not only in consumer offsets: the
// branch is a fixed point of a fresh derivation. Every controller is run in process
// (InProcessCake) on a copy of the repository and handed every one of its input files, as if it
// had never run; whatever it would still change is what the running controllers missed. (Not a
// derivation from nothing: derived files name the commit they were computed at, and placements
// stick to where they are, so only a derivation on top of the branch can be compared.)
// Not thread-safe; reads `fleet`, writes only `scratch`.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace strata::bench {

// The paths on `branch`, and the refs/heads/satellites/<id> refs, that the fresh derivation
// would change, in a copy of the repository at `fleet` made at `scratch` (removed first); empty
// when the branch is a fixed point. Errors of git and of the controllers as they come.
Result<std::vector<std::string>> DiffFromFreshDerivation(const std::string& fleet,
                                                         const std::string& scratch,
                                                         const std::string& branch = "main");

}  // namespace strata::bench
