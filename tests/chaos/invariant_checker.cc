#include "tests/chaos/invariant_checker.h"

#include <librdkafka/rdkafka.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdio>

#include "core/change_event.h"
#include "core/kafka.h"
#include "core/ssh_signature.h"
#include "specs/regions.h"

namespace strata::chaos {
namespace {

bool InEu(const std::string& region) {
  for (const specs::Region& r : specs::AllRegions()) {
    if (r.name == region) return r.geography == specs::Geography::kEu;
  }
  return false;
}

std::string Short(const std::string& hex) { return hex.substr(0, 10); }

git_oid FromHex(const std::string& hex) {
  git_oid oid{};
  git_oid_fromstr(&oid, hex.c_str());
  return oid;
}

std::string TrailerOf(const CommitInfo& info, const std::string& name) {
  for (const auto& [key, value] : info.trailers) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace

InvariantChecker::InvariantChecker(std::string bare, std::string kafka,
                                   std::map<std::string, std::string> prefixes,
                                   std::set<std::string> eu_orgs,
                                   std::map<std::string, std::string> satellite_regions,
                                   std::string trusted_keys)
    : bare_(std::move(bare)),
      kafka_(std::move(kafka)),
      prefixes_(std::move(prefixes)),
      eu_orgs_(std::move(eu_orgs)),
      satellite_regions_(std::move(satellite_regions)),
      trusted_keys_(std::move(trusted_keys)) {}

InvariantChecker::~InvariantChecker() { Stop(); }

void InvariantChecker::Start() {
  git_thread_ = std::thread([this] { FollowGit(); });
  status_thread_ = std::thread([this] { FollowStatus(); });
}

void InvariantChecker::Stop() {
  stop_.store(true);
  if (git_thread_.joinable()) git_thread_.join();
  if (status_thread_.joinable()) status_thread_.join();
}

std::vector<std::string> InvariantChecker::violations() const {
  std::lock_guard lock(mu_);
  return violations_;
}
InvariantCounts InvariantChecker::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}
std::map<std::string, ResourceStatus> InvariantChecker::latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}
std::map<std::string, std::set<std::string>> InvariantChecker::rejections() const {
  std::lock_guard lock(mu_);
  return rejections_;
}
size_t InvariantChecker::RejectionsOf(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = rejections_.find(key);
  return it == rejections_.end() ? 0 : it->second.size();
}

void InvariantChecker::Violation(std::string what) {
  std::fprintf(stderr, "VIOLATION: %s\n", what.c_str());
  std::lock_guard lock(mu_);
  violations_.push_back(std::move(what));
}

void InvariantChecker::FollowGit() {
  auto repo = Repository::Open(bare_);
  if (!repo.ok()) {
    Violation("the invariant checker cannot open " + bare_ + ": " + repo.status().ToString());
    return;
  }
  std::string last_head;
  while (!stop_.load()) {
    auto head = repo->ResolveCommit("refs/heads/main");
    if (head.ok() && OidToHex(*head) != last_head) {
      // New commits: back along the first parents to one already checked, then oldest first.
      std::vector<git_oid> fresh;
      git_oid at = *head;
      while (true) {
        {
          std::lock_guard lock(mu_);
          if (checked_commits_.count(OidToHex(at)) != 0) break;
        }
        fresh.push_back(at);
        auto info = repo->ReadCommit(at);
        if (!info.ok() || info->parents.empty()) break;
        at = info->parents[0];
      }
      for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) CheckCommit(*repo, *it);
      last_head = OidToHex(*head);
    }
    CheckSatelliteRefs(*repo);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void InvariantChecker::CheckCommit(const Repository& repo, const git_oid& commit) {
  const std::string id = OidToHex(commit);
  auto info = repo.ReadCommit(commit);
  auto checked = [&] {
    std::lock_guard lock(mu_);
    checked_commits_.insert(id);
  };
  if (!info.ok()) {
    Violation("commit " + Short(id) + " on main cannot be read: " + info.status().ToString());
    checked();
    return;
  }
  std::vector<ChangedFile> changes;
  if (info->parents.empty()) {
    auto files = repo.ListFiles(info->tree);
    if (files.ok()) {
      for (const TreeFile& f : *files) changes.push_back({f.path, {}, f.oid, {}, f.mode});
    }
  } else {
    auto parent_tree = repo.TreeOfCommit(info->parents[0]);
    auto diff = parent_tree.ok() ? repo.DiffTrees(*parent_tree, info->tree)
                                 : Result<std::vector<ChangedFile>>(parent_tree.status());
    if (!diff.ok()) {
      Violation("commit " + Short(id) + " cannot be diffed: " + diff.status().ToString());
      checked();
      return;
    }
    changes = std::move(*diff);
  }
  const std::string controller = TrailerOf(*info, "Strata-Controller");
  std::string owned;
  if (!controller.empty()) {
    auto prefix = prefixes_.find(controller);
    if (prefix == prefixes_.end()) {
      Violation("commit " + Short(id) + " claims an unknown controller '" + controller + "'");
      checked();
      return;
    }
    owned = prefix->second;
  }
  for (const ChangedFile& change : changes) {
    bool controllers_area = change.path.rfind("derived/", 0) == 0 || change.path.rfind("satellites/", 0) == 0;
    if (controller.empty() && controllers_area) {
      Violation("commit " + Short(id) + " by " + info->author_name + ", no controller, writes " +
                change.path);
    } else if (!controller.empty() && change.path.rfind(owned, 0) != 0) {
      Violation("commit " + Short(id) + " of controller " + controller + " writes " + change.path +
                ", outside " + owned);
    }
    if (!change.deleted() && change.path.rfind("derived/pkc/", 0) == 0) {
      auto blob = repo.ReadBlob(change.new_oid);
      if (blob.ok()) CheckPlacement("commit " + Short(id), change.path, *blob, "");
    }
  }
  std::lock_guard lock(mu_);
  checked_commits_.insert(id);
  ++counts_.commits;
  counts_.controller_commits += controller.empty() ? 0 : 1;
  counts_.files += changes.size();
}

void InvariantChecker::CheckSatelliteRefs(const Repository& repo) {
  for (const auto& [satellite, region] : satellite_regions_) {
    auto tip = repo.ReadRef("refs/heads/satellites/" + satellite);
    if (!tip.ok()) continue;
    const std::string hex = OidToHex(*tip);
    std::string before;
    {
      std::lock_guard lock(mu_);
      before = satellite_tips_[satellite];
      if (before == hex) continue;
      satellite_tips_[satellite] = hex;
      ++counts_.slice_moves;
    }
    const std::string where = "satellite " + satellite + " at " + Short(hex);
    auto signature = repo.ReadCommitSignature(*tip);
    auto trusted = ssh::TrustedKeys::Load(trusted_keys_);
    if (!signature.ok()) {
      Violation(where + " is not signed");
    } else if (!trusted.ok()) {
      Violation("the trusted keys cannot be read: " + trusted.status().ToString());
    } else if (auto signer = ssh::Verify(signature->signed_text, signature->signature, *trusted);
               !signer.ok()) {
      Violation(where + ": " + signer.status().ToString());
    }
    git_oid old_tree{};
    if (!before.empty()) {
      auto descends = repo.Descends(*tip, FromHex(before));
      if (!descends.ok() || !*descends) {
        Violation(where + " does not descend from its previous tip " + Short(before));
      }
      auto tree = repo.TreeOfCommit(FromHex(before));
      if (tree.ok()) old_tree = *tree;
    }
    auto new_tree = repo.TreeOfCommit(*tip);
    if (!new_tree.ok()) continue;
    std::vector<std::pair<std::string, git_oid>> docs;
    if (IsZeroOid(old_tree)) {
      auto files = repo.ListFiles(*new_tree);
      if (files.ok()) for (const TreeFile& f : *files) docs.emplace_back(f.path, f.oid);
    } else if (auto diff = repo.DiffTrees(old_tree, *new_tree); diff.ok()) {
      for (const ChangedFile& c : *diff) {
        if (!c.deleted()) docs.emplace_back(c.path, c.new_oid);
      }
    }
    for (const auto& [path, oid] : docs) {
      auto blob = repo.ReadBlob(oid);
      if (blob.ok()) CheckPlacement(where, path, *blob, satellite);
    }
  }
}

void InvariantChecker::CheckPlacement(const std::string& where, const std::string& path,
                                      const std::string& yaml, const std::string& satellite) {
  std::string name;
  std::string region;
  bool eu_tenant = false;
  try {
    YAML::Node loaded = YAML::Load(yaml);
    // A slice holds each resource wrapped in a SliceEntry.
    bool entry = loaded.IsMap() && loaded["kind"].as<std::string>("") == "SliceEntry";
    YAML::Node doc = entry ? loaded["spec"]["resource"] : loaded;
    if (!doc.IsMap() || doc["kind"].as<std::string>("") != "PhysicalKafkaCluster") return;
    name = doc["metadata"]["name"].as<std::string>("");
    region = doc["spec"]["region"].as<std::string>("");
    for (const YAML::Node& tenant : doc["spec"]["tenants"]) {
      std::string key = tenant["key"].as<std::string>("");  // KafkaCluster/<org>/<name>
      size_t slash = key.find('/');
      std::string org = key.substr(slash + 1, key.find('/', slash + 1) - slash - 1);
      eu_tenant = eu_tenant || eu_orgs_.count(org) != 0;
    }
  } catch (const YAML::Exception& e) {
    Violation(where + ": " + path + " does not parse: " + e.what());
    return;
  }
  if (eu_tenant && !InEu(region)) {
    Violation(where + ": " + name + " holds an EU-resident tenant in " + region);
  }
  if (eu_tenant && !satellite.empty() && !InEu(satellite_regions_.at(satellite))) {
    Violation(where + ": " + name + " holds an EU-resident tenant on satellite " + satellite);
  }
  std::lock_guard lock(mu_);
  ++counts_.placements;
  if (eu_tenant) eu_only_clusters_.insert(name);
}

void InvariantChecker::FollowStatus() {
  auto repo = Repository::Open(bare_);
  auto conf = MakeKafkaConf({{"bootstrap.servers", kafka_},
                             {"group.id", "strata-chaos-invariants"},
                             {"enable.auto.commit", "false"},
                             {"fetch.wait.max.ms", "50"}});
  if (!repo.ok() || !conf.ok()) {
    Violation("the status checker cannot start");
    return;
  }
  char error[256];
  KafkaPtr consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), error, sizeof error));
  if (consumer == nullptr) {
    Violation(std::string("the status checker cannot make a consumer: ") + error);
    return;
  }
  // strata.status from its beginning, and the KafkaCluster topic for the reconciler's rejections.
  auto* partitions = rd_kafka_topic_partition_list_new(128);
  for (const std::string& name : {std::string(kStatusTopic), DesiredTopic("KafkaCluster")}) {
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_topic_t* topic = rd_kafka_topic_new(consumer.get(), name.c_str(), nullptr);
    while (!stop_.load() && rd_kafka_metadata(consumer.get(), 0, topic, &metadata, 5000) != 0) {
    }
    rd_kafka_topic_destroy(topic);
    if (metadata == nullptr) break;
    for (int p = 0; p < metadata->topics[0].partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(partitions, name.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_assign(consumer.get(), partitions);
  rd_kafka_topic_partition_list_destroy(partitions);
  while (!stop_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 100);
    if (m == nullptr) continue;
    if (m->err == 0) {
      std::string_view value(static_cast<const char*>(m->payload), m->len);
      bool on_status = std::string_view(rd_kafka_topic_name(m->rkt)) == kStatusTopic;
      auto status = on_status ? DecodeResourceStatus(value) : Result<ResourceStatus>(Status::NotFound(""));
      if (status.ok()) {
        CheckStatus(*repo, *status);
      } else if (auto event = DecodeCloudEvent(value);
                 event.ok() && event->type == ChangeType::kRejected) {
        std::lock_guard lock(mu_);
        rejections_[event->key].insert(event->commit);
      }
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(consumer.get());
}

void InvariantChecker::CheckStatus(const Repository& repo, const ResourceStatus& status) {
  const std::string where = status.reporter + " on " + status.key + " (" + status.phase + ")";
  std::string previous;
  bool eu_only = false;
  {
    std::lock_guard lock(mu_);
    ++counts_.status_records;
    latest_[status.key] = status;
    if (status.slice_commit.empty()) return;
    std::string& slot = reported_slice_[status.key + "@" + status.reporter];
    previous = slot;
    slot = status.slice_commit;
    const std::string prefix = "PhysicalKafkaCluster/";
    if (status.key.rfind(prefix, 0) == 0) {
      eu_only = eu_only_clusters_.count(status.key.substr(prefix.size())) != 0;
    }
  }
  if (!previous.empty() && previous != status.slice_commit) {
    auto descends = repo.Descends(FromHex(status.slice_commit), FromHex(previous));
    if (!descends.ok() || !*descends) {
      Violation(where + " reports slice " + Short(status.slice_commit) + " after the newer " +
                Short(previous));
    }
  }
  auto region = satellite_regions_.find(status.satellite);
  if (eu_only && region != satellite_regions_.end() && !InEu(region->second)) {
    Violation(where + ": an EU-resident tenant's cluster runs in " + region->second);
  }
  if (status.key.rfind("PhysicalKafkaCluster/", 0) == 0 && status.phase == "Ready" &&
      status.brokers_desired == 0) {
    Violation(where + ": Ready with 0 brokers, which only a refused CKU could ask for");
  }
}

}  // namespace strata::chaos
