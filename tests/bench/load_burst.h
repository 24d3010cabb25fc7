// The burst of the load benchmark: pull-request-like commits, each changing one tenant file of a
// generated fleet (a dedicated cluster's CKU raised, a cluster added, a cluster deleted), written
// with libgit2 on top of a branch of a clone, ready to be pushed at once. Seeded, so the same
// fleet and seed give the same burst. Not thread-safe.
#pragma once

#include <git2.h>

#include <cstdint>
#include <string>

#include "core/git.h"
#include "core/status.h"

namespace strata::bench {

struct Burst {
  git_oid head{};  // the last commit of the burst
  int cku_changes = 0;
  int added = 0;
  int deleted = 0;
};

// Makes `commits` commits on `ref` of `repo` (its ref only: the index and work tree are left as
// they were), each on top of the one before, starting at what `ref` points to. Every change is
// valid, so the whole burst converges with nothing rejected. `tag` names the clusters it adds,
// so two bursts on the same fleet never collide. kFailedPrecondition when the fleet has no
// dedicated cluster to scale; git errors as they come.
Result<Burst> MakeBurst(const Repository& repo, const std::string& ref, int commits, uint64_t seed,
                        const std::string& tag);

}  // namespace strata::bench
