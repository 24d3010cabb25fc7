#include "specs/schema_set.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <cstdlib>

#include "specs/embedded.h"
#include "specs/kinds.h"

namespace strata::specs {

struct SchemaSet::Entry {
  std::string kind;
  nlohmann::ordered_json raw;
  valijson::Schema compiled;
};

SchemaSet::~SchemaSet() = default;

Result<std::shared_ptr<const SchemaSet>> SchemaSet::LoadEmbedded() {
  std::shared_ptr<SchemaSet> set(new SchemaSet());
  for (const KindInfo& kind : AllKinds()) {
    std::string path = "v1alpha1/" + std::string(kind.schema) + ".json";
    const EmbeddedFile* file = nullptr;
    for (const auto& f : EmbeddedSchemas()) {
      if (f.path == path) file = &f;
    }
    if (file == nullptr) return Status::Internal("no schema built in for " + std::string(kind.name));
    auto entry = std::make_unique<Entry>();
    entry->kind = std::string(kind.name);
    try {
      entry->raw = nlohmann::ordered_json::parse(file->content);
      nlohmann::json plain = nlohmann::json::parse(file->content);
      valijson::SchemaParser parser;
      valijson::adapters::NlohmannJsonAdapter adapter(plain);
      parser.populateSchema(adapter, entry->compiled);
    } catch (const std::exception& e) {
      return Status::Internal("schema " + path + ": " + e.what());
    }
    set->entries_.push_back(std::move(entry));
  }
  return std::shared_ptr<const SchemaSet>(std::move(set));
}

const SchemaSet::Entry* SchemaSet::FindEntry(std::string_view kind) const {
  for (const auto& e : entries_) {
    if (e->kind == kind) return e.get();
  }
  return nullptr;
}

const valijson::Schema* SchemaSet::Compiled(std::string_view kind) const {
  const Entry* e = FindEntry(kind);
  return e != nullptr ? &e->compiled : nullptr;
}

const nlohmann::ordered_json* SchemaSet::Raw(std::string_view kind) const {
  const Entry* e = FindEntry(kind);
  return e != nullptr ? &e->raw : nullptr;
}

const nlohmann::ordered_json* SchemaSet::Child(std::string_view kind,
                                               const nlohmann::ordered_json& schema,
                                               std::string_view step, bool is_index) const {
  const nlohmann::ordered_json* root = Raw(kind);
  auto resolve = [&](const nlohmann::ordered_json* s) -> const nlohmann::ordered_json* {
    for (int hops = 0; s != nullptr && s->is_object() && s->contains("$ref") && hops < 8; ++hops) {
      std::string ref = (*s)["$ref"].get<std::string>();
      const std::string prefix = "#/definitions/";
      if (root == nullptr || ref.rfind(prefix, 0) != 0) return nullptr;
      const auto& defs = (*root)["definitions"];
      auto it = defs.find(ref.substr(prefix.size()));
      s = it == defs.end() ? nullptr : &*it;
    }
    return s;
  };
  const nlohmann::ordered_json* s = resolve(&schema);
  if (s == nullptr || !s->is_object()) return nullptr;
  if (is_index) {
    auto it = s->find("items");
    return it == s->end() ? nullptr : resolve(&*it);
  }
  if (auto props = s->find("properties"); props != s->end()) {
    if (auto it = props->find(std::string(step)); it != props->end()) return resolve(&*it);
  }
  if (auto extra = s->find("additionalProperties"); extra != s->end() && extra->is_object()) {
    return resolve(&*extra);
  }
  return nullptr;
}

nlohmann::json ToJson(const Node& node, size_t max_string) {
  switch (node.type()) {
    case Node::Type::kNull: return nullptr;
    case Node::Type::kBool: return node.as_bool();
    case Node::Type::kInt: return node.as_int();
    case Node::Type::kFloat: return std::strtod(node.text().c_str(), nullptr);
    case Node::Type::kString:
      return node.text().size() > max_string ? node.text().substr(0, max_string) : node.text();
    case Node::Type::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& e : node.entries()) out[e.key] = ToJson(e.value, max_string);
      return out;
    }
    case Node::Type::kSequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node.items()) out.push_back(ToJson(item, max_string));
      return out;
    }
  }
  return nullptr;
}

