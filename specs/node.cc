#include "specs/node.h"

#include <cctype>
#include <charconv>

namespace strata::specs {
namespace {

bool IsDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 8    ? (c >= '0' && c <= '7')
              : base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                           : (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// YAML 1.2 core float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, or ±.inf / .nan.
// Scanned by hand: std::regex recurses per character and a long scalar would overflow the stack.
bool IsCoreFloat(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::string_view rest = s.substr(i);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") return true;
  size_t int_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

}  // namespace

Node::Type ResolvePlainScalar(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Node::Type::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
    return Node::Type::kBool;
  }
  std::string_view body = s;
  if (body[0] == '-' || body[0] == '+') body.remove_prefix(1);
  if (IsDigits(body, 10)) return Node::Type::kInt;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && IsDigits(s.substr(2), 8)) return Node::Type::kInt;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && IsDigits(s.substr(2), 16)) {
    return Node::Type::kInt;
  }
  if (IsCoreFloat(s)) return Node::Type::kFloat;
  return Node::Type::kString;
}

Node Node::Scalar(std::string text, bool quoted, Mark mark) {
  Node n;
  n.type_ = quoted ? Type::kString : ResolvePlainScalar(text);
  n.text_ = std::move(text);
  n.mark_ = mark;
  return n;
}

Node Node::String(std::string text, Mark mark) {
  Node n;
  n.type_ = Type::kString;
  n.text_ = std::move(text);
  n.mark_ = mark;
  return n;
}

Node Node::Int(int64_t value, Mark mark) {
  Node n;
  n.type_ = Type::kInt;
  n.text_ = std::to_string(value);
  n.mark_ = mark;
  return n;
}

Node Node::Map(Mark mark) {
  Node n;
  n.type_ = Type::kMap;
  n.mark_ = mark;
  return n;
}

Node Node::Sequence(Mark mark) {
  Node n;
  n.type_ = Type::kSequence;
  n.mark_ = mark;
  return n;
}

int64_t Node::as_int() const {
  return type_ == Type::kInt ? ParseYamlInt(text_).value_or(0) : 0;
}

std::optional<int64_t> ParseYamlInt(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    base = s[1] == 'o' ? 8 : 16;
    s.remove_prefix(2);
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return negative ? -value : value;
}

const Node* Node::Find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

std::string_view Node::StringAt(std::string_view key) const {
  const Node* n = Find(key);
  if (n == nullptr || !n->is_scalar() || n->type() == Type::kNull) return {};
  return n->text();
}

void Node::Set(std::string key, Node value) {
  for (auto& e : entries_) {
    if (e.key == key) {
      e.value = std::move(value);
      return;
    }
  }
  entries_.push_back({std::move(key), value.mark(), std::move(value)});
}

const Node* Node::AtPath(std::string_view path) const {
  const Node* node = this;
  size_t i = 0;
  while (i < path.size() && node != nullptr) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string_view::npos) return nullptr;
      size_t index = 0;
      auto [ptr, ec] = std::from_chars(path.data() + i + 1, path.data() + close, index);
      if (ec != std::errc() || !node->is_sequence() || index >= node->items_.size()) return nullptr;
      node = &node->items_[index];
      i = close + 1;
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos) end = path.size();
    node = node->Find(path.substr(i, end - i));
    i = end;
  }
  return node;
}

size_t Node::CountNodes() const {
  size_t n = 1;
  for (const auto& e : entries_) n += e.value.CountNodes();
  for (const auto& item : items_) n += item.CountNodes();
  return n;
}

}  // namespace strata::specs
