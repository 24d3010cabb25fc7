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

Result<FleetIndex> FleetIndex::Build(const Repository& repo, const git_oid& commit) {
  FleetIndex index;
  ASSIGN_OR_RETURN(index.tree_, repo.TreeOfCommit(commit));
  index.commit_ = commit;
  for (const std::string dir : {"tenants", "derived/pkc", "derived/connect", "derived/ksql"}) {
    Result<std::vector<TreeFile>> files = repo.ListFilesUnder(index.tree_, dir);
    if (!files.ok()) continue;  // a fleet without that directory yet
    for (const TreeFile& f : *files) {
      ASSIGN_OR_RETURN(std::string text, repo.ReadBlob(f.oid));
      index.Take(f.path, &text);
    }
  }
  return index;
}

Status FleetIndex::Advance(const Repository& repo, const git_oid& commit) {
  if (git_oid_equal(&commit, &commit_)) return Status::Ok();
  ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(commit));
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changed, repo.DiffTrees(tree_, tree));
  // Everything is read before anything is taken, so that a git error leaves the index as it was.
  std::vector<std::pair<std::string, std::optional<std::string>>> files;
  for (const ChangedFile& f : changed) {
    if (!StartsWith(f.path, kTenants) && !IsPlacementPath(f.path)) continue;
    if (f.deleted()) {
      files.emplace_back(f.path, std::nullopt);
      continue;
    }
    ASSIGN_OR_RETURN(std::string text, repo.ReadBlob(f.new_oid));
    files.emplace_back(f.path, std::move(text));
  }
  for (const auto& [path, text] : files) Take(path, text.has_value() ? &*text : nullptr);
  commit_ = commit;
  tree_ = tree;
  return Status::Ok();
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

void FleetIndex::Take(const std::string& path, const std::string* text) {
  if (StartsWith(path, kTenants)) {
    TakeLogical(path, text);
  } else if (IsPlacementPath(path)) {
    TakePhysical(path, text);
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

void FleetIndex::TakePhysical(const std::string& path, const std::string* text) {
  if (auto known = physical_.find(path); known != physical_.end()) {
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
