// Loads one spec file's bytes into a Node tree, safely. Whatever the input, LoadYaml returns
// (never crashes, never hangs, never expands an alias): on failure it appends one Diagnostic that
// names the file, line and column, and returns nullopt.
//
// Refused, each with its own message: files over kMaxSpecBytes, binary content (NUL bytes),
// invalid UTF-8, YAML syntax errors, an empty file, several documents in one file, anchors and
// aliases (a spec never needs them; refusing them rules out billion-laughs blow-ups), explicit
// tags, non-scalar map keys, duplicate keys, nesting deeper than kMaxDepth, values longer than
// kMaxScalarBytes, and integers that do not fit in 64 bits.
// Thread-safe: no shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "specs/diagnostic.h"
#include "specs/node.h"

namespace strata::specs {

inline constexpr size_t kMaxSpecBytes = 1 << 20;  // 1 MiB: a spec is a few hundred bytes
inline constexpr int kMaxDepth = 64;
inline constexpr size_t kMaxScalarBytes = 4096;  // a name, a region, a config value

struct YamlDocument {
  Node root;
  // The comment lines that open the file (a yaml-language-server modeline, a licence), kept
  // verbatim so that the canonical writer gives them back.
  std::string header;
};

std::optional<YamlDocument> LoadYaml(std::string_view file, std::string_view bytes,
                                     Diagnostics* diagnostics);

// "file is 50.0 MB; a spec file may be at most 1024 KiB": the message for a file over the limit.
std::string TooLargeMessage(size_t bytes);

// Returns the offset of the first byte that is not valid UTF-8, or npos when all are valid.
size_t FindInvalidUtf8(std::string_view bytes);

}  // namespace strata::specs
