#include "reconciler/controller/path_kind.h"

#include <string_view>

#include "core/status.h"
#include "specs/kinds.h"

namespace strata::controller {

std::string KindOfPath(const std::string& path, const std::string& bytes) {
  Result<specs::PathRule> rule = specs::ClassifyPath(path);
  if (!rule.ok() || rule->area == specs::Area::kNotSpec) return "";
  if (!rule->kind.empty()) return rule->kind;
  // Derived files are canonical YAML written by strata: `kind:` is a top-level line of its own.
  std::string_view text = bytes;
  size_t at = text.rfind("kind: ", 0) == 0 ? 0 : text.find("\nkind: ");
  if (at == std::string_view::npos) return "";
  if (at > 0) ++at;
  size_t end = text.find('\n', at + 6);
  return std::string(text.substr(at + 6, end == std::string_view::npos ? end : end - at - 6));
}

}  // namespace strata::controller
