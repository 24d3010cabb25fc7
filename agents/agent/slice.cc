#include "agents/agent/slice.h"

#include "specs/yaml_loader.h"

namespace strata::agent {
namespace {

nlohmann::json ToJson(const specs::Node& node) {
  switch (node.type()) {
    case specs::Node::Type::kNull:
      return nullptr;
    case specs::Node::Type::kBool:
      return node.as_bool();
    case specs::Node::Type::kInt:
      return node.as_int();
    case specs::Node::Type::kFloat:
      return std::stod(node.text());
    case specs::Node::Type::kString:
      return node.text();
    case specs::Node::Type::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& entry : node.entries()) out[entry.key] = ToJson(entry.value);
      return out;
    }
    case specs::Node::Type::kSequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node.items()) out.push_back(ToJson(item));
      return out;
    }
  }
  return nullptr;
}

Status FieldProblem(const std::string& entry, const specs::Node* at, const std::string& field,
                    const std::string& what) {
  std::string where = entry;
  if (at != nullptr) where += ":" + std::to_string(at->mark().line);
  return Status::InvalidArgument(where + ": " + field + ": " + what);
}

std::string StringOr(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

const nlohmann::json& SliceResource::spec() const {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto it = resource.find("spec");
  return it != resource.end() && it->is_object() ? *it : kEmpty;
}

std::string SliceResource::Manifest() const { return resource.dump(2) + "\n"; }

Result<SliceResource> ParseSliceEntry(const std::string& entry, std::string_view bytes,
                                      const git_oid& blob) {
  specs::Diagnostics diagnostics;
  std::optional<specs::YamlDocument> doc = specs::LoadYaml(entry, bytes, &diagnostics);
  if (!doc.has_value()) {
    if (diagnostics.empty()) return Status::InvalidArgument(entry + ": unreadable");
    return Status::InvalidArgument(diagnostics.front().ToString());
  }
  const specs::Node& root = doc->root;
  if (root.StringAt("kind") != "SliceEntry") {
    return FieldProblem(entry, root.Find("kind"), "kind", "a slice holds SliceEntry documents");
  }
  const specs::Node* resource = root.AtPath("spec.resource");
  if (resource == nullptr || !resource->is_map()) {
    return FieldProblem(entry, root.AtPath("spec"), "spec.resource", "missing or not a map");
  }
  SliceResource out;
  out.entry = entry;
  out.resource = ToJson(*resource);
  out.kind = StringOr(out.resource, "kind");
  out.name = out.resource.contains("metadata") ? StringOr(out.resource["metadata"], "name") : "";
  if (out.kind.empty()) return FieldProblem(entry, resource, "spec.resource.kind", "missing");
  if (out.name.empty()) return FieldProblem(entry, resource, "spec.resource.metadata.name", "missing");
  out.key = out.kind + "/" + out.name;
  out.k8s_cluster = std::string(root.AtPath("spec.k8sCluster") ? root.AtPath("spec.k8sCluster")->text() : "");
  out.source = std::string(root.AtPath("spec.source") ? root.AtPath("spec.source")->text() : "");
  if (const auto* annotations = resource->AtPath("metadata.annotations")) {
    out.computed_at = std::string(annotations->StringAt("strata.dev/computed-at"));
    out.release = std::string(annotations->StringAt("strata.dev/release"));
  }
  out.revision = OidToHex(blob);
  return out;
}

Result<std::vector<SliceChange>> DiffSlices(const Repository& repo, const git_oid& old_tree,
                                            const git_oid& new_tree,
                                            std::vector<std::pair<std::string, Status>>* invalid) {
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changed, repo.DiffTrees(old_tree, new_tree));
  std::vector<SliceChange> out;
  out.reserve(changed.size());
  for (const ChangedFile& file : changed) {
    SliceChange change{file.path, std::nullopt};
    if (!file.deleted()) {
      ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(file.new_oid));
      Result<SliceResource> parsed = ParseSliceEntry(file.path, bytes, file.new_oid);
      if (!parsed.ok()) {
        if (invalid != nullptr) invalid->emplace_back(file.path, parsed.status());
        continue;
      }
      change.resource = std::move(*parsed);
    }
    out.push_back(std::move(change));
  }
  return out;
}

}  // namespace strata::agent
