// SchemaSet: the JSON Schema of every kind (schema/v1alpha1/*.json, built into the binary),
// parsed once and shared read-only by every thread. SchemaValidator checks one document against
// its kind's schema and turns each failure into a Diagnostic at the line and column of the field.
// A SchemaValidator is not thread-safe (it caches compiled regexes): make one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "specs/diagnostic.h"
#include "specs/node.h"

namespace valijson {
class Schema;
class Validator;
}  // namespace valijson

namespace strata::specs {

class SchemaSet {
 public:
  ~SchemaSet();
  // Parses every embedded schema. kInternal when one is not valid JSON or not a schema.
  static Result<std::shared_ptr<const SchemaSet>> LoadEmbedded();

  const valijson::Schema* Compiled(std::string_view kind) const;
  // The raw schema of `kind` ("KafkaCluster"), or nullptr for an unknown kind.
  const nlohmann::ordered_json* Raw(std::string_view kind) const;
  // The sub-schema that governs `step` inside `schema` (a property name, or an index of a list),
  // following "$ref": "#/definitions/…". nullptr when the schema says nothing about it.
  const nlohmann::ordered_json* Child(std::string_view kind, const nlohmann::ordered_json& schema,
                                      std::string_view step, bool is_index) const;

 private:
  struct Entry;
  SchemaSet() = default;
  const Entry* FindEntry(std::string_view kind) const;
  std::vector<std::unique_ptr<Entry>> entries_;
};

class SchemaValidator {
 public:
  explicit SchemaValidator(std::shared_ptr<const SchemaSet> schemas);
  ~SchemaValidator();
  SchemaValidator(const SchemaValidator&) = delete;
  SchemaValidator& operator=(const SchemaValidator&) = delete;

  // Appends one Diagnostic per schema violation of `root` (a document of kind `kind`).
  // Returns false when there was any.
  bool Validate(std::string_view file, std::string_view kind, const Node& root,
                Diagnostics* diagnostics);

 private:
  std::shared_ptr<const SchemaSet> schemas_;
  std::unique_ptr<valijson::Validator> validator_;
};

// The document as JSON, typed as the YAML 1.2 core schema reads it. Strings longer than
// `max_string` bytes are cut to that length.
nlohmann::json ToJson(const Node& node, size_t max_string = SIZE_MAX);

// valijson matches "pattern" with std::regex, which recurses once per character: the validator
// hands it strings cut to this length. Every patterned field of the schemas has a maxLength
// below it, so a longer value still fails, on its length.
inline constexpr size_t kMaxPatternInput = 512;

}  // namespace strata::specs
