// Small durable files in an agent's state directory: written to a temporary name and renamed
// over the old one, so a kill -9 at any moment leaves either the old or the new content, never
// half of either.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"

namespace strata::agent {

// kInternal naming the path when it cannot be written.
Status WriteFileAtomically(const std::string& path, std::string_view content);
// nullopt when the file does not exist; kInternal when it exists but cannot be read.
Result<std::optional<std::string>> ReadFileIfExists(const std::string& path);

}  // namespace strata::agent
