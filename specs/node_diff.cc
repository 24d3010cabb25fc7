#include "specs/node_diff.h"

#include <map>

namespace strata::specs {
namespace {

bool IsScalarList(const Node& node) {
  if (!node.is_sequence()) return false;
  for (const Node& item : node.items()) {
    if (!item.is_scalar()) return false;
  }
  return true;
}

bool Ignored(const std::string& path, const std::vector<std::string>& ignore) {
  for (const std::string& prefix : ignore) {
    if (path == prefix ||
        (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         (path[prefix.size()] == '.' || path[prefix.size()] == '['))) {
      return true;
    }
  }
  return false;
}

// Leaf values by field path, in document order.
void Flatten(const Node& node, const std::string& path, std::vector<std::string>* order,
             std::map<std::string, std::string>* values) {
  if (node.is_map()) {
    for (const Node::Entry& e : node.entries()) {
      Flatten(e.value, path.empty() ? e.key : path + "." + e.key, order, values);
    }
    if (node.entries().empty() && !path.empty()) {
      order->push_back(path);
      (*values)[path] = "{}";
    }
    return;
  }
  if (node.is_sequence() && !IsScalarList(node)) {
    for (size_t i = 0; i < node.items().size(); ++i) {
      Flatten(node.items()[i], path + "[" + std::to_string(i) + "]", order, values);
    }
    return;
  }
  order->push_back(path);
  (*values)[path] = RenderValue(node);
}

}  // namespace

std::string RenderValue(const Node& node) {
  if (node.is_sequence()) {
    std::string out = "[";
    for (size_t i = 0; i < node.items().size(); ++i) {
      if (i > 0) out += ", ";
      out += RenderValue(node.items()[i]);
    }
    return out + "]";
  }
  if (node.is_map()) return node.entries().empty() ? "{}" : "{…}";
  if (node.type() == Node::Type::kNull) return "null";
  return node.text();
}

std::vector<FieldChange> DiffNodes(const Node* before, const Node* after,
                                   const std::vector<std::string>& ignore) {
  std::vector<std::string> before_order, after_order;
  std::map<std::string, std::string> before_values, after_values;
  if (before != nullptr) Flatten(*before, "", &before_order, &before_values);
  if (after != nullptr) Flatten(*after, "", &after_order, &after_values);
  std::vector<FieldChange> changes;
  for (const std::string& path : after_order) {
    if (Ignored(path, ignore)) continue;
    auto old = before_values.find(path);
    if (old != before_values.end() && old->second == after_values[path]) continue;
    FieldChange c{path, std::nullopt, after_values[path]};
    if (old != before_values.end()) c.before = old->second;
    changes.push_back(std::move(c));
  }
  for (const std::string& path : before_order) {
    if (Ignored(path, ignore) || after_values.count(path) != 0) continue;
    changes.push_back({path, before_values[path], std::nullopt});
  }
  return changes;
}

std::string FormatFieldChange(const FieldChange& change) {
  return change.path + ": " + change.before.value_or("(none)") + " → " +
         change.after.value_or("(none)");
}

}  // namespace strata::specs
