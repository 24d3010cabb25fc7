// The same resource under another org: the path an org-to-org rename comes from. (Key → path is
// specs::PathOfKey.) Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace strata::audit {

// "tenants/globex/kafka/orders.yaml" for "tenants/acme/kafka/orders.yaml" and org "globex"; empty
// for kinds that have no org.
std::string PathInOrg(std::string_view path, std::string_view org);

}  // namespace strata::audit
