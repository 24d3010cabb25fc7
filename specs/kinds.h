// The kinds of resource strata knows, and where each lives in the fleet repo.
//
//   policy/skus/<name>.yaml              Sku             policy/orgs/<org>.yaml      OrgPolicy
//   policy/satellites/<id>.yaml          Satellite       rollouts/<name>.yaml        Rollout
//   tenants/<org>/kafka/<name>.yaml      KafkaCluster    tenants/<org>/connect/…     ConnectCluster
//   tenants/<org>/ksql/<name>.yaml       KsqlCluster     tenants/<org>/networks/…    Network
//   derived/<controller>/…/<name>.yaml   a derived kind, written only by that controller
//   satellites/<id>/…/<name>.yaml        SliceEntry, written only by the sync controller
//
// ClassifyPath maps a path to what must be there. Files outside policy/, tenants/, rollouts/,
// derived/ and satellites/ (a README, .strata/) are not specs and are ignored.
// Thread-safe: immutable tables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace strata::specs {

inline constexpr std::string_view kApiVersion = "strata.dev/v1alpha1";

struct KindInfo {
  std::string_view name;        // "KafkaCluster"
  std::string_view schema;      // "kafkacluster": schema/v1alpha1/<schema>.json
  bool org_scoped;              // metadata.org required (tenant kinds)
  bool derived;                 // written by a controller, never by people
};

const std::vector<KindInfo>& AllKinds();
const KindInfo* FindKind(std::string_view name);

enum class Area { kNotSpec, kPolicy, kTenant, kRollout, kDerived, kSatellite };

struct PathRule {
  Area area = Area::kNotSpec;
  std::string kind;    // the kind the file must hold; empty for derived/ (any derived kind)
  std::string org;     // tenant files
  std::string name;    // the file name without .yaml: metadata.name must equal it
  std::string owner;   // derived/<controller> → controller; satellites/<id> → "sync"
};

// kInvalidArgument when the path is in a spec area but breaks the layout (with the reason).
Result<PathRule> ClassifyPath(std::string_view path);

// "KafkaCluster/acme/orders" or "Sku/dedicated".
std::string ResourceKey(std::string_view kind, std::string_view org, std::string_view name);

// Where a key people write lives: "KafkaCluster/acme/orders" → tenants/acme/kafka/orders.yaml,
// "Sku/dedicated" → policy/skus/dedicated.yaml, "Rollout/kafka-3-8" → rollouts/kafka-3-8.yaml.
// kInvalidArgument, naming what is wrong, for a malformed key, an unknown kind or a derived kind
// (whose paths its controller chooses).
Result<std::string> PathOfKey(std::string_view key);

// "tenants/acme/kafka" → {"tenants", "acme", "kafka"} (views into `path`).
std::vector<std::string_view> SplitPath(std::string_view path);

// DNS-1123 label: lower-case letters, digits and '-', starting and ending alphanumeric, ≤ 63.
bool IsDnsLabel(std::string_view name);

}  // namespace strata::specs
