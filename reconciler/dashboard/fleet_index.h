// FleetIndex: the logical clusters of a fleet branch at one commit, with what the dashboard needs
// to list and filter them (org, SKU, cloud, region) and the physical resource each was placed on
// (a PhysicalKafkaCluster's spec.tenants; a derived Connect or ksqlDB document's sources).
//
// Built once from a whole tree, then moved along the branch by Advance, which reads only the files
// that changed between the two trees: the work follows the size of a change, not of the fleet.
// Moving to an unrelated commit (a force push) is a diff like any other.
//
// A file that does not load as YAML is left out (its logical cluster shows no SKU or placement);
// the reconciler and `strata validate` are the ones that report it. Errors: kInternal when git
// cannot be read. Not thread-safe: the dashboard swaps whole indexes under its own lock.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/git.h"
#include "core/status.h"

namespace strata::dashboard {

struct LogicalCluster {
  std::string key;   // "KafkaCluster/acme/orders"
  std::string kind;  // KafkaCluster | ConnectCluster | KsqlCluster
  std::string org;
  std::string name;
  std::string path;  // tenants/acme/kafka/orders.yaml
  std::string sku;   // Kafka clusters; "" for the others
  std::string cloud;
  std::string region;
};

class FleetIndex {
 public:
  static Result<FleetIndex> Build(const Repository& repo, const git_oid& commit);
  Status Advance(const Repository& repo, const git_oid& commit);

  const git_oid& commit() const { return commit_; }
  const std::map<std::string, LogicalCluster>& clusters() const { return clusters_; }
  // "PhysicalKafkaCluster/pkc-…" for a placed logical key; "" otherwise.
  const std::string& PhysicalOf(const std::string& key) const;
  struct Physical {
    std::string key;  // "PhysicalKafkaCluster/pkc-…"
    bool shared = false;
    std::string cloud;
    std::string region;
    std::string computed_at;  // its strata.dev/computed-at: agents report it back once applied
    std::vector<std::string> tenants;  // logical keys placed on it
  };
  // The physical resource of that key; null when there is none.
  const Physical* FindPhysical(const std::string& physical_key) const;

 private:
  // Reads (or, with `text` null, forgets) one file; other paths are ignored.
  void Take(const std::string& path, const std::string* text);
  void TakeLogical(const std::string& path, const std::string* text);
  void TakePhysical(const std::string& path, const std::string* text);

  git_oid commit_{};
  git_oid tree_{};
  std::map<std::string, LogicalCluster> clusters_;             // by key
  std::unordered_map<std::string, std::string> path_to_key_;  // tenants/… → key
  std::unordered_map<std::string, Physical> physical_;        // by derived path
  std::unordered_map<std::string, std::string> physical_path_;  // physical key → derived path
  std::unordered_map<std::string, std::string> placement_;    // logical key → physical key
};

}  // namespace strata::dashboard
