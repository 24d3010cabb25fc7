#include "specs/yaml_loader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cstdio>
#include <istream>
#include <streambuf>
#include <unordered_set>

namespace strata::specs {
namespace {

// An istream over bytes we already hold, without copying them.
class MemoryBuffer : public std::streambuf {
 public:
  MemoryBuffer(const char* data, size_t size) {
    char* p = const_cast<char*>(data);  // streambuf's API is non-const; we never write
    setg(p, p, p + size);
  }
};

// Thrown by the builder to stop the parse with a located message.
struct LoadError {
  Mark mark;
  std::string message;
};

Mark ToMark(const YAML::Mark& m) { return {m.line + 1, m.column + 1}; }

// Builds a Node tree from yaml-cpp's parse events, enforcing strata's rules as it goes.
class TreeBuilder : public YAML::EventHandler {
 public:
  std::optional<Node> TakeRoot() { return std::move(root_); }
  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) {
      throw LoadError{ToMark(mark),
                      "several YAML documents in one file; a spec file holds exactly one resource"};
    }
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    CheckAnchor(mark, anchor);
    Add(Node::Scalar("", false, ToMark(mark)));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override {
    throw LoadError{ToMark(mark), "YAML aliases (*name) are not allowed in specs"};
  }
  void OnAnchor(const YAML::Mark& mark, const std::string& /*name*/) override {
    throw LoadError{ToMark(mark), "YAML anchors (&name) are not allowed in specs"};
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    CheckAnchor(mark, anchor);
    CheckTag(mark, tag);
    if (value.size() > kMaxScalarBytes) {
      throw LoadError{ToMark(mark), "a value of " + std::to_string(value.size()) +
                                        " bytes; values in a spec may be at most " +
                                        std::to_string(kMaxScalarBytes) + " bytes"};
    }
    // yaml-cpp decodes some escapes ("\N", "\_") to single Latin-1 bytes, not UTF-8.
    if (FindInvalidUtf8(value) != std::string::npos) {
      throw LoadError{ToMark(mark), "a value that is not valid UTF-8 once its escapes are decoded"};
    }
    Node node = Node::Scalar(value, tag == "!", ToMark(mark));
    if (node.type() == Node::Type::kInt && !ParseYamlInt(value).has_value()) {
      throw LoadError{ToMark(mark), "integer " + value + " does not fit in 64 bits"};
    }
    Add(std::move(node));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    CheckAnchor(mark, anchor);
    CheckTag(mark, tag);
    Push(Node::Sequence(ToMark(mark)));
  }
  void OnSequenceEnd() override { Pop(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    CheckAnchor(mark, anchor);
    CheckTag(mark, tag);
    Push(Node::Map(ToMark(mark)));
  }
  void OnMapEnd() override { Pop(); }

 private:
  struct Frame {
    Node node;
    bool expecting_key = true;  // maps only
    std::string pending_key;
    Mark pending_key_mark;
    std::unordered_set<std::string> keys;
  };

  static void CheckAnchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      throw LoadError{ToMark(mark), "YAML anchors (&name) are not allowed in specs"};
    }
  }
  static void CheckTag(const YAML::Mark& mark, const std::string& tag) {
    if (!tag.empty() && tag != "?" && tag != "!") {
      throw LoadError{ToMark(mark), "explicit YAML tags (" + tag + ") are not allowed in specs"};
    }
  }

  void Push(Node node) {
    if (stack_.size() >= static_cast<size_t>(kMaxDepth)) {
      throw LoadError{node.mark(), "nesting deeper than " + std::to_string(kMaxDepth) +
                                       " levels; specs are only a few levels deep"};
    }
    // A map or sequence cannot be a key.
    if (!stack_.empty() && stack_.back().node.is_map() && stack_.back().expecting_key) {
      throw LoadError{node.mark(), "map keys must be plain strings, not maps or lists"};
    }
    stack_.push_back(Frame{std::move(node)});
  }

