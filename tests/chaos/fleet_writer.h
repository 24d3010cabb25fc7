// FleetWriter (chaos run): the people of the fleet. Each call makes one pull-request-like change
// in a working clone of the fleet repo — a dedicated cluster resized, a label set, a basic cluster
// added, a cluster deleted — commits it as a person and pushes it to main (pulling the
// controllers' commits first and retrying when a controller moved main meanwhile, as a merge
// would). Some changes are invalid on purpose: broken YAML, a CKU the schema refuses, an
// EU-resident org's cluster put in a US region. Each invalid change is fixed again (its file put
// back as it was) once it has been reported rejected and a few changes went by, as its author
// would; after a minute without a rejection it is fixed anyway (and the run fails on it later).
//
// Every change keeps the fleet valid unless it is one of the invalid ones: quotas (clusters and
// CKU per org) and residency are respected. Pushes hold `push_mu`, which the force-push fault
// shares. Not thread-safe otherwise.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "core/status.h"

namespace strata::chaos {

struct PushedChange {
  std::string what;    // "resize", "label", "add", "delete", "fix", "invalid-yaml", …
  std::string key;     // "KafkaCluster/org-00001/c-0007"
  std::string path;    // "tenants/org-00001/kafka/c-0007.yaml"
  std::string commit;  // hex
  bool valid = true;
  std::chrono::steady_clock::time_point at;
  size_t rejections_before = 0;  // invalid changes: rejections of `key` reported before the push
};

// How many rejections of a key have been reported so far.
using RejectionCounter = std::function<size_t(const std::string& key)>;

class FleetWriter {
 public:
  // Clones `bare` into `work`. kInternal when git fails.
  static Result<std::unique_ptr<FleetWriter>> Clone(const std::string& bare, const std::string& work,
                                                    uint64_t seed, std::mutex* push_mu,
                                                    RejectionCounter rejections);

  // One change, committed and pushed. kInternal when git fails for good.
  Result<PushedChange> MakeChange();
  // Pushes the fixes still owed for invalid changes, so the final commit holds no invalid file
  // (after their rejections, waiting 15 s at most for all).
  Result<std::vector<PushedChange>> FixAll();

  const std::map<std::string, int>& counts() const { return counts_; }

 private:
  struct Cluster {
    std::string org;
    std::string name;
    std::string sku;
    std::string region;
    std::string availability;
    std::string network;  // a private network's name, "" for public
    int cku = 0;          // dedicated only
    std::string path() const { return "tenants/" + org + "/kafka/" + name + ".yaml"; }
    std::string key() const { return "KafkaCluster/" + org + "/" + name; }
  };
  struct Org {
    std::string residency;  // "any", "eu", "us"
    int max_clusters = 0;
    int max_cku = 0;
  };
  struct OwedFix {
    std::string path;
    std::string content;  // what the file held before the invalid change
    std::string key;
    int due_after = 0;    // changes still to make before it is fixed
    size_t rejections_before = 0;
    std::chrono::steady_clock::time_point pushed_at;
  };

  FleetWriter(std::string bare, std::string work, uint64_t seed, std::mutex* push_mu,
              RejectionCounter rejections);
  bool Due(const OwedFix& fix) const;
  std::string Render(const Cluster& c, const std::string& region, int cku,
                     const std::string& label) const;
  Status LoadFleet();
  Result<PushedChange> Resize();
  Result<PushedChange> Label();
  Result<PushedChange> Add();
  Result<PushedChange> Delete();
  Result<PushedChange> Invalid();
  Result<PushedChange> Fix(const OwedFix& fix);
  // Commits the work tree as a person and pushes; returns the commit.
  Result<std::string> CommitAndPush(const std::string& message);
  Cluster* PickCluster(bool dedicated, bool eu_resident = false);
  int UsedCku(const std::string& org) const;
  int ClusterCount(const std::string& org) const;
  std::string Read(const std::string& path) const;
  void Write(const std::string& path, const std::string& content) const;

  std::string bare_;
  std::string work_;
  std::mt19937_64 random_;
  std::mutex* push_mu_;
  RejectionCounter rejections_;
  std::map<std::string, Org> orgs_;
  std::vector<Cluster> clusters_;
  std::map<std::string, bool> busy_;  // paths with an invalid change not yet fixed
  std::vector<OwedFix> owed_;
  std::map<std::string, int> counts_;
  int next_name_ = 0;
};

}  // namespace strata::chaos
