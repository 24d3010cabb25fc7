#include "reconciler/controller/output_batch.h"

#include <cctype>

#include "core/git.h"
#include "reconciler/controller/fleet_view.h"
#include "specs/canonical_writer.h"

namespace strata::controller {

std::string ComputedAtOf(const std::string& bytes) {
  std::string needle = std::string(kComputedAt) + ": ";
  size_t at = bytes.find(needle);
  if (at == std::string::npos) return "";
  size_t start = at + needle.size();
  if (start < bytes.size() && bytes[start] == '"') ++start;
  size_t end = start;
  while (end < bytes.size() && std::isxdigit(static_cast<unsigned char>(bytes[end])) != 0) ++end;
  return bytes.substr(start, end - start);
}

Status OutputBatch::CheckOwned(const std::string& path) const {
  bool inside = path.size() > prefix_.size() && path.compare(0, prefix_.size(), prefix_) == 0;
  if (!inside || path.find("..") != std::string::npos || path.find("//") != std::string::npos) {
    return Status::PermissionDenied("refusing to write " + path + ": outside this controller's " +
                                    prefix_);
  }
  return Status::Ok();
}

namespace {

void SetComputedAt(specs::Node& doc, const std::string& commit) {
  specs::Node* metadata = nullptr;
  for (auto& e : doc.entries()) {
    if (e.key == "metadata") metadata = &e.value;
  }
  if (metadata == nullptr) return;
  specs::Node* annotations = nullptr;
  for (auto& e : metadata->entries()) {
    if (e.key == "annotations") annotations = &e.value;
  }
  if (annotations == nullptr) {
    metadata->Set("annotations", specs::Node::Map());
    annotations = &metadata->entries().back().value;
  }
  annotations->Set(std::string(kComputedAt), specs::Node::String(commit));
}

}  // namespace

Status OutputBatch::Put(std::string path, specs::Node doc) {
  RETURN_IF_ERROR(CheckOwned(path));
  specs::Diagnostics problems;
  std::string kind(doc.StringAt("kind"));
  // Validate with a placeholder commit id: computed-at must be a full hex id.
  SetComputedAt(doc, std::string(40, '0'));
  if (!view_->validator().Validate(path, kind, doc, &problems)) {
    return Status::Internal("controller output " + path + " fails its schema: " +
                            (problems.empty() ? std::string("(no detail)")
                                              : problems.front().ToString()));
  }
  ASSIGN_OR_RETURN(std::optional<Blob> existing, view_->ReadBlob(path));
  touched_.push_back(path);
  view_->Announce(path, &doc);
  specs::YamlDocument out;
  if (existing.has_value()) {
    // Unchanged apart from when it was computed: keep the file as it is.
    std::string previous = ComputedAtOf(existing->bytes);
    if (!previous.empty()) {
      SetComputedAt(doc, previous);
      out.root = doc;
      std::string same = specs::WriteCanonical(out, view_->schemas());
      git_oid id = Repository::HashBlob(same);
      if (git_oid_equal(&id, &existing->id)) {
        changes_.erase(path);
        return Status::Ok();
      }
    }
  }
  SetComputedAt(doc, view_->commit_hex());
  out.root = std::move(doc);
  changes_[path] = specs::WriteCanonical(out, view_->schemas());
  return Status::Ok();
}

Status OutputBatch::Remove(std::string path) {
  RETURN_IF_ERROR(CheckOwned(path));
  ASSIGN_OR_RETURN(std::optional<Blob> existing, view_->ReadBlob(path));
  touched_.push_back(path);
  view_->Announce(path, nullptr);
  if (existing.has_value()) {
    changes_[path] = std::nullopt;
  } else {
    changes_.erase(path);
  }
  return Status::Ok();
}

void OutputBatch::Clear() {
  changes_.clear();
  touched_.clear();
}

}  // namespace strata::controller