namespace {

std::string_view TypeName(const Node& n) {
  switch (n.type()) {
    case Node::Type::kNull: return "null";
    case Node::Type::kBool: return "boolean";
    case Node::Type::kInt: return "integer";
    case Node::Type::kFloat: return "number";
    case Node::Type::kString: return "string";
    case Node::Type::kMap: return "map";
    case Node::Type::kSequence: return "list";
  }
  return "?";
}

// Where a valijson error points: the field path, the node, and the schema there.
struct Located {
  std::string field;
  const Node* node = nullptr;
  Mark mark;
  const nlohmann::ordered_json* schema = nullptr;
};

Located Locate(const SchemaSet& set, std::string_view kind, const Node& root,
               const std::vector<std::string>& context) {
  Located at{"", &root, root.mark(), set.Raw(kind)};
  for (const std::string& raw_step : context) {
    if (raw_step == "<root>" || raw_step.size() < 2) continue;
    std::string step = raw_step.substr(1, raw_step.size() - 2);  // "[spec]" → "spec"
    const Node* next = nullptr;
    bool is_index = at.node != nullptr && at.node->is_sequence();
    if (is_index) {
      size_t index = std::strtoul(step.c_str(), nullptr, 10);
      if (index < at.node->items().size()) next = &at.node->items()[index];
      at.field += "[" + step + "]";
    } else {
      if (!at.field.empty()) at.field += ".";
      at.field += step;
      if (at.node != nullptr) {
        for (const auto& e : at.node->entries()) {
          if (e.key == step) {
            next = &e.value;
            at.mark = e.key_mark;
          }
        }
      }
    }
    if (at.schema != nullptr) at.schema = set.Child(kind, *at.schema, step, is_index);
    at.node = next;
    if (next != nullptr && is_index) at.mark = next->mark();
  }
  return at;
}

std::string Allowed(const nlohmann::ordered_json& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

// What a schema accepts, in words: "integer", or "integer or string matching ^[0-9]{1,3}%$".
std::string Expected(const nlohmann::ordered_json* s) {
  if (s == nullptr) return "another type";
  std::string out;
  if (s->contains("type")) {
    out = (*s)["type"].is_string() ? (*s)["type"].get<std::string>() : (*s)["type"].dump();
    if (s->contains("pattern")) out += " matching " + (*s)["pattern"].get<std::string>();
    return out;
  }
  for (const char* alternatives : {"anyOf", "oneOf"}) {
    if (!s->contains(alternatives)) continue;
    for (const auto& branch : (*s)[alternatives]) {
      if (!out.empty()) out += " or ";
      out += Expected(&branch);
    }
    return out;
  }
  return "another type";
}

// Rewrites valijson's descriptions into messages a person acts on.
std::string Explain(const Located& at, const std::string& description) {
  const nlohmann::ordered_json* s = at.schema;
  std::string value = at.node != nullptr && at.node->is_scalar() ? at.node->text() : "";
  if (description.find("'type' constraint") != std::string::npos && at.node != nullptr) {
    return "wrong type: expected " + Expected(s) + ", got " + std::string(TypeName(*at.node)) +
           (at.node->is_scalar() ? " '" + value + "'" : "");
  }
  if (description.find("regex") != std::string::npos ||
      description.find("regular expression") != std::string::npos) {
    return "'" + value + "' is not " + Expected(s);
  }
  if (description.find("no fewer than") != std::string::npos) {
    return "must not be empty";
  }
  if (description.find("enum values") != std::string::npos && s != nullptr && s->contains("enum")) {
    return "'" + (at.node != nullptr ? at.node->text() : "") + "' is not one of: " +
           Allowed((*s)["enum"]);
  }
  if (description.find("'const'") != std::string::npos && s != nullptr && s->contains("const")) {
    return "must be " + (*s)["const"].dump();
  }
  if (s != nullptr && at.node != nullptr && at.node->type() == Node::Type::kInt) {
    if (description.find("greater than or equal") != std::string::npos && s->contains("minimum")) {
      return at.node->text() + " is below the minimum of " + (*s)["minimum"].dump();
    }
    if (description.find("less than or equal") != std::string::npos && s->contains("maximum")) {
      return at.node->text() + " is above the maximum of " + (*s)["maximum"].dump();
    }
  }
  return description;
}

}  // namespace

SchemaValidator::SchemaValidator(std::shared_ptr<const SchemaSet> schemas)
    : schemas_(std::move(schemas)),
      validator_(std::make_unique<valijson::Validator>(valijson::Validator::kStrongTypes)) {}

SchemaValidator::~SchemaValidator() = default;

bool SchemaValidator::Validate(std::string_view file, std::string_view kind, const Node& root,
                               Diagnostics* diagnostics) {
  const valijson::Schema* schema = schemas_->Compiled(kind);
  if (schema == nullptr) {
    const Node* kind_node = root.Find("kind");
    Mark m = kind_node != nullptr ? kind_node->mark() : root.mark();
    diagnostics->push_back({std::string(file), m.line, m.column, "kind",
                            "unknown kind '" + std::string(kind) + "'"});
    return false;
  }
  nlohmann::json document = ToJson(root, kMaxPatternInput);
  valijson::adapters::NlohmannJsonAdapter target(document);
  valijson::ValidationResults results;
  if (validator_->validate(*schema, target, &results)) return true;

  std::vector<valijson::ValidationResults::Error> errors(results.begin(), results.end());
  bool any = false;
  std::vector<std::string> fields_reported;
  for (const auto& error : errors) {
    // valijson also reports each failure at every level above it ("Failed to validate …"):
    // those summaries repeat an error that is reported in full at its own field.
    const std::string& d = error.description;
    if (d.rfind("Failed to validate", 0) == 0 || d.find("'then'") != std::string::npos ||
        d.find("'else'") != std::string::npos || d.find("child schema") != std::string::npos) {
      continue;  // summaries of a failure reported in full elsewhere
    }
    Located at = Locate(*schemas_, kind, root, error.context);
    std::string field = at.field;
    std::string message;
    const std::string kUnknown = "could not be validated using 'properties' or 'additionalProperties'";
    if (size_t pos = d.find(kUnknown); pos != std::string::npos) {
      size_t open = d.find('\'', pos + kUnknown.size());
      size_t close = open == std::string::npos ? open : d.find('\'', open + 1);
      std::string name = close == std::string::npos ? "?" : d.substr(open + 1, close - open - 1);
      field = field.empty() ? name : field + "." + name;
      if (at.node != nullptr) {
        for (const auto& e : at.node->entries()) {
          if (e.key == name) at.mark = e.key_mark;
        }
      }
      message = "unknown field '" + name + "'";
    } else if (d.rfind("Missing required property", 0) == 0) {
      message = d;
      if (!message.empty() && message.back() == '.') message.pop_back();
      message[0] = 'm';
    } else {
      message = Explain(at, d);
      if (!message.empty() && message.back() == '.') message.pop_back();
    }
    // A value that fails several alternatives (anyOf/oneOf) is reported once, not once per
    // alternative; distinct problems of one field (two missing properties) are all reported.
    bool alternatives = at.schema != nullptr &&
                        (at.schema->contains("anyOf") || at.schema->contains("oneOf"));
    std::string seen = alternatives ? field : field + "\n" + message;
    if (std::find(fields_reported.begin(), fields_reported.end(), seen) != fields_reported.end()) {
      continue;
    }
    fields_reported.push_back(seen);
    diagnostics->push_back({std::string(file), at.mark.line, at.mark.column, field, message});
    any = true;
  }
  if (!any) {
    diagnostics->push_back({std::string(file), root.mark().line, root.mark().column, "",
                            "does not match the " + std::string(kind) + " schema"});
  }
  return false;
}

}  // namespace strata::specs
