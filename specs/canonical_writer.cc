#include "specs/canonical_writer.h"

#include <algorithm>
#include <cstdio>

namespace strata::specs {
namespace {

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  if (ResolvePlainScalar(s) != Node::Type::kString) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  const std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string_view::npos) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (s.back() == ':') return true;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) return true;  // controls, and all non-ASCII text goes in quotes
  }
  return false;
}

// The code point of the UTF-8 sequence at s[i] (the loader guarantees valid UTF-8), and its length.
char32_t DecodeUtf8(const std::string& s, size_t i, size_t* length) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n && i + k < s.size(); ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  *length = n;
  return cp;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Code points YAML reads as line breaks or a byte-order mark are escaped; other text is kept.
      size_t length = 1;
      char32_t cp = DecodeUtf8(s, i, &length);
      if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF) {
        char buf[12];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
        out += buf;
      } else {
        out.append(s, i, length);
      }
      i += length;
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string ScalarText(const Node& n) {
  switch (n.type()) {
    case Node::Type::kNull: return "null";
    case Node::Type::kBool: return n.as_bool() ? "true" : "false";
    case Node::Type::kInt: return std::to_string(n.as_int());
    case Node::Type::kFloat: return n.text();
    case Node::Type::kString: return NeedsQuotes(n.text()) ? Quote(n.text()) : n.text();
    default: return "";
  }
}

class Writer {
 public:
  Writer(const SchemaSet& schemas, std::string kind) : schemas_(schemas), kind_(std::move(kind)) {}

  void Map(const Node& node, const nlohmann::ordered_json* schema, int indent) {
    for (const Node::Entry* e : Ordered(node, schema)) {
      out_.append(static_cast<size_t>(indent), ' ');
      out_ += NeedsQuotes(e->key) ? Quote(e->key) : e->key;
      out_ += ':';
      Value(e->value, Child(schema, e->key, false), indent);
    }
  }

  // Writes what follows "key:" (or "- "), ending the line.
  void Value(const Node& v, const nlohmann::ordered_json* schema, int indent) {
    if (v.is_map()) {
      if (v.entries().empty()) {
        out_ += " {}\n";
        return;
      }
      out_ += '\n';
      Map(v, schema, indent + 2);
    } else if (v.is_sequence()) {
      if (v.items().empty()) {
        out_ += " []\n";
        return;
      }
      out_ += '\n';
      Sequence(v, schema, indent + 2);
    } else {
      out_ += ' ';
      out_ += ScalarText(v);
      out_ += '\n';
    }
  }

  void Sequence(const Node& node, const nlohmann::ordered_json* schema, int indent) {
    const nlohmann::ordered_json* item_schema = Child(schema, "", true);
    for (const Node& item : node.items()) {
      out_.append(static_cast<size_t>(indent), ' ');
      out_ += '-';
      if (item.is_map() && !item.entries().empty()) {
        // "- first: x" then the other keys aligned under "first".
        auto ordered = Ordered(item, item_schema);
        bool first = true;
        for (const Node::Entry* e : ordered) {
          if (first) {
            out_ += ' ';
            first = false;
          } else {
            out_.append(static_cast<size_t>(indent + 2), ' ');
          }
          out_ += NeedsQuotes(e->key) ? Quote(e->key) : e->key;
          out_ += ':';
          Value(e->value, Child(item_schema, e->key, false), indent + 2);
        }
      } else if (item.is_sequence() && !item.items().empty()) {
        out_ += '\n';
        Sequence(item, item_schema, indent + 2);
      } else {
        Value(item, item_schema, indent);
      }
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  const nlohmann::ordered_json* Child(const nlohmann::ordered_json* schema, const std::string& key,
                                      bool index) const {
    return schema == nullptr ? nullptr : schemas_.Child(kind_, *schema, key, index);
  }

  // Keys the schema lists come first, in its order; the rest (free-form maps) sorted.
  std::vector<const Node::Entry*> Ordered(const Node& node,
                                          const nlohmann::ordered_json* schema) const {
    std::vector<const Node::Entry*> entries;
    for (const auto& e : node.entries()) entries.push_back(&e);
    const nlohmann::ordered_json* props = nullptr;
    if (schema != nullptr) {
      auto it = schema->find("properties");
      if (it != schema->end()) props = &*it;
    }
    auto rank = [&](const std::string& key) -> size_t {
      if (props == nullptr) return SIZE_MAX;
      size_t i = 0;
      for (auto it = props->begin(); it != props->end(); ++it, ++i) {
        if (it.key() == key) return i;
      }
      return SIZE_MAX;
    };
    std::stable_sort(entries.begin(), entries.end(), [&](const Node::Entry* a, const Node::Entry* b) {
      size_t ra = rank(a->key);
      size_t rb = rank(b->key);
      if (ra != rb) return ra < rb;
      return a->key < b->key;
    });
    return entries;
  }

  const SchemaSet& schemas_;
  std::string kind_;
  std::string out_;
};

}  // namespace

std::string WriteCanonical(const YamlDocument& document, const SchemaSet& schemas) {
  std::string kind(document.root.StringAt("kind"));
  Writer writer(schemas, kind);
  writer.Map(document.root, schemas.Raw(kind), 0);
  return document.header + writer.Take();
}

}  // namespace strata::specs
