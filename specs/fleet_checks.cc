// CheckFleet: the rules that span files. Each rule reports on the field that breaks it.
#include <map>
#include <set>

#include "specs/fleet.h"
#include "specs/regions.h"

namespace strata::specs {
namespace {

class Checker {
 public:
  Checker(const Fleet& fleet, Diagnostics* out) : fleet_(fleet), out_(out) {}

  void Run() {
    // Files with schema errors are checked too, field by field: a refused field is skipped (its
    // error is already reported), so one run reports every error it can.
    for (const Resource& r : fleet_.resources) {
      if (!r.path_ok) continue;
      if (r.kind == "KafkaCluster") CheckKafka(r);
      if (r.kind == "Network") CheckNetwork(r);
      if (r.kind == "ConnectCluster" || r.kind == "KsqlCluster") CheckAttached(r);
      if (r.kind == "Satellite") CheckPlacement(r, "any");
      if (r.kind == "OrgPolicy" && r.valid) CheckOrgPolicy(r);
      if (r.kind == "Rollout" && r.valid) CheckRollout(r);
    }
    CheckQuotas();
    CheckDerivedNames();
  }

 private:
  void Error(const Resource& r, std::string_view field, std::string message) {
    const Field* f = r.Get(field);
    Mark m = f != nullptr ? f->mark : r.kind_mark;
    out_->push_back({r.file, m.line, m.column, std::string(field), std::move(message)});
  }
  void ErrorAt(const Resource& r, const Node* node, std::string field, std::string message) {
    Mark m = node != nullptr ? node->mark() : r.kind_mark;
    out_->push_back({r.file, m.line, m.column, std::move(field), std::move(message)});
  }

  // Policy documents are trusted only when wholly valid.
  const Resource* ValidOrNull(const std::string& key) const {
    const Resource* r = fleet_.Find(key);
    return r != nullptr && r->valid ? r : nullptr;
  }
  // Present, but broken: its own file carries the errors, so checks that need it stay quiet.
  bool Broken(const std::string& key) const {
    const Resource* r = fleet_.Find(key);
    return r != nullptr && !r->valid;
  }
  const Resource* OrgPolicyFor(const std::string& org) const {
    return ValidOrNull(ResourceKey("OrgPolicy", "", org));
  }
  std::string Residency(const std::string& org) const {
    const Resource* policy = OrgPolicyFor(org);
    return policy != nullptr ? std::string(policy->Text("spec.dataResidency")) : "any";
  }

  // Region exists in the cloud, and the org's residency allows it.
  const Region* CheckPlacement(const Resource& r, const std::string& residency) {
    if (r.Get("spec.cloud") == nullptr || r.Get("spec.region") == nullptr) return nullptr;
    std::string cloud(r.Text("spec.cloud"));
    std::string region(r.Text("spec.region"));
    const Region* found = FindRegion(cloud, region);
    if (found == nullptr) {
      Error(r, "spec.region", "cloud " + cloud + " has no region '" + region + "'");
      return nullptr;
    }
    if (!ResidencyAllows(residency, *found)) {
      Error(r, "spec.region", "org " + r.org + " requires data residency '" + residency +
                                  "', and " + cloud + "/" + region + " is outside it");
    }
    return found;
  }

