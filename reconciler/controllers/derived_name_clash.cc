#include "reconciler/controllers/derived_name_clash.h"

#include "specs/fleet.h"
#include "specs/kinds.h"

namespace strata::controllers {

Result<std::optional<std::string>> DerivedNameClash(controller::FleetView& view,
                                                    const std::string& path) {
  ASSIGN_OR_RETURN(specs::PathRule rule, specs::ClassifyPath(path));
  if (rule.org.empty()) return std::optional<std::string>();
  // tenants/<org>/<area>/<name>.yaml
  const size_t area_start = std::string("tenants/").size() + rule.org.size() + 1;
  const std::string area = path.substr(area_start, path.find('/', area_start) - area_start);
  const std::string joined = rule.org + "-" + rule.name;
  // Every other way to cut `joined` at a '-' into an org and a name.
  for (size_t dash = joined.find('-'); dash != std::string::npos; dash = joined.find('-', dash + 1)) {
    if (dash == rule.org.size()) continue;
    const std::string other_org = joined.substr(0, dash);
    const std::string other_name = joined.substr(dash + 1);
    if (other_org.empty() || other_name.empty()) continue;
    std::string other = "tenants/" + other_org + "/" + area + "/" + other_name + ".yaml";
    ASSIGN_OR_RETURN(std::optional<controller::Blob> blob, view.ReadBlob(other));
    if (!blob.has_value()) continue;
    return std::optional<std::string>(
        specs::DerivedNameClashMessage(rule.kind, rule.org, rule.name, other_org, other_name));
  }
  return std::optional<std::string>();
}

}  // namespace strata::controllers
