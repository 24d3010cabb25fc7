#include "reconciler/controllers/sync_controller.h"

#include <algorithm>

#include "core/slice_notice.h"
#include "reconciler/controllers/derived_doc.h"

namespace strata::controllers {
namespace {

using controller::Outcome;
constexpr std::string_view kPrefix = "satellites/";

// satellites/<sat>/<k8s>/<name>.yaml → {sat, k8s}; empty when the path has another shape.
std::pair<std::string, std::string> SplitEntryPath(const std::string& path) {
  size_t a = kPrefix.size();
  size_t b = path.find('/', a);
  if (b == std::string::npos) return {};
  size_t c = path.find('/', b + 1);
  if (c == std::string::npos) return {};
  return {path.substr(a, b - a), path.substr(b + 1, c - b - 1)};
}

}  // namespace

std::string SatelliteRef(const std::string& satellite) {
  return "refs/heads/satellites/" + satellite;
}

std::unique_ptr<controller::Controller> MakeSyncController(
    std::shared_ptr<const ssh::SigningKey> signing_key) {
  return std::make_unique<SyncController>(std::move(signing_key));
}

SyncController::SyncController(std::shared_ptr<const ssh::SigningKey> signing_key)
    : signing_key_(std::move(signing_key)) {
  info_.name = "sync";
  info_.inputs = {"K8sCluster",          "NetworkAttachment",   "PhysicalConnectCluster",
                  "PhysicalKafkaCluster", "PhysicalKsqlCluster", "Satellite"};
  info_.outputs = {"SliceEntry"};
  info_.prefix = std::string(kPrefix);
  info_.summary = "Kubernetes clusters and workloads → satellite slices and their refs";
}

std::vector<controller::Watch> SyncController::Watches() {
  std::vector<controller::Watch> watches = policy_.Watches();
  watches.push_back({"derived/capacity", [this](const std::string& path, const specs::Node* doc) {
                       index_.OnFile(path, doc);
                     }});
  for (const char* dir : {"derived/pkc", "derived/connect", "derived/ksql", "derived/network"}) {
    watches.push_back({dir, [this](const std::string& path, const specs::Node* doc) {
                         if (doc == nullptr) {
                           docs_.erase(StemOf(path));
                         } else {
                           docs_[StemOf(path)] = path;
                         }
                       }});
  }
  watches.push_back({"satellites", [this](const std::string& path, const specs::Node* doc) {
                       OnOwnFile(path, doc);
                     }});
  return watches;
}

std::vector<std::string> SyncController::InputsBehind(const std::string& path,
                                                      const specs::Node& doc) const {
  auto [sat, k8s] = SplitEntryPath(path);
  if (k8s.empty()) return Controller::InputsBehind(path, doc);
  if (auto k = index_.clusters.find(k8s); k != index_.clusters.end()) return {k->second.path};
  // A cluster capacity no longer derives: Reconcile reads only the name from a capacity path,
  // and removes the cluster's entries.
  return {"derived/capacity/" + k8s + ".yaml"};
}

std::string SyncController::SatelliteOf(const std::string& k8s) const {
  auto it = entries_.find(k8s);
  if (it == entries_.end() || it->second.empty()) return "";
  return it->second.begin()->first;
}

void SyncController::OnOwnFile(const std::string& path, const specs::Node* doc) {
  auto [sat, k8s] = SplitEntryPath(path);
  if (sat.empty()) return;
  auto& by_sat = entries_[k8s];
  if (doc != nullptr) {
    auto& files = by_sat[sat];
    if (files.empty()) ++clusters_on_[sat];
    files.insert(path);
    return;
  }
  auto it = by_sat.find(sat);
  if (it != by_sat.end()) {
    it->second.erase(path);
    if (it->second.empty()) {
      by_sat.erase(it);
      if (--clusters_on_[sat] <= 0) clusters_on_.erase(sat);
    }
  }
  if (by_sat.empty()) entries_.erase(k8s);
}

Status SyncController::PutEntry(const std::string& satellite, const std::string& k8s,
                                const std::string& resource_path, controller::FleetView& view,
                                controller::OutputBatch& out, std::set<std::string>* written) {
  ASSIGN_OR_RETURN(std::optional<controller::Blob> blob, view.ReadBlob(resource_path));
  if (!blob.has_value()) return Status::Ok();
  std::optional<specs::Node> resource = controller::ParseDoc(resource_path, blob->bytes);
  if (!resource.has_value()) return Status::Ok();
  std::string name = StemOf(resource_path);
  specs::Node doc = DerivedDoc("SliceEntry", name, {resource_path});
  specs::Node* spec = SpecOf(doc);
  spec->Set("satellite", specs::Node::String(satellite));
  spec->Set("k8sCluster", specs::Node::String(k8s));
  spec->Set("source", specs::Node::String(resource_path));
  spec->Set("resource", std::move(*resource));
  std::string path = std::string(kPrefix) + satellite + "/" + k8s + "/" + name + ".yaml";
  if (written != nullptr) written->insert(path);
  return out.Put(path, std::move(doc));
}

Result<Outcome> SyncController::SyncCluster(const std::string& name, controller::FleetView& view,
                                            controller::OutputBatch& out) {
  std::map<std::string, std::set<std::string>> existing;
  if (auto e = entries_.find(name); e != entries_.end()) existing = e->second;
  auto remove_all_but = [&](const std::set<std::string>& keep) -> Status {
    for (const auto& [sat, files] : existing) {
      for (const std::string& file : files) {
        if (keep.count(file) == 0) RETURN_IF_ERROR(out.Remove(file));
      }
    }
    return Status::Ok();
  };
  auto k = index_.clusters.find(name);
  if (k == index_.clusters.end()) {  // the Kubernetes cluster is gone: so is its slice
    unplaced_.erase(name);
    RETURN_IF_ERROR(remove_all_but({}));
    return Outcome::Done();
  }
  const K8sClusterEntry cluster = k->second;
  std::string satellite;
  for (const auto& [sat, files] : existing) {
    const SatelliteInfo* info = policy_.Satellite(sat);
    if (info != nullptr && info->cloud == cluster.cloud && info->region == cluster.region) {
      satellite = sat;  // sticky
      break;
    }
  }
  if (satellite.empty()) {
    std::vector<const SatelliteInfo*> candidates = policy_.SatellitesIn(cluster.cloud, cluster.region);
    int64_t best_load = 0;
    for (const SatelliteInfo* sat : candidates) {
      auto c = clusters_on_.find(sat->id);
      int64_t load = c == clusters_on_.end() ? 0 : c->second;
      if (load >= sat->max_k8s_clusters) continue;
      if (satellite.empty() || load < best_load) {
        satellite = sat->id;
        best_load = load;
      }
    }
  }
  std::string key = "K8sCluster/" + name;
  if (satellite.empty()) {
    unplaced_.insert(name);
    return Outcome::Invalid(
        key, {FieldError(cluster.path, nullptr, "spec.region",
                         "no satellite in policy/satellites serves " + cluster.cloud + " " +
                             cluster.region + " with room for another Kubernetes cluster")});
  }
  unplaced_.erase(name);
  std::set<std::string> written;
  RETURN_IF_ERROR(PutEntry(satellite, name, cluster.path, view, out, &written));
  for (const std::string& w : cluster.workloads) {
    auto doc = docs_.find(w);
    if (doc != docs_.end()) RETURN_IF_ERROR(PutEntry(satellite, name, doc->second, view, out, &written));
  }
  if (!cluster.dedicated_to.empty()) {
    auto doc = docs_.find(cluster.dedicated_to);
    if (doc != docs_.end()) RETURN_IF_ERROR(PutEntry(satellite, name, doc->second, view, out, &written));
  }
  RETURN_IF_ERROR(remove_all_but(written));
  return Outcome::Done();
}

Result<std::map<std::string, Outcome>> SyncController::Reconcile(
    const std::vector<std::string>& paths, controller::FleetView& view,
    controller::OutputBatch& out) {
  std::set<std::string> clusters;
  std::set<std::string> workloads;
  for (const std::string& path : paths) {
    if (path.rfind("derived/capacity/", 0) == 0) {
      clusters.insert(StemOf(path));
      // A cluster that went away may have freed room for one that found none.
      if (index_.clusters.count(StemOf(path)) == 0) clusters.insert(unplaced_.begin(), unplaced_.end());
    } else if (path.rfind("policy/satellites/", 0) == 0) {
      // Changed, shrunk or removed: its clusters are checked again, and those nobody had room for.
      std::string satellite = StemOf(path);
      for (const auto& [name, by_sat] : entries_) {
        if (by_sat.count(satellite) != 0) clusters.insert(name);
      }
      clusters.insert(unplaced_.begin(), unplaced_.end());
    } else if (path.rfind("derived/network/", 0) == 0) {
      std::string na = StemOf(path);
      for (const auto& [name, k] : index_.clusters) {
        if (k.dedicated_to == na) workloads.insert(na + "@" + name);
      }
    } else if (path.rfind("derived/", 0) == 0) {
      std::string w = StemOf(path);
      if (auto h = index_.hosts.find(w); h != index_.hosts.end()) workloads.insert(w + "@" + h->second);
    }
  }
  std::map<std::string, Outcome> outcomes;
  for (const std::string& name : clusters) {
    ASSIGN_OR_RETURN(Outcome outcome, SyncCluster(name, view, out));
    if (auto k = index_.clusters.find(name); k != index_.clusters.end()) outcomes[k->second.path] = std::move(outcome);
  }
  // A workload that changed on a cluster already placed: only its own entry is rewritten.
  for (const std::string& item : workloads) {
    std::string w = item.substr(0, item.find('@'));
    std::string k8s = item.substr(item.find('@') + 1);
    if (clusters.count(k8s) != 0) continue;
    std::string satellite = SatelliteOf(k8s);
    if (satellite.empty()) continue;  // its cluster's own event places it
    auto doc = docs_.find(w);
    std::string entry = std::string(kPrefix) + satellite + "/" + k8s + "/" + w + ".yaml";
    if (doc == docs_.end()) {
      RETURN_IF_ERROR(out.Remove(entry));
    } else {
      RETURN_IF_ERROR(PutEntry(satellite, k8s, doc->second, view, out, nullptr));
    }
  }
  return outcomes;
}

Status SyncController::MoveSatelliteRef(controller::FleetView& view, const std::string& satellite) {
  Repository& repo = view.repo();
  std::string ref = SatelliteRef(satellite);
  for (int attempt = 0; attempt < 5; ++attempt) {
    ASSIGN_OR_RETURN(git_oid tree, repo.SubtreeAt(view.tree(), std::string(kPrefix) + satellite));
    git_oid current{};
    if (Result<git_oid> at = repo.ReadRef(ref); at.ok()) {
      current = *at;
    } else if (at.status().code() != StatusCode::kNotFound) {
      return at.status();
    }
    if (IsZeroOid(current) && IsZeroOid(tree)) return Status::Ok();  // never had a slice
    if (IsZeroOid(tree)) {
      ASSIGN_OR_RETURN(tree, repo.UpdateTree(git_oid{}, {}));  // the empty tree
    }
    if (!IsZeroOid(current)) {
      ASSIGN_OR_RETURN(git_oid current_tree, repo.TreeOfCommit(current));
      if (git_oid_equal(&current_tree, &tree)) return Status::Ok();
    }
    std::vector<git_oid> parents;
    if (!IsZeroOid(current)) parents.push_back(current);
    std::string message = "sync: slice of " + satellite + " at " + view.commit_hex().substr(0, 12) +
                          "\n\nStrata-Controller: sync\nStrata-Cause: " + view.commit_hex() +
                          "\nStrata-Satellite: " + satellite + "\n";
    git_oid commit{};
    if (signing_key_ != nullptr) {
      ASSIGN_OR_RETURN(commit, repo.CommitSigned(tree, parents, message, "strata sync",
                                                 "sync@controllers.strata.local",
                                                 [this](std::string_view text) {
                                                   return signing_key_->Sign(text, "git");
                                                 }));
    } else {
      ASSIGN_OR_RETURN(commit, repo.Commit("", tree, parents, message, "strata sync",
                                           "sync@controllers.strata.local"));
    }
    Status moved = repo.CompareAndSwapRef(ref, current, commit, "strata sync");
    if (moved.ok()) {
      SliceNotice notice{satellite, OidToHex(commit), view.commit_hex()};
      notices_.push_back({std::string(kSatellitesTopic), satellite, EncodeSliceNotice(notice)});
    }
    if (moved.ok() || moved.code() != StatusCode::kAborted) return moved;
  }
  return Status::Aborted("another writer keeps moving " + ref);
}

Status SyncController::AfterCommit(controller::FleetView& view, const git_oid& commit,
                                   const std::vector<std::string>& changed_paths) {
  (void)commit;
  std::set<std::string> satellites;
  for (const std::string& path : changed_paths) {
    auto [sat, k8s] = SplitEntryPath(path);
    if (!sat.empty()) satellites.insert(sat);
  }
  // Every satellite is tried; one that fails is retried with the next commit (pending_refs_).
  satellites.insert(pending_refs_.begin(), pending_refs_.end());
  pending_refs_.clear();
  Status first;
  for (const std::string& sat : satellites) {
    if (Status s = MoveSatelliteRef(view, sat); !s.ok()) {
      pending_refs_.insert(sat);
      if (first.ok()) first = s;
    }
  }
  return first;
}

Status SyncController::AfterStart(controller::FleetView& view) {
  std::set<std::string> satellites;
  for (const auto& [id, sat] : policy_.satellites()) satellites.insert(id);
  for (const auto& [id, count] : clusters_on_) satellites.insert(id);
  for (const std::string& sat : satellites) RETURN_IF_ERROR(MoveSatelliteRef(view, sat));
  return Status::Ok();
}

std::vector<KafkaMessage> SyncController::TakeNotices() {
  std::vector<KafkaMessage> out;
  out.swap(notices_);
  return out;
}

}  // namespace strata::controllers