  void CheckKafka(const Resource& r) {
    const Resource* policy = OrgPolicyFor(r.org);
    if (policy == nullptr && !Broken(ResourceKey("OrgPolicy", "", r.org))) {
      Error(r, "metadata.org", "org '" + r.org + "' has no policy (policy/orgs/" + r.org + ".yaml)");
    }
    CheckPlacement(r, Residency(r.org));
    if (r.Get("spec.sku") == nullptr) return;
    std::string sku_name(r.Text("spec.sku"));
    const Resource* sku = ValidOrNull(ResourceKey("Sku", "", sku_name));
    if (sku == nullptr) {
      if (Broken(ResourceKey("Sku", "", sku_name))) return;
      Error(r, "spec.sku", "unknown SKU '" + sku_name + "' (no policy/skus/" + sku_name + ".yaml)");
      return;
    }
    if (policy != nullptr && !ListContains(*policy->tree, "spec.allowedSkus", sku_name)) {
      Error(r, "spec.sku", "org " + r.org + " may not use SKU '" + sku_name +
                               "' (allowed: " + ListText(*policy->tree, "spec.allowedSkus") + ")");
    }
    const Node* cku_range = sku->tree->AtPath("spec.cku");
    const Field* cku = r.Get("spec.cku");
    int64_t cku_value = cku != nullptr ? ParseYamlInt(cku->text).value_or(0) : 0;
    if (cku_range == nullptr && cku != nullptr) {
      Error(r, "spec.cku", "SKU '" + sku_name + "' is not sized in CKU; only dedicated clusters set cku");
    }
    if (cku_range != nullptr && !r.IsBad("spec.cku")) {
      int64_t min = IntAt(*cku_range, "min", 1);
      int64_t max = IntAt(*cku_range, "max", 1000);
      if (cku == nullptr) {
        Error(r, "spec", "SKU '" + sku_name + "' needs spec.cku (" + std::to_string(min) + ".." +
                             std::to_string(max) + ")");
      } else if (cku_value < min || cku_value > max) {
        Error(r, "spec.cku", std::to_string(cku_value) + " CKU is outside " + sku_name + "'s range " +
                                 std::to_string(min) + ".." + std::to_string(max));
      }
      int64_t multi_zone_min = IntAt(*sku->tree, "spec.multiZoneMinCku", 2);
      if (r.Get("spec.availability") != nullptr && r.Text("spec.availability") == "multi-zone" &&
          cku != nullptr &&
          cku_value < multi_zone_min) {
        Error(r, "spec.availability", "multi-zone needs at least " + std::to_string(multi_zone_min) +
                                          " CKU; this cluster has " + std::to_string(cku_value));
      }
    }
    if (r.IsBad("spec.network")) return;
    std::string network_type = "public";
    if (const Field* net = r.Get("spec.network"); net != nullptr) {
      const Resource* network = fleet_.Find(ResourceKey("Network", r.org, net->text));
      if (network == nullptr) {
        Error(r, "spec.network", "no Network '" + net->text + "' in org " + r.org +
                                     " (tenants/" + r.org + "/networks/" + net->text + ".yaml)");
        return;
      }
      if (!network->valid) return;  // its own errors are reported on its file
      network_type = std::string(network->Text("spec.type"));
      if (network->Text("spec.cloud") != r.Text("spec.cloud") ||
          network->Text("spec.region") != r.Text("spec.region")) {
        Error(r, "spec.network", "network '" + net->text + "' is in " +
                                     std::string(network->Text("spec.cloud")) + "/" +
                                     std::string(network->Text("spec.region")) + ", the cluster in " +
                                     std::string(r.Text("spec.cloud")) + "/" +
                                     std::string(r.Text("spec.region")));
      }
    }
    if (!ListContains(*sku->tree, "spec.networking", network_type)) {
      std::string why = network_type == "public"
                            ? "SKU '" + sku_name + "' does not allow public networking"
                            : "private networking (" + network_type + ") needs a dedicated SKU; '" +
                                  sku_name + "' allows " + ListText(*sku->tree, "spec.networking");
      Error(r, r.Get("spec.network") != nullptr ? "spec.network" : "spec.sku", why);
    }
    auto& usage = usage_[r.org];
    usage.clusters.push_back(&r);
    usage.cku += cku_value;
  }

  void CheckNetwork(const Resource& r) { CheckPlacement(r, Residency(r.org)); }

  void CheckAttached(const Resource& r) {
    if (r.Get("spec.kafkaCluster") == nullptr) return;
    std::string target(r.Text("spec.kafkaCluster"));
    if (fleet_.Find(ResourceKey("KafkaCluster", r.org, target)) == nullptr) {
      Error(r, "spec.kafkaCluster", "no KafkaCluster '" + target + "' in org " + r.org +
                                        " (tenants/" + r.org + "/kafka/" + target + ".yaml)");
    }
  }

  // The controllers name what they derive from a tenant resource by joining its org and name
  // with "-" (pkc-<org>-<name>, na-<org>-<name>, …), so acme's shop-orders and acme-shop's orders
  // would be one physical cluster downstream, each org reaching the other's. Refused on both.
  void CheckDerivedNames() {
    std::map<std::string, std::vector<const Resource*>> by_joined_name;
    for (const Resource& r : fleet_.resources) {
      if (!r.path_ok || r.org.empty()) continue;
      if (r.kind != "KafkaCluster" && r.kind != "Network" && r.kind != "ConnectCluster" &&
          r.kind != "KsqlCluster") {
        continue;
      }
      by_joined_name[r.kind + "/" + r.org + "-" + r.name].push_back(&r);
    }
    for (const auto& [joined, resources] : by_joined_name) {
      for (const Resource* r : resources) {
        for (const Resource* other : resources) {
          if (other->org == r->org) continue;
          Error(*r, "metadata.name",
                DerivedNameClashMessage(r->kind, r->org, r->name, other->org, other->name));
        }
      }
    }
  }

