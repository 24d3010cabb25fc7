// InvariantChecker (chaos run): checks, while the faults go on, what must hold at every moment,
// from what anyone can read — the fleet repo and the strata.status topic:
//   single writer   every commit on main that touches derived/<c>/ or satellites/ is controller
//                   <c>'s (its Strata-Controller trailer) and touches nothing outside its prefix;
//                   people's commits touch neither;
//   residency       no PhysicalKafkaCluster with a tenant of an EU-resident org is placed, in
//                   derived/pkc/ or in a satellite's slice, outside the EU; no agent outside the EU
//                   reports one;
//   monotonic       a satellite's ref only moves forward (each tip a descendant of the one before,
//                   signed by a key the agents trust), and the slice commit an agent reports for
//                   a resource never goes back to an older one;
//   never valid     no agent reports Ready for a physical cluster of 0 brokers, which only a CKU
//                   the schema refuses could make.
// Two threads: one polls main and the satellites' refs every 200 ms and checks each new commit
// once; one follows strata.status from its beginning (no consumer group). Each violation is
// printed when found and kept. It also keeps the newest status of each key, and every rejection
// reported: the controllers' on strata.status, the reconciler's on strata.desired.kafkacluster.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/git.h"
#include "core/resource_status.h"
#include "core/status.h"

namespace strata::chaos {

struct InvariantCounts {
  uint64_t commits = 0;             // commits on main checked
  uint64_t controller_commits = 0;
  uint64_t files = 0;               // changed files checked for their writer
  uint64_t placements = 0;          // physical clusters checked for residency
  uint64_t slice_moves = 0;         // satellite ref moves checked
  uint64_t status_records = 0;      // strata.status records checked
};

class InvariantChecker {
 public:
  // `prefixes`: controller name → the prefix it owns; `eu_orgs`: orgs whose residency is eu;
  // `satellite_regions`: satellite → region; `trusted_keys`: the agents' file of trusted keys.
  InvariantChecker(std::string bare, std::string kafka, std::map<std::string, std::string> prefixes,
                   std::set<std::string> eu_orgs, std::map<std::string, std::string> satellite_regions,
                   std::string trusted_keys);
  ~InvariantChecker();

  void Start();
  void Stop();

  std::vector<std::string> violations() const;
  InvariantCounts counts() const;
  // The newest status of each key (ResourceStatus::key), as read so far.
  std::map<std::string, ResourceStatus> latest() const;
  // Keys with a dev.strata.resource.rejected event, with the commits named.
  std::map<std::string, std::set<std::string>> rejections() const;
  // How many commits of `key` were reported rejected so far.
  size_t RejectionsOf(const std::string& key) const;

 private:
  void FollowGit();
  void FollowStatus();
  void CheckCommit(const Repository& repo, const git_oid& commit);
  // `yaml` is the document at `path`, written by `where` (a commit or a satellite's ref);
  // `satellite` is "" outside a slice.
  void CheckPlacement(const std::string& where, const std::string& path, const std::string& yaml,
                      const std::string& satellite);
  void CheckSatelliteRefs(const Repository& repo);
  void CheckStatus(const Repository& repo, const ResourceStatus& status);
  void Violation(std::string what);

  const std::string bare_;
  const std::string kafka_;
  const std::map<std::string, std::string> prefixes_;
  const std::set<std::string> eu_orgs_;
  const std::map<std::string, std::string> satellite_regions_;
  const std::string trusted_keys_;

  std::atomic<bool> stop_{false};
  std::thread git_thread_;
  std::thread status_thread_;

  mutable std::mutex mu_;
  std::vector<std::string> violations_;
  InvariantCounts counts_;
  std::set<std::string> checked_commits_;
  std::map<std::string, std::string> satellite_tips_;  // satellite → the tip last seen
  std::set<std::string> eu_only_clusters_;             // physical clusters with an EU tenant
  std::map<std::string, std::string> reported_slice_;  // key@reporter → slice commit
  std::map<std::string, ResourceStatus> latest_;
  std::map<std::string, std::set<std::string>> rejections_;
};

}  // namespace strata::chaos
