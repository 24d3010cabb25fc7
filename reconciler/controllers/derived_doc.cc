#include "reconciler/controllers/derived_doc.h"

#include <cstdio>

#include "reconciler/controller/output_batch.h"
#include "specs/kinds.h"

namespace strata::controllers {

std::string DerivedName(const std::vector<std::string_view>& parts) {
  std::string name;
  for (std::string_view part : parts) {
    if (part.empty()) continue;
    if (!name.empty()) name += '-';
    name += part;
  }
  if (name.size() <= 63) return name;
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char tag[10];
  std::snprintf(tag, sizeof tag, "%08x", static_cast<unsigned>(hash & 0xffffffffU));
  std::string head = name.substr(0, 54);
  while (!head.empty() && head.back() == '-') head.pop_back();
  return head + "-" + tag;
}

std::string StemOf(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view file = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (file.size() > 5 && file.substr(file.size() - 5) == ".yaml") file.remove_suffix(5);
  return std::string(file);
}

specs::Node DerivedDoc(std::string_view kind, std::string_view name,
                       const std::vector<std::string>& sources) {
  specs::Node doc = specs::Node::Map();
  doc.Set("apiVersion", specs::Node::String(std::string(specs::kApiVersion)));
  doc.Set("kind", specs::Node::String(std::string(kind)));
  specs::Node metadata = specs::Node::Map();
  metadata.Set("name", specs::Node::String(std::string(name)));
  specs::Node annotations = specs::Node::Map();
  std::string joined;
  for (const std::string& s : sources) joined += (joined.empty() ? "" : ",") + s;
  annotations.Set(std::string(controller::kSources), specs::Node::String(joined));
  metadata.Set("annotations", std::move(annotations));
  doc.Set("metadata", std::move(metadata));
  doc.Set("spec", specs::Node::Map());
  return doc;
}

specs::Node* SpecOf(specs::Node& doc) {
  for (auto& e : doc.entries()) {
    if (e.key == "spec") return &e.value;
  }
  return nullptr;
}

namespace {
specs::Node* MetadataOf(specs::Node& doc) {
  for (auto& e : doc.entries()) {
    if (e.key == "metadata") return &e.value;
  }
  return nullptr;
}
}  // namespace

void SetAnnotation(specs::Node& doc, const std::string& key, const std::string& value) {
  specs::Node* metadata = MetadataOf(doc);
  for (auto& e : metadata->entries()) {
    if (e.key == "annotations") e.value.Set(key, specs::Node::String(value));
  }
}

void SetLabels(specs::Node& doc, const specs::Node& labels) {
  if (!labels.is_map() || labels.entries().empty()) return;
  MetadataOf(doc)->Set("labels", labels);
}

specs::Node StringList(const std::vector<std::string>& values) {
  specs::Node list = specs::Node::Sequence();
  for (const std::string& v : values) list.items().push_back(specs::Node::String(v));
  return list;
}

std::vector<std::string> StringsAt(const specs::Node* list) {
  std::vector<std::string> out;
  if (list == nullptr || !list->is_sequence()) return out;
  for (const specs::Node& item : list->items()) {
    if (item.is_scalar()) out.push_back(item.text());
  }
  return out;
}

int64_t IntAt(const specs::Node& map, std::string_view key, int64_t otherwise) {
  const specs::Node* n = map.Find(key);
  if (n == nullptr || n->type() != specs::Node::Type::kInt) return otherwise;
  return n->as_int();
}

std::vector<EventError> ToEventErrors(const specs::Diagnostics& diagnostics) {
  std::vector<EventError> errors;
  for (const specs::Diagnostic& d : diagnostics) {
    errors.push_back({d.file, d.line, d.column, d.field, d.message});
  }
  return errors;
}

EventError FieldError(const std::string& file, const specs::Node* at, std::string field,
                      std::string message) {
  EventError e;
  e.file = file;
  if (at != nullptr) {
    e.line = at->mark().line;
    e.column = at->mark().column;
  }
  e.field = std::move(field);
  e.message = std::move(message);
  return e;
}

}  // namespace strata::controllers