  void CheckOrgPolicy(const Resource& r) {
    const Node* skus = r.tree->AtPath("spec.allowedSkus");
    if (skus == nullptr) return;
    for (size_t i = 0; i < skus->items().size(); ++i) {
      const Node& sku = skus->items()[i];
      if (fleet_.Find(ResourceKey("Sku", "", sku.text())) == nullptr) {
        ErrorAt(r, &sku, "spec.allowedSkus[" + std::to_string(i) + "]",
                "unknown SKU '" + sku.text() + "'");
      }
    }
  }

  void CheckRollout(const Resource& r) {
    std::set<std::string> names;
    if (const Node* waves = r.tree->AtPath("spec.waves"); waves != nullptr) {
      for (size_t i = 0; i < waves->items().size(); ++i) {
        const Node* name = waves->items()[i].Find("name");
        if (name != nullptr && !names.insert(name->text()).second) {
          ErrorAt(r, name, "spec.waves[" + std::to_string(i) + "].name",
                  "duplicate wave name '" + name->text() + "'");
        }
      }
    }
    if (const Node* approved = r.tree->AtPath("spec.approvedWaves"); approved != nullptr) {
      for (size_t i = 0; i < approved->items().size(); ++i) {
        const Node& wave = approved->items()[i];
        if (names.count(wave.text()) == 0) {
          ErrorAt(r, &wave, "spec.approvedWaves[" + std::to_string(i) + "]",
                  "no wave named '" + wave.text() + "'");
        }
      }
    }
  }

  void CheckQuotas() {
    for (const auto& [org, usage] : usage_) {
      const Resource* policy = OrgPolicyFor(org);
      if (policy == nullptr) continue;
      int64_t max_clusters = IntAt(*policy->tree, "spec.quotas.maxClusters", INT64_MAX);
      int64_t max_cku = IntAt(*policy->tree, "spec.quotas.maxTotalCku", INT64_MAX);
      auto count = static_cast<int64_t>(usage.clusters.size());
      if (count > max_clusters) {
        QuotaError(*policy, "spec.quotas.maxClusters",
                   "org " + org + " has " + std::to_string(count) + " Kafka clusters; its quota is " +
                       std::to_string(max_clusters));
      }
      if (usage.cku > max_cku) {
        QuotaError(*policy, "spec.quotas.maxTotalCku",
                   "org " + org + " uses " + std::to_string(usage.cku) +
                       " CKU in total; its quota is " + std::to_string(max_cku));
      }
    }
  }
  void QuotaError(const Resource& policy, const std::string& field, std::string message) {
    ErrorAt(policy, policy.tree->AtPath(field), field, std::move(message));
  }

  static int64_t IntAt(const Node& root, std::string_view path, int64_t fallback) {
    const Node* n = root.AtPath(path);
    return n != nullptr && n->type() == Node::Type::kInt ? n->as_int() : fallback;
  }
  static bool ListContains(const Node& root, std::string_view path, std::string_view value) {
    const Node* list = root.AtPath(path);
    if (list == nullptr) return false;
    for (const auto& item : list->items()) {
      if (item.text() == value) return true;
    }
    return false;
  }
  static std::string ListText(const Node& root, std::string_view path) {
    std::string out;
    if (const Node* list = root.AtPath(path); list != nullptr) {
      for (const auto& item : list->items()) out += (out.empty() ? "" : ", ") + item.text();
    }
    return out.empty() ? "none" : out;
  }

  struct Usage {
    std::vector<const Resource*> clusters;
    int64_t cku = 0;
  };
  const Fleet& fleet_;
  Diagnostics* out_;
  std::map<std::string, Usage> usage_;
};

}  // namespace

void CheckFleet(const Fleet& fleet, Diagnostics* diagnostics) { Checker(fleet, diagnostics).Run(); }

std::string DerivedNameClashMessage(std::string_view kind, std::string_view org,
                                    std::string_view name, std::string_view other_org,
                                    std::string_view other_name) {
  std::string joined = std::string(org) + "-" + std::string(name);
  return std::string(kind) + " " + std::string(org) + "/" + std::string(name) + " and " +
         std::string(other_org) + "/" + std::string(other_name) + " would share the derived name '" +
         joined + "' (org and name joined by '-'); rename one";
}

}  // namespace strata::specs