  void Pop() {
    Node done = std::move(stack_.back().node);
    stack_.pop_back();
    Add(std::move(done), /*from_pop=*/true);
  }

  void Add(Node node, bool from_pop = false) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& top = stack_.back();
    if (top.node.is_sequence()) {
      top.node.items().push_back(std::move(node));
      return;
    }
    if (top.expecting_key) {
      if (from_pop) throw LoadError{node.mark(), "map keys must be plain strings"};
      if (!top.keys.insert(node.text()).second) {
        throw LoadError{node.mark(), "duplicate key '" + node.text() + "'"};
      }
      top.pending_key = node.text();
      top.pending_key_mark = node.mark();
      top.expecting_key = false;
      return;
    }
    top.node.entries().push_back(
        {std::move(top.pending_key), top.pending_key_mark, std::move(node)});
    top.expecting_key = true;
  }

  std::vector<Frame> stack_;
  std::optional<Node> root_;
  int documents_ = 0;
};

Mark MarkOfOffset(std::string_view bytes, size_t offset) {
  Mark m{1, 1};
  for (size_t i = 0; i < offset && i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      ++m.line;
      m.column = 1;
    } else if ((static_cast<unsigned char>(bytes[i]) & 0xC0) != 0x80) {
      ++m.column;
    }
  }
  return m;
}

std::string LeadingComments(std::string_view bytes) {
  size_t pos = 0;
  size_t end_of_header = 0;
  while (pos < bytes.size()) {
    size_t eol = bytes.find('\n', pos);
    size_t next = eol == std::string_view::npos ? bytes.size() : eol + 1;
    std::string_view line = bytes.substr(pos, next - pos);
    if (line.empty() || line[0] != '#') break;
    end_of_header = next;
    pos = next;
  }
  std::string header(bytes.substr(0, end_of_header));
  if (!header.empty() && header.back() != '\n') header += '\n';
  return header;
}

std::string HumanSize(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

}  // namespace

std::string TooLargeMessage(size_t bytes) {
  return "file is " + HumanSize(bytes) + "; a spec file may be at most " +
         std::to_string(kMaxSpecBytes / 1024) + " KiB";
}

size_t FindInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    if (overlong || surrogate || cp > 0x10FFFF) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::optional<YamlDocument> LoadYaml(std::string_view file, std::string_view bytes,
                                     Diagnostics* diagnostics) {
  auto fail = [&](Mark mark, std::string message) -> std::optional<YamlDocument> {
    diagnostics->push_back({std::string(file), mark.line, mark.column, "", std::move(message)});
    return std::nullopt;
  };
  if (bytes.size() > kMaxSpecBytes) {
    return fail({}, TooLargeMessage(bytes.size()));
  }
  if (size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    return fail(MarkOfOffset(bytes, nul), "binary content (a NUL byte); a spec is UTF-8 text");
  }
  if (size_t bad = FindInvalidUtf8(bytes); bad != std::string_view::npos) {
    return fail(MarkOfOffset(bytes, bad), "invalid UTF-8; a spec is UTF-8 text");
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // a byte-order mark

  TreeBuilder builder;
  try {
    MemoryBuffer buffer(bytes.data(), bytes.size());
    std::istream in(&buffer);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const LoadError& e) {
    return fail(e.mark, e.message);
  } catch (const YAML::Exception& e) {
    return fail(ToMark(e.mark), "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    return fail({}, std::string("cannot read YAML: ") + e.what());
  }
  std::optional<Node> root = builder.TakeRoot();
  if (!root.has_value() || root->type() == Node::Type::kNull) {
    return fail({}, "empty file; a spec file holds exactly one resource");
  }
  if (!root->is_map()) {
    return fail(root->mark(), "a spec must be a YAML map (apiVersion, kind, metadata, spec)");
  }
  return YamlDocument{std::move(*root), LeadingComments(bytes)};
}

}  // namespace strata::specs
