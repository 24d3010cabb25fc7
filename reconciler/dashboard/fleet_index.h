// FleetIndex: the logical clusters of a fleet branch at one commit, with what the dashboard needs
// to list and filter them (org, SKU, cloud, region) and the physical resource each was placed on
// (a PhysicalKafkaCluster's spec.tenants; a derived Connect or ksqlDB document's sources).
//
// Built once from a whole tree, then moved along the branch: ReadChange reads only the files that
// changed between the two trees (the work follows the size of a change, not of the fleet) and
// Apply takes them in, so that a reader only waits for the applying. Moving to an unrelated commit
// (a force push) is a diff like any other.
//
// A tenant file that does not load as YAML keeps its logical cluster, without SKU or location; a
// derived file that does not load places nothing. The reconciler and `strata validate` are the
// ones that report such files. Errors: kInternal when git cannot be read. Not thread-safe: the
// dashboard guards it with its own lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
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
  // `now_millis` dates the physical computations found (see Physical::seen_at_millis).
  static Result<FleetIndex> Build(const Repository& repo, const git_oid& commit, int64_t now_millis);

  // What moving to `commit` changes: the files that differ, read.
  struct Change {
    git_oid commit{};
    git_oid tree{};
    std::vector<std::pair<std::string, std::optional<std::string>>> files;  // nullopt: deleted
  };
  Result<Change> ReadChange(const Repository& repo, const git_oid& commit) const;
  void Apply(const Change& change, int64_t now_millis);

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
    int64_t seen_at_millis = 0;  // when this index first saw that computation (or was built)
    std::vector<std::string> tenants;  // logical keys placed on it
  };
  // The physical resource of that key; null when there is none.
  const Physical* FindPhysical(const std::string& physical_key) const;

 private:
  // Reads (or, with `text` null, forgets) one file; other paths are ignored.
  void Take(const std::string& path, const std::string* text, int64_t now_millis);
  void TakeLogical(const std::string& path, const std::string* text);
  void TakePhysical(const std::string& path, const std::string* text, int64_t now_millis);

  git_oid commit_{};
  git_oid tree_{};
  std::map<std::string, LogicalCluster> clusters_;             // by key
  std::unordered_map<std::string, std::string> path_to_key_;  // tenants/… → key
  std::unordered_map<std::string, Physical> physical_;        // by derived path
  std::unordered_map<std::string, std::string> physical_path_;  // physical key → derived path
  std::unordered_map<std::string, std::string> placement_;    // logical key → physical key
};

}  // namespace strata::dashboard
