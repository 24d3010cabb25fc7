#include "specs/resource.h"

namespace strata::specs {
namespace {

bool KeepsTree(std::string_view kind) {
  return kind == "Sku" || kind == "OrgPolicy" || kind == "Satellite" || kind == "Rollout";
}

void Flatten(const Node& map, const std::string& prefix, std::vector<Field>* out) {
  for (const auto& e : map.entries()) {
    if (e.value.is_scalar()) out->push_back({prefix + e.key, e.value.text(), e.key_mark});
  }
}

}  // namespace

bool Resource::IsBad(std::string_view path) const {
  for (const auto& bad : bad_fields) {
    if (bad.empty()) return true;  // the whole document
    if (path.substr(0, bad.size()) == bad &&
        (path.size() == bad.size() || path[bad.size()] == '.' || path[bad.size()] == '[')) {
      return true;
    }
  }
  return false;
}

const Field* Resource::Get(std::string_view path) const {
  if (IsBad(path)) return nullptr;
  for (const auto& f : fields) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::string_view Resource::Text(std::string_view path) const {
  const Field* f = Get(path);
  return f != nullptr ? std::string_view(f->text) : std::string_view();
}

std::optional<Resource> LoadResource(std::string_view file, std::string_view bytes,
                                     SchemaValidator* validator, Diagnostics* diagnostics,
                                     bool keep_tree) {
  auto error = [&](Mark m, std::string field, std::string message) {
    diagnostics->push_back({std::string(file), m.line, m.column, std::move(field), std::move(message)});
  };
  Result<PathRule> rule = ClassifyPath(file);
  if (!rule.ok()) {
    error({}, "", rule.status().message());
    return std::nullopt;
  }
  std::optional<YamlDocument> doc = LoadYaml(file, bytes, diagnostics);
  if (!doc.has_value()) return std::nullopt;
  const Node& root = doc->root;
  const Node* kind_node = root.Find("kind");
  if (kind_node == nullptr || kind_node->type() != Node::Type::kString) {
    error(root.mark(), "kind", kind_node == nullptr ? "missing required field 'kind'"
                                                    : "kind must be a string");
    return std::nullopt;
  }
  Resource r;
  r.file = std::string(file);
  r.kind = kind_node->text();
  r.kind_mark = kind_node->mark();
  const KindInfo* info = FindKind(r.kind);
  if (info == nullptr) {
    error(r.kind_mark, "kind", "unknown kind '" + r.kind + "'");
    return std::nullopt;
  }
  size_t before = diagnostics->size();
  bool schema_ok = validator->Validate(file, r.kind, root, diagnostics);
  for (size_t i = before; i < diagnostics->size(); ++i) r.bad_fields.push_back((*diagnostics)[i].field);
  bool valid = true;

  // The path decides the kind, org and name; the document must agree.
  if (!rule->kind.empty() && rule->kind != r.kind) {
    error(r.kind_mark, "kind",
          "a file at " + std::string(file) + " must hold a " + rule->kind + ", not a " + r.kind);
    valid = false;
  } else if (rule->area == Area::kDerived && !info->derived) {
    error(r.kind_mark, "kind", "only derived kinds belong under derived/, not " + r.kind);
    valid = false;
  }
  const Node* metadata = root.Find("metadata");
  if (metadata != nullptr && metadata->is_map()) {
    r.name = std::string(metadata->StringAt("name"));
    r.org = std::string(metadata->StringAt("org"));
    const Node* name_node = metadata->Find("name");
    if (name_node != nullptr && name_node->is_scalar() && r.name != rule->name) {
      error(name_node->mark(), "metadata.name",
            "'" + r.name + "' does not match the file name '" + rule->name + ".yaml'");
      valid = false;
    }
    const Node* org_node = metadata->Find("org");
    if (rule->area == Area::kTenant && org_node != nullptr && org_node->is_scalar() &&
        r.org != rule->org) {
      error(org_node->mark(), "metadata.org",
            "'" + r.org + "' does not match the org directory tenants/" + rule->org + "/");
      valid = false;
    }
    Flatten(*metadata, "metadata.", &r.fields);
  }
  if (rule->area == Area::kTenant && !IsDnsLabel(rule->org)) {
    error({}, "", "org directory '" + rule->org + "' is not a DNS-safe name");
    valid = false;
  }
  if (!IsDnsLabel(rule->name)) {
    error({}, "", "file name '" + rule->name + ".yaml' is not a DNS-safe name");
    valid = false;
  }
  if (rule->area == Area::kPolicy && r.kind == "OrgPolicy") r.org = r.name;
  if (const Node* spec = root.Find("spec"); spec != nullptr && spec->is_map()) {
    Flatten(*spec, "spec.", &r.fields);
  }
  r.key = ResourceKey(r.kind, info->org_scoped ? r.org : "", r.name);
  r.path_ok = valid;
  r.valid = valid && schema_ok;
  if (keep_tree || KeepsTree(r.kind)) r.tree = std::make_shared<const Node>(std::move(doc->root));
  return r;
}

}  // namespace strata::specs
