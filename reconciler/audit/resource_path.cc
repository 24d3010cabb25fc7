#include "reconciler/audit/resource_path.h"

namespace strata::audit {

std::string PathInOrg(std::string_view path, std::string_view org) {
  if (!path.starts_with("tenants/")) return "";
  size_t slash = path.find('/', 8);
  if (slash == std::string_view::npos) return "";
  return "tenants/" + std::string(org) + std::string(path.substr(slash));
}

}  // namespace strata::audit
