// Node: a YAML document as strata reads it — maps, sequences and scalars, each with the line and
// column where it starts, map keys in file order with their own positions. Scalars are typed by
// the YAML 1.2 core schema (what js-yaml's CORE_SCHEMA and the JSON Schema tools agree on):
// a plain `4` is an integer, `true` a boolean, `null`/`~`/nothing is null, anything quoted is a
// string. A Node owns its children; it is a value type, safe to share read-only across threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::specs {

struct Mark {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

class Node {
 public:
  enum class Type { kNull, kBool, kInt, kFloat, kString, kMap, kSequence };
  struct Entry;

  Node() = default;
  static Node Scalar(std::string text, bool quoted, Mark mark);
  static Node String(std::string text, Mark mark = {});
  static Node Int(int64_t value, Mark mark = {});
  static Node Map(Mark mark = {});
  static Node Sequence(Mark mark = {});

  Type type() const { return type_; }
  Mark mark() const { return mark_; }
  bool is_map() const { return type_ == Type::kMap; }
  bool is_sequence() const { return type_ == Type::kSequence; }
  bool is_scalar() const { return type_ != Type::kMap && type_ != Type::kSequence; }

  // The scalar's text as written (for kInt, the digits as written; for kString, the value).
  const std::string& text() const { return text_; }
  bool as_bool() const { return text_ == "true" || text_ == "True" || text_ == "TRUE"; }
  int64_t as_int() const;  // 0 when not an integer

  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }
  const std::vector<Node>& items() const { return items_; }
  std::vector<Node>& items() { return items_; }

  // Map lookup; nullptr when absent or when this is not a map.
  const Node* Find(std::string_view key) const;
  // The string value of map[key] when it is a scalar, else "".
  std::string_view StringAt(std::string_view key) const;
  void Set(std::string key, Node value);  // appends or replaces, keeps order

  // Follows a field path like "spec.waves[1].soak"; nullptr when any step is missing.
  const Node* AtPath(std::string_view path) const;

  size_t CountNodes() const;  // this node and all below it

 private:
  Type type_ = Type::kNull;
  Mark mark_;
  std::string text_;
  std::vector<Entry> entries_;
  std::vector<Node> items_;
};

struct Node::Entry {
  std::string key;
  Mark key_mark;
  Node value;
};

// The value of a YAML 1.2 core integer ("42", "-7", "0x1F", "0o17"); nullopt when it is not one
// or does not fit in 64 bits. (The loader refuses integers that do not fit, so as_int() is exact.)
std::optional<int64_t> ParseYamlInt(std::string_view text);

// YAML 1.2 core schema resolution of a plain scalar.
Node::Type ResolvePlainScalar(std::string_view text);

}  // namespace strata::specs
