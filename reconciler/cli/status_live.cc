#include "reconciler/cli/status_live.h"

#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/change_event.h"
#include "core/git.h"
#include "core/resource_status.h"
#include "core/topic_snapshot.h"
#include "reconciler/cli/commands.h"
#include "reconciler/controllers/derived_doc.h"
#include "reconciler/reconcile/checkpoint.h"
#include "specs/kinds.h"

namespace strata::cli {
namespace {

using nlohmann::ordered_json;

// The newest report of every key on strata.status.
struct Board {
  std::map<std::string, ResourceStatus> observed;
  std::map<std::string, ChangeEvent> rejected;
};

Result<Board> ReadBoard(const KafkaProperties& kafka) {
  ASSIGN_OR_RETURN(std::vector<KafkaRecord> records,
                   ReadTopicSnapshot(kafka, std::string(kStatusTopic), std::chrono::seconds(20)));
  Board board;
  for (const KafkaRecord& r : records) {
    if (Result<ResourceStatus> s = DecodeResourceStatus(r.value); s.ok()) {
      board.observed[s->key] = std::move(*s);
    } else if (Result<ChangeEvent> e = DecodeCloudEvent(r.value); e.ok()) {
      // A rejection holds until the controller that made it accepts the key again (once the
      // file is fixed); another controller's acceptance leaves it.
      if (e->type == ChangeType::kRejected) {
        board.rejected[e->key] = std::move(*e);
      } else if (e->type == ChangeType::kAccepted) {
        auto it = board.rejected.find(e->key);
        if (it != board.rejected.end() && it->second.controller == e->controller) board.rejected.erase(it);
      }
    }
  }
  return board;
}

std::string Short(const std::string& sha) { return sha.substr(0, 12); }

std::string Describe(const ResourceStatus& s) {
  std::string out = s.phase;
  if (s.brokers_desired > 0) {
    out += " " + std::to_string(s.brokers_ready) + "/" + std::to_string(s.brokers_desired) + " brokers";
  }
  if (!s.version.empty()) out += ", Kafka " + s.version;
  if (!s.endpoint.empty()) out += ", endpoint " + s.endpoint;
  out += " on " + s.satellite + " at " + s.observed_at;
  if (!s.fleet_commit.empty()) out += " (fleet commit " + Short(s.fleet_commit) + ")";
  for (const StatusCondition& c : s.conditions) {
    if (!c.status) out += "\n      " + c.reason + ": " + c.message;
  }
  return out;
}

ordered_json ToJson(const ResourceStatus& s) { return ordered_json::parse(EncodeResourceStatus(s))["data"]; }

int Fail(const Status& s) {
  std::fprintf(stderr, "strata status: %s\n", s.ToString().c_str());
  return kExitError;
}

int ShowFleet(const Board& board, bool json) {
  std::map<std::string, int> by_phase;
  std::vector<const ResourceStatus*> troubled;
  std::vector<const ResourceStatus*> satellites;
  for (const auto& [key, s] : board.observed) {
    if (key.rfind("Satellite/", 0) == 0) {
      satellites.push_back(&s);
      continue;
    }
    if (s.phase == "Deleted") continue;
    ++by_phase[s.phase];
    if (s.phase != "Ready") troubled.push_back(&s);
  }
  if (json) {
    ordered_json out;
    out["phases"] = by_phase;
    out["satellites"] = ordered_json::array();
    for (const auto* s : satellites) out["satellites"].push_back(ToJson(*s));
    out["notReady"] = ordered_json::array();
    for (const auto* s : troubled) {
      ordered_json entry = ToJson(*s);
      entry["key"] = s->key;
      out["notReady"].push_back(std::move(entry));
    }
    out["rejected"] = ordered_json::array();
    for (const auto& [key, e] : board.rejected) {
      ordered_json errors = ordered_json::array();
      for (const auto& err : e.errors) {
        errors.push_back({{"file", err.file}, {"line", err.line}, {"field", err.field}, {"message", err.message}});
      }
      out["rejected"].push_back({{"key", key}, {"controller", e.controller}, {"commit", e.commit}, {"errors", errors}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  int total = 0;
  std::string phases;
  for (const auto& [phase, n] : by_phase) {
    total += n;
    phases += (phases.empty() ? "" : ", ") + std::to_string(n) + " " + phase;
  }
  std::printf("resources   %d reported%s%s\n", total, phases.empty() ? "" : ": ", phases.c_str());
  for (const auto* s : satellites) {
    std::printf("satellite   %s: %s, slice %s (fleet commit %s), %d resources, at %s\n",
                s->satellite.c_str(), s->phase.c_str(), Short(s->slice_commit).c_str(),
                Short(s->fleet_commit).c_str(), s->resources, s->observed_at.c_str());
    for (const StatusCondition& c : s->conditions) {
      if (!c.status) std::printf("              %s: %s\n", c.reason.c_str(), c.message.c_str());
    }
  }
  for (const auto* s : troubled) std::printf("not ready   %s: %s\n", s->key.c_str(), Describe(*s).c_str());
  for (const auto& [key, e] : board.rejected) {
    for (const auto& err : e.errors) {
      std::printf("rejected    %s by %s: %s:%d: %s: %s\n", key.c_str(),
                  e.controller.empty() ? "the reconciler" : e.controller.c_str(), err.file.c_str(),
                  err.line, err.field.c_str(), err.message.c_str());
    }
  }
  return kExitOk;
}

// "KafkaCluster/acme/orders" → "tenants/acme/kafka/orders.yaml".
// The file of a tenant resource's key ("" for any other key).
std::string LogicalPath(const std::string& key) {
  Result<std::string> path = specs::PathOfKey(key);
  return path.ok() && path->rfind("tenants/", 0) == 0 ? *path : "";
}

std::string Annotation(const std::string& text, const std::string& name) {
  size_t at = text.find(name + ": ");
  if (at == std::string::npos) return "";
  size_t start = at + name.size() + 2;
  return text.substr(start, text.find('\n', start) - start);
}

std::string KindOf(const std::string& text) { return Annotation("\n" + text, "\nkind"); }

int ShowKey(const Repository& repo, const git_oid& tree, const Board& board, const std::string& key,
            bool json) {
  std::string path = LogicalPath(key);
  if (path.empty()) return Fail(Status::InvalidArgument("a key reads KafkaCluster/ORG/NAME (or ConnectCluster, KsqlCluster, Network), not " + key));
  if (!repo.FindPath(tree, path).ok()) return Fail(Status::NotFound(key + ": there is no " + path + " on the branch"));
  std::string org = key.substr(key.find('/') + 1);
  org = org.substr(0, org.find('/'));
  ordered_json out;
  out["key"] = key;
  out["path"] = path;
  if (auto r = board.rejected.find(key); r != board.rejected.end()) {
    std::string errors;
    for (const auto& err : r->second.errors) {
      if (!errors.empty()) errors += "; ";
      errors += err.file + ":" + std::to_string(err.line) + ":" + std::to_string(err.column) + ": " +
                (err.field.empty() ? "" : err.field + ": ") + err.message;
    }
    out["rejected"] = errors;
  }
  out["physical"] = ordered_json::array();
  // The derived documents that name this file among their sources.
  for (const std::string& dir : std::vector<std::string>{"derived/pkc/" + org, std::string("derived/pkc/shared"), "derived/connect/" + org,
                                "derived/ksql/" + org, "derived/network/" + org}) {
    Result<std::vector<TreeFile>> files = repo.ListFilesUnder(tree, dir);
    if (!files.ok()) continue;
    for (const TreeFile& f : *files) {
      Result<std::string> text = repo.ReadBlob(f.oid);
      if (!text.ok() || Annotation(*text, "strata.dev/sources").find(path) == std::string::npos) continue;
      std::string name = controllers::StemOf(f.path);
      std::string kind = KindOf(*text);
      ordered_json layer;
      layer["key"] = kind + "/" + name;
      layer["path"] = f.path;
      layer["computedAt"] = Annotation(*text, "strata.dev/computed-at");
      auto seen = board.observed.find(kind + "/" + name);
      if (seen != board.observed.end()) layer["status"] = ToJson(seen->second);
      // The Kubernetes cluster that runs it: a capacity document listing it as a workload.
      Result<std::vector<TreeFile>> k8s = repo.ListFilesUnder(tree, "derived/capacity");
      for (const TreeFile& k : k8s.ok() ? *k8s : std::vector<TreeFile>{}) {
        Result<std::string> ktext = repo.ReadBlob(k.oid);
        if (!ktext.ok() || ktext->find("- " + name + "\n") == std::string::npos) continue;
        std::string kname = controllers::StemOf(k.path);
        layer["k8sCluster"] = {{"key", "K8sCluster/" + kname}, {"path", k.path}};
        if (auto ks = board.observed.find("K8sCluster/" + kname); ks != board.observed.end()) {
          layer["k8sCluster"]["status"] = ToJson(ks->second);
        }
        break;
      }
      out["physical"].push_back(layer);
    }
  }
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("%s  %s\n", key.c_str(), path.c_str());
  if (out.contains("rejected")) std::printf("  rejected: %s\n", out["rejected"].get<std::string>().c_str());
  if (out["physical"].empty()) std::printf("  no derived resource yet\n");
  for (const auto& layer : out["physical"]) {
    std::string k = layer["key"];
    std::printf("└─ %s  %s (computed at %s)\n", k.c_str(), layer["path"].get<std::string>().c_str(),
                Short(layer["computedAt"].get<std::string>()).c_str());
    auto seen = board.observed.find(k);
    std::printf("     %s\n", seen == board.observed.end() ? "no status reported yet" : Describe(seen->second).c_str());
    if (layer.contains("k8sCluster")) {
      std::string kk = layer["k8sCluster"]["key"];
      std::printf("   └─ %s  %s\n", kk.c_str(), layer["k8sCluster"]["path"].get<std::string>().c_str());
      auto ks = board.observed.find(kk);
      std::printf("        %s\n", ks == board.observed.end() ? "no status reported yet" : Describe(ks->second).c_str());
      if (ks != board.observed.end()) {
        auto sat = board.observed.find("Satellite/" + ks->second.satellite);
        if (sat != board.observed.end()) {
          std::printf("      └─ satellite %s: %s, slice %s (fleet commit %s)\n", ks->second.satellite.c_str(),
                      sat->second.phase.c_str(), Short(sat->second.slice_commit).c_str(),
                      Short(sat->second.fleet_commit).c_str());
        }
      }
    }
  }
  return kExitOk;
}

std::vector<std::string> Causes(const CommitInfo& info) {
  std::vector<std::string> out;
  for (const auto& [k, v] : info.trailers) {
    if (k == "Strata-Cause") out.push_back(v);
  }
  return out;
}

int ShowCommit(const Repository& repo, const std::string& branch, const git_oid& head, const Board& board,
               const std::string& revision, bool json) {
  Result<git_oid> commit = repo.ResolveCommit(revision);
  if (!commit.ok()) return Fail(commit.status());
  std::string sha = OidToHex(*commit);
  ordered_json out;
  out["commit"] = sha;
  Result<reconcile::Checkpoint> checkpoint = reconcile::ReadCheckpoint(repo, branch);
  bool published = false;
  if (checkpoint.ok() && checkpoint->exists) {
    Result<bool> reached = repo.Descends(checkpoint->commit, *commit);
    published = reached.ok() && *reached;
  }
  out["published"] = published;
  // The controller commits it caused, directly or through another controller's commit.
  Result<std::vector<git_oid>> after = repo.FirstParentRange(*commit, head);
  if (!after.ok()) return Fail(after.status());
  std::set<std::string> chain = {sha};
  std::map<std::string, git_oid> sync_commits;  // satellite → the sync commit that changed its slice
  out["controllers"] = ordered_json::array();
  for (const git_oid& c : *after) {
    Result<CommitInfo> info = repo.ReadCommit(c);
    if (!info.ok()) continue;
    bool caused = false;
    for (const std::string& cause : Causes(*info)) caused = caused || chain.count(cause) != 0;
    if (!caused) continue;
    chain.insert(OidToHex(c));
    std::string controller;
    for (const auto& [k, v] : info->trailers) {
      if (k == "Strata-Controller") controller = v;
    }
    std::string subject = info->message.substr(0, info->message.find('\n'));
    out["controllers"].push_back({{"controller", controller}, {"commit", OidToHex(c)}, {"summary", subject}});
    if (controller == "sync" && !info->parents.empty()) {
      Result<git_oid> parent_tree = repo.TreeOfCommit(info->parents[0]);
      if (!parent_tree.ok()) return Fail(parent_tree.status());
      Result<std::vector<ChangedFile>> changed = repo.DiffTrees(*parent_tree, info->tree);
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
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("commit      %s\n", Short(sha).c_str());
  std::printf("published   %s\n", published ? "yes" : "not yet");
  for (const auto& c : out["controllers"]) {
    std::printf("controller  %s committed %s: %s\n", c["controller"].get<std::string>().c_str(),
                Short(c["commit"].get<std::string>()).c_str(), c["summary"].get<std::string>().c_str());
  }
  if (out["controllers"].empty()) std::printf("controller  no controller commit has followed from it yet\n");
  for (const auto& s : out["satellites"]) {
    std::string sat = s["satellite"];
    if (s["applied"].get<bool>()) {
      std::printf("satellite   applied on %s at %s (slice %s)\n", sat.c_str(), s["at"].get<std::string>().c_str(),
                  Short(s["sliceCommit"].get<std::string>()).c_str());
    } else {
      std::printf("satellite   %s: not yet applied\n", sat.c_str());
    }
  }
  return kExitOk;
}

}  // namespace

int ShowLive(const LiveStatusRequest& request) {
  Result<Repository> repo = Repository::Open(request.repo);
  if (!repo.ok()) return Fail(repo.status());
  Result<git_oid> head = repo->ResolveCommit("refs/heads/" + request.branch);
  if (!head.ok()) return Fail(head.status());
  Result<Board> board = ReadBoard(request.kafka);
  if (!board.ok()) return Fail(board.status());
  if (!request.commit.empty()) return ShowCommit(*repo, request.branch, *head, *board, request.commit, request.json);
  if (!request.key.empty()) {
    Result<git_oid> tree = repo->TreeOfCommit(*head);
    if (!tree.ok()) return Fail(tree.status());
    return ShowKey(*repo, *tree, *board, request.key, request.json);
  }
  return ShowFleet(*board, request.json);
}

}  // namespace strata::cli
