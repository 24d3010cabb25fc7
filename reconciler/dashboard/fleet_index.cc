#include "reconciler/dashboard/fleet_index.h"

#include <optional>

#include "reconciler/controllers/derived_doc.h"
#include "specs/kinds.h"
#include "specs/yaml_loader.h"

namespace strata::dashboard {
namespace {

constexpr std::string_view kTenants = "tenants/";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The derived documents that place logical clusters: pkc's, connect's and ksql's.
bool IsPlacementPath(std::string_view path) {
  return EndsWith(path, ".yaml") &&
         (StartsWith(path, "derived/pkc/") || StartsWith(path, "derived/connect/") ||
          StartsWith(path, "derived/ksql/"));
}

std::optional<specs::YamlDocument> Load(const std::string& path, const std::string& text) {
  specs::Diagnostics ignored;
  return specs::LoadYaml(path, text, &ignored);
}

}  // namespace

Result<FleetIndex> FleetIndex::Build(const Repository& repo, const git_oid& commit,
                                     int64_t now_millis) {
  FleetIndex index;
  ASSIGN_OR_RETURN(index.tree_, repo.TreeOfCommit(commit));
  index.commit_ = commit;
  for (const std::string dir : {"tenants", "derived/pkc", "derived/connect", "derived/ksql"}) {
    Result<std::vector<TreeFile>> files = repo.ListFilesUnder(index.tree_, dir);
    if (!files.ok()) continue;  // a fleet without that directory yet
    for (const TreeFile& f : *files) {
      ASSIGN_OR_RETURN(std::string text, repo.ReadBlob(f.oid));
      index.Take(f.path, &text, now_millis);
    }
  }
  return index;
}

Result<FleetIndex::Change> FleetIndex::ReadChange(const Repository& repo, const git_oid& commit) const {
  Change change;
  change.commit = commit;
  ASSIGN_OR_RETURN(change.tree, repo.TreeOfCommit(commit));
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changed, repo.DiffTrees(tree_, change.tree));
  for (const ChangedFile& f : changed) {
    if (!StartsWith(f.path, kTenants) && !IsPlacementPath(f.path)) continue;
    if (f.deleted()) {
      change.files.emplace_back(f.path, std::nullopt);
      continue;
    }
    ASSIGN_OR_RETURN(std::string text, repo.ReadBlob(f.new_oid));
    change.files.emplace_back(f.path, std::move(text));
  }
  return change;
}

void FleetIndex::Apply(const Change& change, int64_t now_millis) {
  for (const auto& [path, text] : change.files) Take(path, text.has_value() ? &*text : nullptr, now_millis);
  commit_ = change.commit;
  tree_ = change.tree;
}

const std::string& FleetIndex::PhysicalOf(const std::string& key) const {
  static const std::string kNone;
  auto it = placement_.find(key);
  return it == placement_.end() ? kNone : it->second;
}

const FleetIndex::Physical* FleetIndex::FindPhysical(const std::string& physical_key) const {
  auto path = physical_path_.find(physical_key);
  if (path == physical_path_.end()) return nullptr;
  auto it = physical_.find(path->second);
  return it == physical_.end() ? nullptr : &it->second;
}

void FleetIndex::Take(const std::string& path, const std::string* text, int64_t now_millis) {
  if (StartsWith(path, kTenants)) {
    TakeLogical(path, text);
  } else if (IsPlacementPath(path)) {
    TakePhysical(path, text, now_millis);
  }
}

void FleetIndex::TakeLogical(const std::string& path, const std::string* text) {
  if (auto known = path_to_key_.find(path); known != path_to_key_.end()) {
    clusters_.erase(known->second);
    path_to_key_.erase(known);
  }
  if (text == nullptr) return;
  Result<specs::PathRule> rule = specs::ClassifyPath(path);
  if (!rule.ok() || (rule->kind != "KafkaCluster" && rule->kind != "ConnectCluster" &&
                     rule->kind != "KsqlCluster")) {
    return;
  }
  LogicalCluster cluster;
  cluster.kind = rule->kind;
  cluster.org = rule->org;
  cluster.name = rule->name;
  cluster.key = specs::ResourceKey(rule->kind, rule->org, rule->name);
  cluster.path = path;
  if (std::optional<specs::YamlDocument> doc = Load(path, *text); doc.has_value()) {
    if (const specs::Node* spec = doc->root.Find("spec"); spec != nullptr && spec->is_map()) {
      cluster.sku = std::string(spec->StringAt("sku"));
      cluster.cloud = std::string(spec->StringAt("cloud"));
      cluster.region = std::string(spec->StringAt("region"));
    }
  }
  path_to_key_[path] = cluster.key;
  std::string key = cluster.key;
  clusters_[key] = std::move(cluster);
}

void FleetIndex::TakePhysical(const std::string& path, const std::string* text,
                              int64_t now_millis) {
  std::string previous_computed_at;
  int64_t previous_seen_at = 0;
  if (auto known = physical_.find(path); known != physical_.end()) {
    previous_computed_at = known->second.computed_at;
    previous_seen_at = known->second.seen_at_millis;
    for (const std::string& tenant : known->second.tenants) {
      auto placed = placement_.find(tenant);
      if (placed != placement_.end() && placed->second == known->second.key) placement_.erase(placed);
    }
    physical_path_.erase(known->second.key);
    physical_.erase(known);
  }
  if (text == nullptr) return;
  std::optional<specs::YamlDocument> doc = Load(path, *text);
  if (!doc.has_value()) return;
  const specs::Node* spec = doc->root.Find("spec");
  if (spec == nullptr || !spec->is_map()) return;
  Physical physical;
  physical.key = std::string(doc->root.StringAt("kind")) + "/" + controllers::StemOf(path);
  physical.shared = spec->StringAt("tenancy") == "multi-tenant";
  physical.cloud = std::string(spec->StringAt("cloud"));
  physical.region = std::string(spec->StringAt("region"));
  if (const specs::Node* at = doc->root.AtPath("metadata.annotations"); at != nullptr) {
    physical.computed_at = std::string(at->StringAt("strata.dev/computed-at"));
  }
  physical.seen_at_millis =
      physical.computed_at == previous_computed_at && previous_seen_at != 0 ? previous_seen_at : now_millis;
  if (const specs::Node* tenants = spec->Find("tenants"); tenants != nullptr && tenants->is_sequence()) {
    for (const specs::Node& t : tenants->items()) {
      if (std::string key(t.StringAt("key")); !key.empty()) physical.tenants.push_back(key);
    }
  } else if (std::string source(spec->StringAt("source")); !source.empty()) {
    physical.tenants.push_back(source);  // a Connect or ksqlDB cluster: one logical source
  }
  for (const std::string& tenant : physical.tenants) placement_[tenant] = physical.key;
  physical_path_[physical.key] = path;
  physical_[path] = std::move(physical);
}

}  // namespace strata::dashboard
