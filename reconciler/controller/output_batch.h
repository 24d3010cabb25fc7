// OutputBatch: what one controller batch will commit — documents to write and paths to remove,
// all under the controller's own prefix.
//
// Put renders the document in canonical YAML and compares it with the file at the head: a document
// that differs only in its `strata.dev/computed-at` annotation is left as it is, so unchanged
// input makes byte-identical output and no commit. A write outside the prefix, or of a document
// that fails its kind's schema, is refused (kPermissionDenied, kInternal): a controller bug must
// not reach the fleet repo.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "specs/node.h"

namespace strata::controller {

class FleetView;

inline constexpr std::string_view kComputedAt = "strata.dev/computed-at";
inline constexpr std::string_view kSources = "strata.dev/sources";

class OutputBatch {
 public:
  OutputBatch(std::string prefix, FleetView* view) : prefix_(std::move(prefix)), view_(view) {}

  // Stages `doc` at `path`, setting metadata.annotations["strata.dev/computed-at"].
  // (Paths are taken by value: watchers told of the change may drop the string they came from.)
  Status Put(std::string path, specs::Node doc);
  // Stages the removal of `path` (nothing when the head has no such file).
  Status Remove(std::string path);

  // The staged changes that differ from the head: path → new bytes, or nullopt for a removal.
  const std::map<std::string, std::optional<std::string>>& changes() const { return changes_; }
  // Every path staged in this batch, changed or not (what the watchers were told about).
  const std::vector<std::string>& touched() const { return touched_; }
  void Clear();

 private:
  Status CheckOwned(const std::string& path) const;

  std::string prefix_;
  FleetView* view_;
  std::map<std::string, std::optional<std::string>> changes_;
  std::vector<std::string> touched_;
};

// The computed-at annotation of a canonical document's bytes; "" when it has none.
std::string ComputedAtOf(const std::string& bytes);

}  // namespace strata::controller
