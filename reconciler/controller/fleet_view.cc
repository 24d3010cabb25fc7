#include "reconciler/controller/fleet_view.h"

#include <spdlog/spdlog.h>

#include "reconciler/controller/controller.h"
#include "specs/yaml_loader.h"

namespace strata::controller {
namespace {

bool Covers(const std::string& dir, const std::string& path) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

}  // namespace

std::optional<specs::Node> ParseDoc(const std::string& path, const std::string& bytes) {
  specs::Diagnostics diagnostics;
  std::optional<specs::YamlDocument> doc = specs::LoadYaml(path, bytes, &diagnostics);
  if (!doc.has_value()) {
    spdlog::warn("{} does not read as YAML: {}", path,
                 diagnostics.empty() ? "" : diagnostics.front().ToString());
    return std::nullopt;
  }
  return std::move(doc->root);
}

FleetView::FleetView(Repository repo, std::shared_ptr<const specs::SchemaSet> schemas)
    : repo_(std::move(repo)),
      schemas_(std::move(schemas)),
      validator_(std::make_unique<specs::SchemaValidator>(schemas_)) {}

FleetView::~FleetView() = default;

void FleetView::SetWatches(std::vector<Watch> watches) { watches_ = std::move(watches); }

Status FleetView::Advance(const git_oid& commit) {
  if (!IsZeroOid(commit_) && git_oid_equal(&commit, &commit_)) return Status::Ok();
  ASSIGN_OR_RETURN(git_oid new_tree, repo_.TreeOfCommit(commit));
  for (const Watch& watch : watches_) {
    RETURN_IF_ERROR(AnnounceChanges(watch, tree_, new_tree));
  }
  commit_ = commit;
  tree_ = new_tree;
  commit_hex_ = OidToHex(commit);
  return Status::Ok();
}

Status FleetView::AnnounceChanges(const Watch& watch, const git_oid& old_root,
                                  const git_oid& new_root) {
  git_oid old_sub{};
  if (!IsZeroOid(old_root)) {
    ASSIGN_OR_RETURN(old_sub, repo_.SubtreeAt(old_root, watch.dir));
  }
  ASSIGN_OR_RETURN(git_oid new_sub, repo_.SubtreeAt(new_root, watch.dir));
  if (git_oid_equal(&old_sub, &new_sub)) return Status::Ok();
  if (IsZeroOid(new_sub)) {  // the whole directory went away
    ASSIGN_OR_RETURN(std::vector<TreeFile> gone, repo_.ListFiles(old_sub));
    for (const TreeFile& f : gone) watch.on_change(watch.dir + "/" + f.path, nullptr);
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::vector<ChangedFile> changes, repo_.DiffTrees(old_sub, new_sub));
  for (const ChangedFile& c : changes) {
    std::string path = watch.dir + "/" + c.path;
    if (c.deleted()) {
      watch.on_change(path, nullptr);
      continue;
    }
    ASSIGN_OR_RETURN(std::string bytes, repo_.ReadBlob(c.new_oid));
    std::optional<specs::Node> doc = ParseDoc(path, bytes);
    watch.on_change(path, doc.has_value() ? &*doc : nullptr);
  }
  return Status::Ok();
}

Status FleetView::Reannounce(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::optional<Blob> blob, ReadBlob(path));
    std::optional<specs::Node> doc;
    if (blob.has_value()) doc = ParseDoc(path, blob->bytes);
    Announce(path, doc.has_value() ? &*doc : nullptr);
  }
  return Status::Ok();
}

void FleetView::Announce(const std::string& path, const specs::Node* doc) {
  for (const Watch& watch : watches_) {
    if (Covers(watch.dir, path)) watch.on_change(path, doc);
  }
}

Result<std::optional<Blob>> FleetView::ReadBlob(const std::string& path) {
  if (IsZeroOid(tree_)) return std::optional<Blob>();
  Result<TreeFile> file = repo_.FindPath(tree_, path);
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kNotFound) return std::optional<Blob>();
    return file.status();
  }
  if (file->mode == GIT_FILEMODE_TREE) return std::optional<Blob>();
  ASSIGN_OR_RETURN(std::string bytes, repo_.ReadBlob(file->oid));
  return std::optional<Blob>(Blob{file->oid, std::move(bytes)});
}

Result<std::optional<LoadedSpec>> FleetView::ReadSpec(const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<Blob> blob, ReadBlob(path));
  if (!blob.has_value()) return std::optional<LoadedSpec>();
  LoadedSpec loaded;
  std::optional<specs::Resource> resource = specs::LoadResource(
      path, blob->bytes, validator_.get(), &loaded.diagnostics, /*keep_tree=*/true);
  if (!resource.has_value()) {
    loaded.resource.file = path;
    loaded.resource.valid = false;
  } else {
    loaded.resource = std::move(*resource);
  }
  return std::optional<LoadedSpec>(std::move(loaded));
}

Result<std::vector<TreeFile>> FleetView::ListUnder(const std::string& dir) {
  if (IsZeroOid(tree_)) return std::vector<TreeFile>();
  return repo_.ListFilesUnder(tree_, dir);
}

}  // namespace strata::controller
