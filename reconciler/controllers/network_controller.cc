#include "reconciler/controllers/network_controller.h"

#include "reconciler/controllers/derived_doc.h"
#include "reconciler/controllers/derived_name_clash.h"
#include "specs/kinds.h"

namespace strata::controllers {
namespace {

using controller::Outcome;

specs::Node Resource(const std::string& kind, const std::string& name) {
  specs::Node r = specs::Node::Map();
  r.Set("kind", specs::Node::String(kind));
  r.Set("name", specs::Node::String(name));
  return r;
}

std::string EndpointServiceKind(const std::string& cloud) {
  if (cloud == "azure") return "private-link-service";
  if (cloud == "gcp") return "service-attachment";
  return "vpc-endpoint-service";
}

}  // namespace

std::unique_ptr<controller::Controller> MakeNetworkController() {
  return std::make_unique<NetworkController>();
}

NetworkController::NetworkController() {
  info_.name = "network";
  info_.inputs = {"Network", "OrgPolicy"};
  info_.outputs = {"NetworkAttachment"};
  info_.prefix = "derived/network/";
  info_.summary = "networks → the cloud resources each network type needs";
}

std::vector<controller::Watch> NetworkController::Watches() { return policy_.Watches(); }

Result<std::map<std::string, Outcome>> NetworkController::Reconcile(
    const std::vector<std::string>& paths, controller::FleetView& view,
    controller::OutputBatch& out) {
  std::set<std::string> networks;
  for (const std::string& path : paths) {
    if (path.rfind("policy/orgs/", 0) == 0) {
      // The org's rules changed: every network of it, and every one refused before.
      networks.insert(invalid_.begin(), invalid_.end());
      ASSIGN_OR_RETURN(std::vector<TreeFile> files,
                       view.ListUnder("tenants/" + StemOf(path) + "/networks"));
      for (const TreeFile& f : files) networks.insert(f.path);
    } else if (path.rfind("policy/", 0) == 0) {
      networks.insert(invalid_.begin(), invalid_.end());
    } else {
      networks.insert(path);
    }
  }
  std::map<std::string, Outcome> outcomes;
  for (const std::string& path : networks) {
    ASSIGN_OR_RETURN(outcomes[path], ReconcileNetwork(path, view, out));
  }
  return outcomes;
}

Result<Outcome> NetworkController::ReconcileNetwork(const std::string& path,
                                                    controller::FleetView& view,
                                                    controller::OutputBatch& out) {
  ASSIGN_OR_RETURN(specs::PathRule rule, specs::ClassifyPath(path));
  std::string key = specs::ResourceKey("Network", rule.org, rule.name);
  std::string name = DerivedName({"na", rule.org, rule.name});
  std::string out_path = info_.prefix + rule.org + "/" + name + ".yaml";
  ASSIGN_OR_RETURN(std::optional<controller::LoadedSpec> loaded, view.ReadSpec(path));
  if (!loaded.has_value()) {
    invalid_.erase(path);
    RETURN_IF_ERROR(out.Remove(out_path));
    return Outcome::Done();
  }
  if (!loaded->resource.valid) {
    invalid_.insert(path);
    return Outcome::Invalid(key, ToEventErrors(loaded->diagnostics));
  }
  const specs::Node& doc = *loaded->resource.tree;
  const specs::Node& spec = *doc.Find("spec");
  ASSIGN_OR_RETURN(std::optional<std::string> clash, DerivedNameClash(view, path));
  if (clash.has_value()) {
    invalid_.insert(path);
    return Outcome::Invalid(key, {FieldError(path, doc.AtPath("metadata.name"), "metadata.name", *clash)});
  }
  std::string type(spec.StringAt("type"));
  std::string cloud(spec.StringAt("cloud"));
  std::string region(spec.StringAt("region"));
  const OrgRules* org = policy_.Org(rule.org);
  if (org == nullptr) {
    invalid_.insert(path);
    return Outcome::Invalid(key, {FieldError(path, doc.AtPath("metadata.org"), "metadata.org",
                                             "no OrgPolicy for org " + rule.org)});
  }
  if (auto violation = ResidencyViolation(*org, cloud, region); violation.has_value()) {
    invalid_.insert(path);
    return Outcome::Invalid(
        key, {FieldError(path, doc.AtPath("spec.region"), "spec.region", *violation)});
  }
  invalid_.erase(path);

  std::string base = DerivedName({"strata", rule.org, rule.name});
  std::string account;
  if (const specs::Node* peer = spec.Find("peer"); peer != nullptr) {
    account = std::string(peer->StringAt("account"));
  }
  specs::Node resources = specs::Node::Sequence();
  if (type == "public") {
    resources.items().push_back(Resource("public-endpoint", base));
  } else {
    resources.items().push_back(Resource("vpc", base));
    if (type == "vpc-peering") {
      resources.items().push_back(
          Resource("vpc-peering-connection", DerivedName({base, "to", account})));
    } else if (type == "privatelink") {
      resources.items().push_back(Resource("network-load-balancer", DerivedName({base, "nlb"})));
      resources.items().push_back(Resource(EndpointServiceKind(cloud), DerivedName({base, "pls"})));
    } else if (type == "transit-gateway") {
      resources.items().push_back(
          Resource("transit-gateway-attachment", DerivedName({base, "tgw", account})));
    }
  }
  specs::Node out_doc = DerivedDoc("NetworkAttachment", name, {path});
  specs::Node* out_spec = SpecOf(out_doc);
  out_spec->Set("type", specs::Node::String(type));
  out_spec->Set("cloud", specs::Node::String(cloud));
  out_spec->Set("region", specs::Node::String(region));
  if (std::string cidr(spec.StringAt("cidr")); !cidr.empty()) {
    out_spec->Set("cidr", specs::Node::String(cidr));
  }
  out_spec->Set("source", specs::Node::String(key));
  out_spec->Set("resources", std::move(resources));
  RETURN_IF_ERROR(out.Put(out_path, std::move(out_doc)));
  return Outcome::Done();
}

}  // namespace strata::controllers
