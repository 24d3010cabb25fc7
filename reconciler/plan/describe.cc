#include "reconciler/plan/describe.h"

#include <map>

#include "specs/yaml_loader.h"

namespace strata::plan {
namespace {

std::optional<specs::Node> Parse(const std::string& path, const std::optional<std::string>& bytes) {
  if (!bytes.has_value()) return std::nullopt;
  specs::Diagnostics ignored;
  std::optional<specs::YamlDocument> doc = specs::LoadYaml(path, *bytes, &ignored);
  if (!doc.has_value()) return std::nullopt;
  return std::move(doc->root);
}

std::string Text(const specs::Node* doc, std::string_view field) {
  if (doc == nullptr) return "";
  const specs::Node* node = doc->AtPath(field);
  return node != nullptr && node->is_scalar() ? node->text() : "";
}

int64_t Int(const specs::Node* doc, std::string_view field) {
  if (doc == nullptr) return 0;
  const specs::Node* node = doc->AtPath(field);
  return node != nullptr ? node->as_int() : 0;
}

size_t Count(const specs::Node* doc, std::string_view field) {
  if (doc == nullptr) return 0;
  const specs::Node* node = doc->AtPath(field);
  return node != nullptr && node->is_sequence() ? node->items().size() : 0;
}

std::string Where(const specs::Node* doc) {
  return Text(doc, "spec.cloud") + "/" + Text(doc, "spec.region");
}

std::string Plural(int64_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// "pool name" → nodes, for a K8sCluster.
std::map<std::string, int64_t> NodePools(const specs::Node* doc) {
  std::map<std::string, int64_t> pools;
  const specs::Node* list = doc != nullptr ? doc->AtPath("spec.nodePools") : nullptr;
  if (list == nullptr || !list->is_sequence()) return pools;
  for (const specs::Node& pool : list->items()) {
    pools[std::string(pool.StringAt("name"))] =
        pool.Find("nodes") ? pool.Find("nodes")->as_int() : 0;
  }
  return pools;
}

std::string DescribeKafka(PlannedChange::Action action, const std::string& name,
                          const specs::Node* before, const specs::Node* after) {
  using Action = PlannedChange::Action;
  if (action == Action::kCreate) {
    std::string out = "new physical Kafka cluster " + name + " in " + Where(after) + ": " +
                      Plural(Int(after, "spec.brokers"), "broker") + ", " +
                      Text(after, "spec.tenancy");
    if (Text(after, "spec.tenancy") == "dedicated")
      out += " to " + Text(after, "spec.tenants[0].key");
    return out;
  }
  if (action == Action::kDelete) {
    return "physical Kafka cluster " + name + " in " + Where(before) + " removed (" +
           Plural(Int(before, "spec.brokers"), "broker") + ")";
  }
  std::vector<std::string> parts;
  int64_t was = Int(before, "spec.brokers"), now = Int(after, "spec.brokers");
  if (was != now) {
    parts.push_back((now > was ? "+" : "-") + Plural(now > was ? now - was : was - now, "broker") +
                    " on " + name + " (" + std::to_string(was) + " → " + std::to_string(now) + ")");
  }
  size_t tenants_was = Count(before, "spec.tenants"), tenants_now = Count(after, "spec.tenants");
  if (tenants_was != tenants_now) {
    parts.push_back(name + ": tenants " + std::to_string(tenants_was) + " → " +
                    std::to_string(tenants_now));
  }
  if (Text(before, "spec.kafkaVersion") != Text(after, "spec.kafkaVersion")) {
    parts.push_back(name + ": Kafka " + Text(before, "spec.kafkaVersion") + " → " +
                    Text(after, "spec.kafkaVersion"));
  }
  return Join(parts);
}

std::string DescribeK8s(PlannedChange::Action action, const std::string& name,
                        const specs::Node* before, const specs::Node* after) {
  using Action = PlannedChange::Action;
  if (action == Action::kCreate) {
    std::string dedicated = Text(after, "spec.dedicatedTo");
    int64_t nodes = 0;
    for (const auto& [pool, n] : NodePools(after)) nodes += n;
    return "new Kubernetes cluster " + name + " in " + Where(after) +
           (dedicated.empty() ? "" : " dedicated to " + dedicated) + " (" + Plural(nodes, "node") +
           ")";
  }
  if (action == Action::kDelete) {
    return "Kubernetes cluster " + name + " in " + Where(before) + " removed";
  }
  std::vector<std::string> parts;
  std::map<std::string, int64_t> was = NodePools(before), now = NodePools(after);
  for (const auto& [pool, nodes] : now) {
    auto old = was.find(pool);
    if (old == was.end()) {
      parts.push_back("new node pool " + pool + " in " + Where(after) + " with " +
                      Plural(nodes, "node"));
    } else if (old->second != nodes) {
      parts.push_back("node pool " + pool + " in " + Where(after) + " " +
                      std::to_string(old->second) + " → " + Plural(nodes, "node"));
    }
  }
  for (const auto& [pool, nodes] : was) {
    if (now.count(pool) == 0)
      parts.push_back("node pool " + pool + " in " + Where(before) + " removed");
  }
  size_t workloads_was = Count(before, "spec.workloads"),
         workloads_now = Count(after, "spec.workloads");
  if (workloads_was != workloads_now) {
    parts.push_back(name + ": workloads " + std::to_string(workloads_was) + " → " +
                    std::to_string(workloads_now));
  }
  return Join(parts);
}

std::string DescribeSliceEntry(PlannedChange::Action action, const std::string& path,
                               const specs::Node* before, const specs::Node* after) {
  const specs::Node* doc = after != nullptr ? after : before;
  std::string what =
      Text(doc, "spec.resource.kind") + " " + Text(doc, "spec.resource.metadata.name");
  if (what == " ") what = path;
  std::string k8s = Text(doc, "spec.k8sCluster");
  switch (action) {
    case PlannedChange::Action::kCreate:
      return "apply " + what + " on " + k8s;
    case PlannedChange::Action::kDelete:
      return "remove " + what + " from " + k8s;
    case PlannedChange::Action::kUpdate:
      break;
  }
  return "update " + what + " on " + k8s;
}

}  // namespace

PlannedChange Describe(const std::string& path, const std::optional<std::string>& before_bytes,
                       const std::optional<std::string>& after_bytes) {
  using Action = PlannedChange::Action;
  PlannedChange change;
  change.path = path;
  change.action = !before_bytes.has_value()  ? Action::kCreate
                  : !after_bytes.has_value() ? Action::kDelete
                                             : Action::kUpdate;
  std::optional<specs::Node> before = Parse(path, before_bytes);
  std::optional<specs::Node> after = Parse(path, after_bytes);
  const specs::Node* b = before.has_value() ? &*before : nullptr;
  const specs::Node* a = after.has_value() ? &*after : nullptr;
  const specs::Node* doc = a != nullptr ? a : b;
  change.kind = Text(doc, "kind");
  change.name = Text(doc, "metadata.name");
  change.fields = specs::DiffNodes(b, a, {"metadata.annotations"});
  std::string name = change.name.empty() ? path : change.name;
  if (change.kind == "PhysicalKafkaCluster") {
    change.summary = DescribeKafka(change.action, name, b, a);
  } else if (change.kind == "K8sCluster") {
    change.summary = DescribeK8s(change.action, name, b, a);
  } else if (change.kind == "SliceEntry") {
    change.summary = DescribeSliceEntry(change.action, path, b, a);
  }
  if (change.summary.empty()) {
    std::string what = (change.kind.empty() ? "file" : change.kind) + " " + name;
    switch (change.action) {
      case Action::kCreate:
        change.summary = "new " + what;
        break;
      case Action::kDelete:
        change.summary = what + " removed";
        break;
      case Action::kUpdate:
        change.summary =
            change.fields.empty()
                ? what + " rewritten"
                : what + ": " + specs::FormatFieldChange(change.fields.front()) +
                      (change.fields.size() > 1
                           ? " (+" + std::to_string(change.fields.size() - 1) + " more)"
                           : "");
        break;
    }
  }
  return change;
}

}  // namespace strata::plan
