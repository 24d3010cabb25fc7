#include "specs/kinds.h"

namespace strata::specs {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

namespace {

struct TenantDir {
  std::string_view dir;
  std::string_view kind;
};
constexpr TenantDir kTenantDirs[] = {{"kafka", "KafkaCluster"},
                                     {"connect", "ConnectCluster"},
                                     {"ksql", "KsqlCluster"},
                                     {"networks", "Network"}};

struct PolicyDir {
  std::string_view dir;
  std::string_view kind;
};
constexpr PolicyDir kPolicyDirs[] = {
    {"skus", "Sku"}, {"orgs", "OrgPolicy"}, {"satellites", "Satellite"}};

}  // namespace

const std::vector<KindInfo>& AllKinds() {
  static const std::vector<KindInfo> kinds = {
      {"Sku", "sku", false, false},
      {"OrgPolicy", "orgpolicy", false, false},
      {"Satellite", "satellite", false, false},
      {"KafkaCluster", "kafkacluster", true, false},
      {"ConnectCluster", "connectcluster", true, false},
      {"KsqlCluster", "ksqlcluster", true, false},
      {"Network", "network", true, false},
      {"Rollout", "rollout", false, false},
      {"PhysicalKafkaCluster", "physicalkafkacluster", false, true},
      {"PhysicalConnectCluster", "physicalconnectcluster", false, true},
      {"PhysicalKsqlCluster", "physicalksqlcluster", false, true},
      {"NetworkAttachment", "networkattachment", false, true},
      {"K8sCluster", "k8scluster", false, true},
      {"SliceEntry", "sliceentry", false, true},
      {"RolloutTarget", "rollouttarget", false, true},
      {"RolloutProgress", "rolloutprogress", false, true},
  };
  return kinds;
}

const KindInfo* FindKind(std::string_view name) {
  for (const auto& k : AllKinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

bool IsDnsLabel(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (char c : name) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

std::string ResourceKey(std::string_view kind, std::string_view org, std::string_view name) {
  std::string key(kind);
  key += '/';
  if (!org.empty()) {
    key += org;
    key += '/';
  }
  key += name;
  return key;
}

Result<PathRule> ClassifyPath(std::string_view path) {
  std::vector<std::string_view> parts = SplitPath(path);
  std::string_view top = parts[0];
  PathRule rule;
  if (top == "policy") {
    rule.area = Area::kPolicy;
  } else if (top == "tenants") {
    rule.area = Area::kTenant;
  } else if (top == "rollouts") {
    rule.area = Area::kRollout;
  } else if (top == "derived") {
    rule.area = Area::kDerived;
  } else if (top == "satellites") {
    rule.area = Area::kSatellite;
  } else {
    return rule;  // not a spec: README.md, .strata/, …
  }
  std::string_view file = parts.back();
  if (file.size() > 4 && file.substr(file.size() - 4) == ".yml") {
    return Status::InvalidArgument("spec files end in .yaml, not .yml");
  }
  if (file.size() <= 5 || file.substr(file.size() - 5) != ".yaml") {
    return Status::InvalidArgument("only .yaml spec files belong under " + std::string(top) + "/");
  }
  rule.name = std::string(file.substr(0, file.size() - 5));

  switch (rule.area) {
    case Area::kPolicy:
      if (parts.size() == 3) {
        for (const auto& d : kPolicyDirs) {
          if (parts[1] == d.dir) {
            rule.kind = std::string(d.kind);
            return rule;
          }
        }
      }
      return Status::InvalidArgument(
          "policy files live in policy/skus/, policy/orgs/ or policy/satellites/");
    case Area::kTenant:
      if (parts.size() == 4) {
        for (const auto& d : kTenantDirs) {
          if (parts[2] == d.dir) {
            rule.kind = std::string(d.kind);
            rule.org = std::string(parts[1]);
            return rule;
          }
        }
      }
      return Status::InvalidArgument(
          "tenant files live in tenants/<org>/{kafka,connect,ksql,networks}/<name>.yaml");
    case Area::kRollout:
      if (parts.size() != 2) return Status::InvalidArgument("rollouts live in rollouts/<name>.yaml");
      rule.kind = "Rollout";
      return rule;
    case Area::kDerived:
      if (parts.size() < 3) {
        return Status::InvalidArgument("derived files live in derived/<controller>/…/<name>.yaml");
      }
      rule.owner = std::string(parts[1]);
      return rule;
    case Area::kSatellite:
      if (parts.size() < 3) {
        return Status::InvalidArgument("slice files live in satellites/<id>/…/<name>.yaml");
      }
      rule.kind = "SliceEntry";
      rule.owner = "sync";
      return rule;
    case Area::kNotSpec: break;
  }
  return rule;
}

Result<std::string> PathOfKey(std::string_view key) {
  std::vector<std::string_view> parts = SplitPath(key);
  std::string quoted = "'" + std::string(key) + "'";
  const KindInfo* info = FindKind(parts[0]);
  std::string dir;
  for (const TenantDir& t : kTenantDirs) {
    if (t.kind == parts[0]) dir = t.dir;
  }
  for (const PolicyDir& p : kPolicyDirs) {
    if (p.kind == parts[0]) dir = "policy/" + std::string(p.dir);
  }
  if (parts[0] == "Rollout") dir = "rollouts";
  if (info == nullptr || info->derived || dir.empty()) {
    if (info != nullptr && info->derived) {
      return Status::InvalidArgument("key " + quoted + ": " + std::string(parts[0]) +
                                     " is a derived kind; give the key of the resource it was "
                                     "derived from (KafkaCluster/ORG/NAME)");
    }
    return Status::InvalidArgument("key " + quoted + ": unknown kind '" + std::string(parts[0]) +
                                   "' (expected KafkaCluster/ORG/NAME, Sku/NAME, …)");
  }
  size_t want = info->org_scoped ? 3 : 2;
  if (parts.size() != want) {
    return Status::InvalidArgument("key " + quoted + ": a " + std::string(info->name) +
                                   " key is " + std::string(info->name) +
                                   (info->org_scoped ? "/ORG/NAME" : "/NAME"));
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!IsDnsLabel(parts[i])) {
      return Status::InvalidArgument("key " + quoted + ": '" + std::string(parts[i]) +
                                     "' is not a DNS label (lower-case letters, digits and '-')");
    }
  }
  if (info->org_scoped) {
    return "tenants/" + std::string(parts[1]) + "/" + dir + "/" + std::string(parts[2]) + ".yaml";
  }
  return dir + "/" + std::string(parts[1]) + ".yaml";
}

}  // namespace strata::specs
