// Where a resource key lives in the fleet repo: "KafkaCluster/acme/orders" ↔
// tenants/acme/kafka/orders.yaml, for the kinds people write (tenant and policy kinds and
// rollouts). Derived kinds have no key → path rule (their controller chooses the path), so they
// are refused here. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace strata::audit {

// kInvalidArgument, naming what is wrong, for a malformed key, an unknown kind or a derived kind.
Result<std::string> PathOfKey(std::string_view key);

// The same resource under another org: the path an org-to-org rename comes from
// ("tenants/globex/kafka/orders.yaml" for org "globex"). Empty for kinds that have no org.
std::string PathInOrg(std::string_view path, std::string_view org);

}  // namespace strata::audit
