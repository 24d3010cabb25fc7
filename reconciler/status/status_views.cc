#include "reconciler/status/status_views.h"

#include <map>
#include <set>
#include <vector>

#include "core/change_event.h"
#include "reconciler/controllers/derived_doc.h"
#include "reconciler/reconcile/checkpoint.h"
#include "specs/kinds.h"

namespace strata::status {
namespace {

using nlohmann::ordered_json;

std::string Annotation(const std::string& text, const std::string& name) {
  size_t at = text.find(name + ": ");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

std::string KindOf(const std::string& text) { return Annotation("\n" + text, "\nkind"); }

std::vector<std::string> Causes(const CommitInfo& info) {
  std::vector<std::string> out;
  for (const auto& [k, v] : info.trailers) {
    if (k == "Strata-Cause") out.push_back(v);
  }
  return out;
}

}  // namespace

std::string CommitTrailer(const CommitInfo& info, const std::string& name) {
  for (const auto& [k, v] : info.trailers) {
    if (k == name) return v;
  }
  return "";
}

std::string CommitSubject(const CommitInfo& info) { return info.message.substr(0, info.message.find('\n')); }

ordered_json StatusJson(const ResourceStatus& status) {
  ordered_json data = ordered_json::parse(EncodeResourceStatus(status))["data"];
  data["observedAt"] = status.observed_at;  // the event's time, outside its data on the wire
  return data;
}

ordered_json FleetStatusJson(const StatusBoard& board) {
  std::map<std::string, int> by_phase;
  ordered_json satellites = ordered_json::array();
  ordered_json not_ready = ordered_json::array();
  for (const auto& [key, s] : board.observed) {
    if (key.rfind("Satellite/", 0) == 0) {
      satellites.push_back(StatusJson(s));
      continue;
    }
    if (s.phase == "Deleted") continue;
    ++by_phase[s.phase];
    if (s.phase == "Ready") continue;
    ordered_json entry = StatusJson(s);
    entry["key"] = s.key;
    not_ready.push_back(std::move(entry));
  }
  ordered_json out;
  out["phases"] = by_phase;
  out["satellites"] = std::move(satellites);
  out["notReady"] = std::move(not_ready);
  out["rejected"] = ordered_json::array();
  for (const auto& [key, e] : board.rejected) {
    ordered_json errors = ordered_json::array();
    for (const auto& err : e.errors) {
      errors.push_back({{"file", err.file}, {"line", err.line}, {"field", err.field}, {"message", err.message}});
    }
    out["rejected"].push_back({{"key", key}, {"controller", e.controller}, {"commit", e.commit}, {"errors", errors}});
  }
  return out;
}

std::string LogicalPath(const std::string& key) {
  Result<std::string> path = specs::PathOfKey(key);
  return path.ok() && path->rfind("tenants/", 0) == 0 ? *path : "";
}

Result<ordered_json> ClusterLayersInGit(const Repository& repo, const git_oid& tree,
                                        const std::string& key) {
  std::string path = LogicalPath(key);
  if (path.empty()) {
    return Status::InvalidArgument("a key reads KafkaCluster/ORG/NAME (or ConnectCluster, KsqlCluster, Network), not " + key);
  }
  if (!repo.FindPath(tree, path).ok()) return Status::NotFound(key + ": there is no " + path + " on the branch");
  std::string org = key.substr(key.find('/') + 1);
  org = org.substr(0, org.find('/'));
  ordered_json out;
  out["key"] = key;
  out["path"] = path;
  out["physical"] = ordered_json::array();
  // Read once for every physical document: which Kubernetes cluster lists which workload.
  std::vector<std::pair<TreeFile, std::string>> capacity;
  bool capacity_read = false;
  // The derived documents that name this file among their sources.
  for (const std::string& dir : std::vector<std::string>{"derived/pkc/" + org, std::string("derived/pkc/shared"), "derived/connect/" + org,
                                "derived/ksql/" + org, "derived/network/" + org}) {
    Result<std::vector<TreeFile>> files = repo.ListFilesUnder(tree, dir);
    if (!files.ok()) continue;
    for (const TreeFile& f : *files) {
      Result<std::string> text = repo.ReadBlob(f.oid);
      if (!text.ok() || Annotation(*text, "strata.dev/sources").find(path) == std::string::npos) continue;
      std::string name = controllers::StemOf(f.path);
      ordered_json layer;
      layer["key"] = KindOf(*text) + "/" + name;
      layer["path"] = f.path;
      layer["computedAt"] = Annotation(*text, "strata.dev/computed-at");
      layer["shared"] = dir == "derived/pkc/shared";
      // The Kubernetes cluster that runs it: a capacity document listing it as a workload.
      if (!capacity_read) {
        capacity_read = true;
        Result<std::vector<TreeFile>> k8s = repo.ListFilesUnder(tree, "derived/capacity");
        for (const TreeFile& k : k8s.ok() ? *k8s : std::vector<TreeFile>{}) {
          if (Result<std::string> ktext = repo.ReadBlob(k.oid); ktext.ok()) capacity.emplace_back(k, std::move(*ktext));
        }
      }
      for (const auto& [k, ktext] : capacity) {
        if (ktext.find("- " + name + "\n") == std::string::npos) continue;
        layer["k8sCluster"] = {{"key", "K8sCluster/" + controllers::StemOf(k.path)}, {"path", k.path}};
        break;
      }
      out["physical"].push_back(layer);
    }
  }
  return out;
}

void AddLayerStatuses(ordered_json& layers, const StatusBoard& board) {
  if (auto r = board.rejected.find(layers["key"].get<std::string>()); r != board.rejected.end()) {
    std::string errors;
    for (const auto& err : r->second.errors) {
      if (!errors.empty()) errors += "; ";
      errors += err.file + ":" + std::to_string(err.line) + ":" + std::to_string(err.column) + ": " +
                (err.field.empty() ? "" : err.field + ": ") + err.message;
    }
    layers["rejected"] = errors;
  }
  for (ordered_json& layer : layers["physical"]) {
    auto seen = board.observed.find(layer["key"].get<std::string>());
    if (seen != board.observed.end()) layer["status"] = StatusJson(seen->second);
    if (!layer.contains("k8sCluster")) continue;
    auto ks = board.observed.find(layer["k8sCluster"]["key"].get<std::string>());
    if (ks == board.observed.end()) continue;
    layer["k8sCluster"]["status"] = StatusJson(ks->second);
    auto sat = board.observed.find("Satellite/" + ks->second.satellite);
    if (sat == board.observed.end()) continue;
    layer["satellite"] = {{"name", ks->second.satellite},
                          {"phase", sat->second.phase},
                          {"sliceCommit", sat->second.slice_commit},
                          {"fleetCommit", sat->second.fleet_commit},
                          {"observedAt", sat->second.observed_at}};
  }
}

Result<ordered_json> ClusterLayers(const Repository& repo, const git_oid& tree,
                                   const StatusBoard& board, const std::string& key) {
  ASSIGN_OR_RETURN(ordered_json layers, ClusterLayersInGit(repo, tree, key));
  AddLayerStatuses(layers, board);
  return layers;
}

Result<ordered_json> ChangeProgress(const Repository& repo, const std::string& branch,
                                    const git_oid& head, const StatusBoard& board,
                                    const std::string& revision) {
  ASSIGN_OR_RETURN(git_oid commit, repo.ResolveCommit(revision));
  ASSIGN_OR_RETURN(CommitInfo commit_info, repo.ReadCommit(commit));
  std::string sha = OidToHex(commit);
  ordered_json out;
  out["commit"] = sha;
  out["subject"] = CommitSubject(commit_info);
  out["author"] = commit_info.author_name;
  out["time"] = commit_info.author_time;
  Result<reconcile::Checkpoint> checkpoint = reconcile::ReadCheckpoint(repo, branch);
  bool published = false;
  if (checkpoint.ok() && checkpoint->exists) {
    Result<bool> reached = repo.Descends(checkpoint->commit, commit);
    published = reached.ok() && *reached;
  }
  out["published"] = published;
  // The controller commits it caused, directly or through another controller's commit.
  ASSIGN_OR_RETURN(std::vector<git_oid> after, repo.FirstParentRange(commit, head));
  std::set<std::string> chain = {sha};
  std::map<std::string, git_oid> sync_commits;  // satellite → the sync commit that changed its slice
  out["controllers"] = ordered_json::array();
  for (const git_oid& c : after) {
    Result<CommitInfo> info = repo.ReadCommit(c);
    if (!info.ok()) continue;
    bool caused = false;
    for (const std::string& cause : Causes(*info)) caused = caused || chain.count(cause) != 0;
    if (!caused) continue;
    chain.insert(OidToHex(c));
    std::string controller = CommitTrailer(*info, "Strata-Controller");
    out["controllers"].push_back({{"controller", controller}, {"commit", OidToHex(c)}, {"summary", CommitSubject(*info)}});
    if (controller == "sync" && !info->parents.empty()) {
      ASSIGN_OR_RETURN(git_oid parent_tree, repo.TreeOfCommit(info->parents[0]));
      Result<std::vector<ChangedFile>> changed = repo.DiffTrees(parent_tree, info->tree);
      for (const ChangedFile& f : changed.ok() ? *changed : std::vector<ChangedFile>{}) {
        if (f.path.rfind("satellites/", 0) != 0) continue;
        std::string sat = f.path.substr(11, f.path.find('/', 11) - 11);
        sync_commits[sat] = c;
      }
    }
  }
  out["satellites"] = ordered_json::array();
  for (const auto& [sat, sync] : sync_commits) {
    ordered_json entry = {{"satellite", sat}, {"syncCommit", OidToHex(sync)}, {"applied", false}};
    auto seen = board.observed.find("Satellite/" + sat);
    git_oid reported{};
    if (seen != board.observed.end() && seen->second.phase == "Ready" &&
        git_oid_fromstr(&reported, seen->second.fleet_commit.c_str()) == 0) {
      Result<bool> has = repo.Descends(reported, sync);
      if (has.ok() && *has) {
        entry["applied"] = true;
        entry["at"] = seen->second.observed_at;
        entry["sliceCommit"] = seen->second.slice_commit;
      }
    }
    out["satellites"].push_back(entry);
  }
  return out;
}

}  // namespace strata::status
