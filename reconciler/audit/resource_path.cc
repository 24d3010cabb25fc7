#include "reconciler/audit/resource_path.h"

#include <vector>

#include "specs/kinds.h"

namespace strata::audit {
namespace {

struct KindDir {
  std::string_view kind;
  std::string_view dir;  // tenant kinds: under tenants/<org>/; the others: from the root
  bool org_scoped;
};

constexpr KindDir kKindDirs[] = {
    {"KafkaCluster", "kafka", true},        {"ConnectCluster", "connect", true},
    {"KsqlCluster", "ksql", true},          {"Network", "networks", true},
    {"Sku", "policy/skus", false},          {"OrgPolicy", "policy/orgs", false},
    {"Satellite", "policy/satellites", false}, {"Rollout", "rollouts", false},
};

std::vector<std::string_view> Split(std::string_view key) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t slash; (slash = key.find('/', start)) != std::string_view::npos; start = slash + 1) {
    parts.push_back(key.substr(start, slash - start));
  }
  parts.push_back(key.substr(start));
  return parts;
}

}  // namespace

Result<std::string> PathOfKey(std::string_view key) {
  std::vector<std::string_view> parts = Split(key);
  std::string quoted = "'" + std::string(key) + "'";
  const KindDir* found = nullptr;
  for (const KindDir& k : kKindDirs) {
    if (k.kind == parts[0]) found = &k;
  }
  if (found == nullptr) {
    const specs::KindInfo* info = specs::FindKind(parts[0]);
    if (info != nullptr && info->derived) {
      return Status::InvalidArgument("key " + quoted + ": " + std::string(parts[0]) +
                                     " is a derived kind; give the key of the resource it was "
                                     "derived from (KafkaCluster/ORG/NAME)");
    }
    return Status::InvalidArgument("key " + quoted + ": unknown kind '" + std::string(parts[0]) +
                                   "' (expected KafkaCluster/ORG/NAME, Sku/NAME, …)");
  }
  size_t want = found->org_scoped ? 3 : 2;
  if (parts.size() != want) {
    return Status::InvalidArgument(
        "key " + quoted + ": a " + std::string(found->kind) + " key is " +
        std::string(found->kind) + (found->org_scoped ? "/ORG/NAME" : "/NAME"));
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!specs::IsDnsLabel(parts[i])) {
      return Status::InvalidArgument("key " + quoted + ": '" + std::string(parts[i]) +
                                     "' is not a DNS label (lower-case letters, digits and '-')");
    }
  }
  if (found->org_scoped) {
    return "tenants/" + std::string(parts[1]) + "/" + std::string(found->dir) + "/" +
           std::string(parts[2]) + ".yaml";
  }
  return std::string(found->dir) + "/" + std::string(parts[1]) + ".yaml";
}

std::string PathInOrg(std::string_view path, std::string_view org) {
  if (!path.starts_with("tenants/")) return "";
  size_t slash = path.find('/', 8);
  if (slash == std::string_view::npos) return "";
  return "tenants/" + std::string(org) + std::string(path.substr(slash));
}

}  // namespace strata::audit
