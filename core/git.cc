#include "core/git.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <unordered_set>

namespace strata {
namespace {

bool IsZero(const git_oid& oid) { return git_oid_is_zero(&oid) != 0; }

// One level of a path → content map, split into files here and subdirectories.
struct DirNode {
  std::map<std::string, std::string> files;
  std::map<std::string, DirNode> dirs;
};

Result<git_oid> WriteDir(git_repository* repo, const DirNode& dir) {
  git_treebuilder* raw = nullptr;
  if (int rc = git_treebuilder_new(&raw, repo, nullptr); rc < 0) {
    return GitError(rc, "creating a tree builder");
  }
  TreeBuilderPtr builder(raw);
  for (const auto& [name, content] : dir.files) {
    git_oid blob;
    if (int rc = git_blob_create_from_buffer(&blob, repo, content.data(), content.size()); rc < 0) {
      return GitError(rc, "writing blob " + name);
    }
    if (int rc = git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &blob,
                                        GIT_FILEMODE_BLOB);
        rc < 0) {
      return GitError(rc, "adding " + name + " to a tree");
    }
  }
  for (const auto& [name, sub] : dir.dirs) {
    ASSIGN_OR_RETURN(git_oid sub_tree, WriteDir(repo, sub));
    if (int rc = git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &sub_tree,
                                        GIT_FILEMODE_TREE);
        rc < 0) {
      return GitError(rc, "adding directory " + name + " to a tree");
    }
  }
  git_oid out;
  if (int rc = git_treebuilder_write(&out, builder.get()); rc < 0) {
    return GitError(rc, "writing a tree");
  }
  return out;
}

Result<TreePtr> LookupTree(git_repository* repo, const git_oid& id) {
  git_tree* raw = nullptr;
  if (int rc = git_tree_lookup(&raw, repo, &id); rc < 0) {
    return GitError(rc, "reading tree " + OidToHex(id));
  }
  return TreePtr(raw);
}

// Fleet trees are a few levels deep; a hostile tree nested thousands deep must not overflow the
// stack of the recursive walks below.
constexpr int kMaxTreeDepth = 64;

Status TooDeep(const std::string& prefix) {
  return Status::ResourceExhausted("tree deeper than " + std::to_string(kMaxTreeDepth) +
                                   " levels at " + prefix);
}

Status ListInto(git_repository* repo, const git_oid& tree_id, const std::string& prefix,
                std::vector<TreeFile>* out, int depth = 0) {
  if (depth > kMaxTreeDepth) return TooDeep(prefix);
  ASSIGN_OR_RETURN(TreePtr tree, LookupTree(repo, tree_id));
  size_t count = git_tree_entrycount(tree.get());
  for (size_t i = 0; i < count; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree.get(), i);
    std::string path = prefix + git_tree_entry_name(entry);
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_TREE) {
      RETURN_IF_ERROR(ListInto(repo, *git_tree_entry_id(entry), path + "/", out, depth + 1));
    } else {
      out->push_back({std::move(path), *git_tree_entry_id(entry), mode});
    }
  }
  return Status::Ok();
}

// Adds every file under `tree_id` (or `prefix` itself when it is not a tree) as one side of a diff.
Status AddWholeSide(git_repository* repo, const git_oid& id, git_filemode_t mode,
                    const std::string& path, bool is_new, std::vector<ChangedFile>* out) {
  std::vector<TreeFile> files;
  if (mode == GIT_FILEMODE_TREE) {
    RETURN_IF_ERROR(ListInto(repo, id, path + "/", &files));
  } else {
    files.push_back({path, id, mode});
  }
  for (auto& f : files) {
    ChangedFile change{};
    change.path = std::move(f.path);
    if (is_new) {
      change.new_oid = f.oid;
      change.new_mode = f.mode;
    } else {
      change.old_oid = f.oid;
      change.old_mode = f.mode;
    }
    out->push_back(std::move(change));
  }
  return Status::Ok();
}

Status DiffInto(git_repository* repo, const git_oid& old_id, const git_oid& new_id,
                const std::string& prefix, std::vector<ChangedFile>* out, int depth = 0) {
  if (depth > kMaxTreeDepth) return TooDeep(prefix);
  ASSIGN_OR_RETURN(TreePtr old_tree, LookupTree(repo, old_id));
  ASSIGN_OR_RETURN(TreePtr new_tree, LookupTree(repo, new_id));
  size_t old_count = git_tree_entrycount(old_tree.get());
  size_t new_count = git_tree_entrycount(new_tree.get());
  size_t i = 0;
  size_t j = 0;
  // Entries of a tree are sorted in git's order, in which a directory "a" sorts as "a/". Compare
  // with the same rule so that the merge below pairs equal names.
  auto sort_key = [](const git_tree_entry* e) {
    std::string key = git_tree_entry_name(e);
    if (git_tree_entry_filemode(e) == GIT_FILEMODE_TREE) key += '/';
    return key;
  };
  while (i < old_count || j < new_count) {
    const git_tree_entry* o = i < old_count ? git_tree_entry_byindex(old_tree.get(), i) : nullptr;
    const git_tree_entry* n = j < new_count ? git_tree_entry_byindex(new_tree.get(), j) : nullptr;
    int cmp = 0;
    if (o == nullptr) {
      cmp = 1;
    } else if (n == nullptr) {
      cmp = -1;
    } else if (std::strcmp(git_tree_entry_name(o), git_tree_entry_name(n)) == 0) {
      cmp = 0;
    } else {
      cmp = sort_key(o) < sort_key(n) ? -1 : 1;
    }
    if (cmp < 0) {
      RETURN_IF_ERROR(AddWholeSide(repo, *git_tree_entry_id(o), git_tree_entry_filemode(o),
                                   prefix + git_tree_entry_name(o), false, out));
      ++i;
      continue;
    }
    if (cmp > 0) {
      RETURN_IF_ERROR(AddWholeSide(repo, *git_tree_entry_id(n), git_tree_entry_filemode(n),
                                   prefix + git_tree_entry_name(n), true, out));
      ++j;
      continue;
    }
    ++i;
    ++j;
    git_filemode_t om = git_tree_entry_filemode(o);
    git_filemode_t nm = git_tree_entry_filemode(n);
    if (om == nm && git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(n))) continue;
    std::string path = prefix + git_tree_entry_name(o);
    if (om == GIT_FILEMODE_TREE && nm == GIT_FILEMODE_TREE) {
      RETURN_IF_ERROR(
          DiffInto(repo, *git_tree_entry_id(o), *git_tree_entry_id(n), path + "/", out, depth + 1));
    } else if (om != GIT_FILEMODE_TREE && nm != GIT_FILEMODE_TREE) {
      out->push_back({path, *git_tree_entry_id(o), *git_tree_entry_id(n), om, nm});
    } else {  // a file became a directory or the other way round
      RETURN_IF_ERROR(AddWholeSide(repo, *git_tree_entry_id(o), om, path, false, out));
      RETURN_IF_ERROR(AddWholeSide(repo, *git_tree_entry_id(n), nm, path, true, out));
    }
  }
  return Status::Ok();
}

}  // namespace

void EnsureGitInitialised() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

Status GitError(int rc, std::string_view what) {
  const git_error* err = git_error_last();
  std::string message(what);
  message += ": ";
  message += err != nullptr && err->message != nullptr ? err->message : "libgit2 error";
  switch (rc) {
    case GIT_ENOTFOUND: return Status::NotFound(std::move(message));
    case GIT_EEXISTS: return Status::AlreadyExists(std::move(message));
    case GIT_EAMBIGUOUS:
    case GIT_EINVALIDSPEC: return Status::InvalidArgument(std::move(message));
    case GIT_EMODIFIED:
    case GIT_ELOCKED: return Status::Aborted(std::move(message));
    default: return Status::Internal(std::move(message));
  }
}

std::string OidToHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

Result<Repository> Repository::Open(const std::string& path) {
  EnsureGitInitialised();
  git_repository* raw = nullptr;
  if (int rc = git_repository_open_ext(&raw, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
      rc < 0) {
    return GitError(rc, "opening repository " + path);
  }
  return Repository(RepoPtr(raw));
}

Result<Repository> Repository::OpenFromEnvironment() {
  EnsureGitInitialised();
  git_repository* raw = nullptr;
  if (int rc = git_repository_open_ext(&raw, nullptr, GIT_REPOSITORY_OPEN_FROM_ENV, nullptr);
      rc < 0) {
    return GitError(rc, "opening the repository of GIT_DIR");
  }
  return Repository(RepoPtr(raw));
}

Result<Repository> Repository::Init(const std::string& path, bool bare,
                                    const std::string& initial_branch) {
  EnsureGitInitialised();
  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  if (bare) opts.flags |= GIT_REPOSITORY_INIT_BARE;
  opts.initial_head = initial_branch.c_str();
  git_repository* raw = nullptr;
  if (int rc = git_repository_init_ext(&raw, path.c_str(), &opts); rc < 0) {
    return GitError(rc, "creating repository " + path);
  }
  return Repository(RepoPtr(raw));
}

std::string Repository::path() const {
  const char* workdir = git_repository_workdir(repo_.get());
  return workdir != nullptr ? workdir : git_repository_path(repo_.get());
}

Result<git_oid> Repository::ResolveCommit(const std::string& revision) const {
  git_object* raw = nullptr;
  if (int rc = git_revparse_single(&raw, repo_.get(), revision.c_str()); rc < 0) {
    return GitError(rc, "resolving revision '" + revision + "'");
  }
  ObjectPtr object(raw);
  git_object* peeled_raw = nullptr;
  if (int rc = git_object_peel(&peeled_raw, object.get(), GIT_OBJECT_COMMIT); rc < 0) {
    return GitError(rc, "revision '" + revision + "' is not a commit");
  }
  ObjectPtr peeled(peeled_raw);
  return *git_object_id(peeled.get());
}

Result<git_oid> Repository::TreeOfCommit(const git_oid& commit_id) const {
  git_commit* raw = nullptr;
  if (int rc = git_commit_lookup(&raw, repo_.get(), &commit_id); rc < 0) {
    return GitError(rc, "reading commit " + OidToHex(commit_id));
  }
  CommitPtr commit(raw);
  return *git_commit_tree_id(commit.get());
}

Result<CommitInfo> Repository::ReadCommit(const git_oid& commit_id) const {
  git_commit* raw = nullptr;
  if (int rc = git_commit_lookup(&raw, repo_.get(), &commit_id); rc < 0) {
    return GitError(rc, "reading commit " + OidToHex(commit_id));
  }
  CommitPtr commit(raw);
  CommitInfo info;
  info.id = commit_id;
  info.tree = *git_commit_tree_id(commit.get());
  for (unsigned i = 0; i < git_commit_parentcount(commit.get()); ++i) {
    info.parents.push_back(*git_commit_parent_id(commit.get(), i));
  }
  const git_signature* author = git_commit_author(commit.get());
  info.author_name = author->name != nullptr ? author->name : "";
  info.author_email = author->email != nullptr ? author->email : "";
  info.author_time = static_cast<int64_t>(author->when.time);
  info.committer_time = static_cast<int64_t>(git_commit_time(commit.get()));
  const char* message = git_commit_message(commit.get());
  info.message = message != nullptr ? message : "";
  git_message_trailer_array trailers{};
  if (git_message_trailers(&trailers, info.message.c_str()) == 0) {
    for (size_t i = 0; i < trailers.count; ++i) {
      info.trailers.emplace_back(trailers.trailers[i].key, trailers.trailers[i].value);
    }
    git_message_trailer_array_free(&trailers);
  }
  return info;
}

Result<std::vector<TreeFile>> Repository::ListFiles(const git_oid& tree) const {
  std::vector<TreeFile> files;
  RETURN_IF_ERROR(ListInto(repo_.get(), tree, "", &files));
  return files;
}

Result<std::vector<TreeFile>> Repository::ListFilesUnder(const git_oid& tree_id,
                                                         const std::string& dir) const {
  std::vector<TreeFile> files;
  ASSIGN_OR_RETURN(TreePtr tree, LookupTree(repo_.get(), tree_id));
  git_tree_entry* raw = nullptr;
  int rc = git_tree_entry_bypath(&raw, tree.get(), dir.c_str());
  if (rc == GIT_ENOTFOUND) return files;
  if (rc < 0) return GitError(rc, "looking up " + dir);
  std::unique_ptr<git_tree_entry, Deleter<git_tree_entry_free>> entry(raw);
  if (git_tree_entry_filemode(entry.get()) != GIT_FILEMODE_TREE) return files;
  RETURN_IF_ERROR(ListInto(repo_.get(), *git_tree_entry_id(entry.get()), dir + "/", &files));
  return files;
}

Result<TreeFile> Repository::FindPath(const git_oid& tree_id, const std::string& path) const {
  ASSIGN_OR_RETURN(TreePtr tree, LookupTree(repo_.get(), tree_id));
  git_tree_entry* raw = nullptr;
  int rc = git_tree_entry_bypath(&raw, tree.get(), path.c_str());
  if (rc == GIT_ENOTFOUND) return Status::NotFound(path + " is not in tree " + OidToHex(tree_id));
  if (rc < 0) return GitError(rc, "looking up " + path);
  std::unique_ptr<git_tree_entry, Deleter<git_tree_entry_free>> entry(raw);
  return TreeFile{path, *git_tree_entry_id(entry.get()), git_tree_entry_filemode(entry.get())};
}

Result<std::vector<ChangedFile>> Repository::DiffTrees(const git_oid& old_tree,
                                                       const git_oid& new_tree) const {
  std::vector<ChangedFile> changes;
  if (IsZero(old_tree)) {
    RETURN_IF_ERROR(AddWholeSide(repo_.get(), new_tree, GIT_FILEMODE_TREE, "", true, &changes));
  } else {
    RETURN_IF_ERROR(DiffInto(repo_.get(), old_tree, new_tree, "", &changes));
  }
  // AddWholeSide on the root yields "/a/b"; strip the leading slash it adds for an empty prefix.
  for (auto& c : changes) {
    if (!c.path.empty() && c.path[0] == '/') c.path.erase(0, 1);
  }
  return changes;
}

Result<std::string> Repository::ReadBlob(const git_oid& blob_id) const {
  git_blob* raw = nullptr;
  if (int rc = git_blob_lookup(&raw, repo_.get(), &blob_id); rc < 0) {
    return GitError(rc, "reading blob " + OidToHex(blob_id));
  }
  BlobPtr blob(raw);
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
  return std::string(data, static_cast<size_t>(git_blob_rawsize(blob.get())));
}

Result<git_oid> Repository::ReadRef(const std::string& ref) const {
  git_oid out;
  if (int rc = git_reference_name_to_id(&out, repo_.get(), ref.c_str()); rc < 0) {
    return GitError(rc, "reading " + ref);
  }
  return out;
}

Status Repository::CompareAndSwapRef(const std::string& ref, const git_oid& expected,
                                     const git_oid& target, const std::string& log_message) const {
  git_reference* raw = nullptr;
  int rc = IsZero(expected)
               ? git_reference_create(&raw, repo_.get(), ref.c_str(), &target, /*force=*/0,
                                      log_message.c_str())
               : git_reference_create_matching(&raw, repo_.get(), ref.c_str(), &target, /*force=*/1,
                                               &expected, log_message.c_str());
  ReferencePtr moved(raw);
  // EEXISTS: created by another writer; EMODIFIED: moved; ENOTFOUND: deleted; ELOCKED: in flight.
  if (rc == GIT_ELOCKED) return Status::Aborted(ref + " is locked by another writer");
  if (rc == GIT_EEXISTS || rc == GIT_EMODIFIED || rc == GIT_ENOTFOUND) {
    return Status::Aborted(ref + " moved under us (expected " +
                           (IsZero(expected) ? std::string("no ref") : OidToHex(expected)) + ")");
  }
  if (rc < 0) return GitError(rc, "moving " + ref);
  return Status::Ok();
}

Result<std::vector<git_oid>> Repository::FirstParentRange(const git_oid& from,
                                                          const git_oid& to) const {
  std::vector<git_oid> line;
  git_oid current = to;
  while (IsZero(from) || !git_oid_equal(&current, &from)) {
    line.push_back(current);
    git_commit* raw = nullptr;
    if (int rc = git_commit_lookup(&raw, repo_.get(), &current); rc < 0) {
      return GitError(rc, "reading commit " + OidToHex(current));
    }
    CommitPtr commit(raw);
    if (git_commit_parentcount(commit.get()) == 0) {
      if (IsZero(from)) break;
      return Status::FailedPrecondition(OidToHex(from) + " is not on the first-parent line of " +
                                        OidToHex(to));
    }
    current = *git_commit_parent_id(commit.get(), 0);
  }
  std::reverse(line.begin(), line.end());
  return line;
}

Result<size_t> Repository::ObjectSize(const git_oid& id) const {
  git_odb* raw = nullptr;
  if (int rc = git_repository_odb(&raw, repo_.get()); rc < 0) return GitError(rc, "opening odb");
  OdbPtr odb(raw);
  size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  if (int rc = git_odb_read_header(&size, &type, odb.get(), &id); rc < 0) {
    return GitError(rc, "reading the header of " + OidToHex(id));
  }
  return size;
}

Status Repository::Fetch(const std::string& url, const std::vector<std::string>& refspecs) const {
  git_remote* raw = nullptr;
  if (int rc = git_remote_create_anonymous(&raw, repo_.get(), url.c_str()); rc < 0) {
    return GitError(rc, "opening remote " + url);
  }
  std::unique_ptr<git_remote, Deleter<git_remote_free>> remote(raw);
  std::vector<char*> specs;
  for (const auto& s : refspecs) specs.push_back(const_cast<char*>(s.c_str()));
  git_strarray array{specs.data(), specs.size()};
  git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
  options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  if (int rc = git_remote_fetch(remote.get(), &array, &options, "strata: fetch"); rc < 0) {
    Status error = GitError(rc, "fetching from " + url);
    return Status::Unavailable(std::string(error.message()));
  }
  return Status();
}

Result<git_oid> Repository::WriteTree(const std::map<std::string, std::string>& files) const {
  DirNode root;
  auto bad_name = [](const std::string& name) { return name.empty() || name == "." || name == ".."; };
  for (const auto& [path, content] : files) {
    DirNode* dir = &root;
    size_t start = 0;
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', start)) {
      std::string name = path.substr(start, slash - start);
      if (bad_name(name)) return Status::InvalidArgument("bad path '" + path + "'");
      dir = &dir->dirs[name];
      start = slash + 1;
    }
    std::string name = path.substr(start);
    if (bad_name(name)) return Status::InvalidArgument("bad path '" + path + "'");
    dir->files[name] = content;
  }
  // A name cannot be a file and a directory at once: git would keep only one of them.
  std::vector<std::pair<const DirNode*, std::string>> pending = {{&root, ""}};
  while (!pending.empty()) {
    auto [dir, prefix] = pending.back();
    pending.pop_back();
    for (const auto& [name, sub] : dir->dirs) {
      if (dir->files.count(name) != 0) {
        return Status::InvalidArgument("'" + prefix + name + "' is both a file and a directory");
      }
      pending.emplace_back(&sub, prefix + name + "/");
    }
  }
  return WriteDir(repo_.get(), root);
}

namespace {

// What git_commit_create and git_commit_create_buffer both need, looked up once.
struct CommitInputs {
  SignaturePtr signature;
  TreePtr tree;
  std::vector<CommitPtr> parents;
  std::vector<const git_commit*> parent_raw;
};

Result<CommitInputs> LookUpCommitInputs(git_repository* repo, const git_oid& tree_id,
                                        const std::vector<git_oid>& parent_ids,
                                        const std::string& author_name,
                                        const std::string& author_email) {
  CommitInputs in;
  git_signature* sig_raw = nullptr;
  if (int rc = git_signature_now(&sig_raw, author_name.c_str(), author_email.c_str()); rc < 0) {
    return GitError(rc, "making a signature");
  }
  in.signature.reset(sig_raw);
  git_tree* tree_raw = nullptr;
  if (int rc = git_tree_lookup(&tree_raw, repo, &tree_id); rc < 0) {
    return GitError(rc, "reading tree " + OidToHex(tree_id));
  }
  in.tree.reset(tree_raw);
  for (const git_oid& id : parent_ids) {
    git_commit* c = nullptr;
    if (int rc = git_commit_lookup(&c, repo, &id); rc < 0) {
      return GitError(rc, "reading parent " + OidToHex(id));
    }
    in.parents.emplace_back(c);
    in.parent_raw.push_back(c);
  }
  return in;
}

}  // namespace

Result<git_oid> Repository::Commit(const std::string& ref, const git_oid& tree_id,
                                   const std::vector<git_oid>& parent_ids,
                                   const std::string& message, const std::string& author_name,
                                   const std::string& author_email) const {
  ASSIGN_OR_RETURN(CommitInputs in, LookUpCommitInputs(repo_.get(), tree_id, parent_ids,
                                                       author_name, author_email));
  git_oid out;
  const char* update_ref = ref.empty() ? nullptr : ref.c_str();
  if (int rc = git_commit_create(&out, repo_.get(), update_ref, in.signature.get(), in.signature.get(),
                                 "UTF-8", message.c_str(), in.tree.get(), in.parent_raw.size(),
                                 in.parent_raw.data());
      rc < 0) {
    return GitError(rc, "committing to " + ref);
  }
  return out;
}

Result<git_oid> Repository::CommitSigned(const git_oid& tree_id, const std::vector<git_oid>& parent_ids,
                                         const std::string& message, const std::string& author_name,
                                         const std::string& author_email,
                                         const CommitSigner& sign) const {
  ASSIGN_OR_RETURN(CommitInputs in, LookUpCommitInputs(repo_.get(), tree_id, parent_ids,
                                                       author_name, author_email));
  git_buf text = GIT_BUF_INIT;
  if (int rc = git_commit_create_buffer(&text, repo_.get(), in.signature.get(), in.signature.get(),
                                        "UTF-8", message.c_str(), in.tree.get(),
                                        in.parent_raw.size(), in.parent_raw.data());
      rc < 0) {
    return GitError(rc, "writing a commit to sign");
  }
  std::string commit_text(text.ptr, text.size);
  git_buf_dispose(&text);
  ASSIGN_OR_RETURN(std::string signature, sign(commit_text));
  git_oid out;
  if (int rc = git_commit_create_with_signature(&out, repo_.get(), commit_text.c_str(),
                                                signature.c_str(), "gpgsig");
      rc < 0) {
    return GitError(rc, "writing a signed commit");
  }
  return out;
}

Result<Repository::CommitSignature> Repository::ReadCommitSignature(const git_oid& commit) const {
  git_buf signature = GIT_BUF_INIT;
  git_buf signed_text = GIT_BUF_INIT;
  int rc = git_commit_extract_signature(&signature, &signed_text, repo_.get(),
                                        const_cast<git_oid*>(&commit), nullptr);
  if (rc == GIT_ENOTFOUND) {
    git_buf_dispose(&signature);
    git_buf_dispose(&signed_text);
    // Either the commit is missing or it carries no signature; say which.
    if (Result<CommitInfo> info = ReadCommit(commit); !info.ok()) return info.status();
    return Status::NotFound("commit " + OidToHex(commit) + " is not signed");
  }
  if (rc < 0) return GitError(rc, "reading the signature of " + OidToHex(commit));
  CommitSignature out{std::string(signature.ptr, signature.size),
                      std::string(signed_text.ptr, signed_text.size)};
  git_buf_dispose(&signature);
  git_buf_dispose(&signed_text);
  return out;
}

Status Repository::CopyObjectsFrom(const Repository& source, const git_oid& commit) const {
  git_odb* from_raw = nullptr;
  git_odb* to_raw = nullptr;
  if (int rc = git_repository_odb(&from_raw, source.raw()); rc < 0) return GitError(rc, "opening the source's objects");
  std::unique_ptr<git_odb, Deleter<git_odb_free>> from(from_raw);
  if (int rc = git_repository_odb(&to_raw, repo_.get()); rc < 0) return GitError(rc, "opening our objects");
  std::unique_ptr<git_odb, Deleter<git_odb_free>> to(to_raw);
  using OdbObjectPtr = std::unique_ptr<git_odb_object, Deleter<git_odb_object_free>>;
  // Read parents first, descending only into what is missing here; written children first (the
  // reverse of the order read), so that an interrupted copy never leaves an object whose children
  // are missing: the next copy would stop at it.
  std::vector<OdbObjectPtr> found;
  std::vector<git_oid> pending;
  std::unordered_set<std::string> seen;
  auto want = [&](const git_oid& id) {
    if (git_odb_exists(to.get(), &id) == 0 && seen.insert(OidToHex(id)).second) pending.push_back(id);
  };
  want(commit);
  while (!pending.empty()) {
    git_oid id = pending.back();
    pending.pop_back();
    git_odb_object* raw = nullptr;
    if (int rc = git_odb_read(&raw, from.get(), &id); rc < 0) {
      if (rc == GIT_ENOTFOUND) return Status::NotFound("object " + OidToHex(id) + " is not in " + source.path());
      return GitError(rc, "reading " + OidToHex(id));
    }
    found.emplace_back(raw);
    git_object_t type = git_odb_object_type(raw);
    if (type == GIT_OBJECT_COMMIT) {
      git_commit* c = nullptr;
      if (int rc = git_commit_lookup(&c, source.raw(), &id); rc < 0) return GitError(rc, "reading commit " + OidToHex(id));
      CommitPtr owned(c);
      want(*git_commit_tree_id(c));
      for (unsigned i = 0; i < git_commit_parentcount(c); ++i) want(*git_commit_parent_id(c, i));
    } else if (type == GIT_OBJECT_TREE) {
      git_tree* t = nullptr;
      if (int rc = git_tree_lookup(&t, source.raw(), &id); rc < 0) return GitError(rc, "reading tree " + OidToHex(id));
      TreePtr owned(t);
      for (size_t i = 0; i < git_tree_entrycount(t); ++i) {
        const git_tree_entry* e = git_tree_entry_byindex(t, i);
        if (git_tree_entry_type(e) != GIT_OBJECT_COMMIT) want(*git_tree_entry_id(e));  // not submodules
      }
    }
  }
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    git_oid written;
    if (int rc = git_odb_write(&written, to.get(), git_odb_object_data(it->get()),
                               git_odb_object_size(it->get()), git_odb_object_type(it->get()));
        rc < 0) {
      return GitError(rc, "writing " + OidToHex(*git_odb_object_id(it->get())));
    }
  }
  return Status::Ok();
}

Result<bool> Repository::Descends(const git_oid& commit, const git_oid& ancestor) const {
  if (git_oid_equal(&commit, &ancestor)) return true;
  int rc = git_graph_descendant_of(repo_.get(), &commit, &ancestor);
  if (rc < 0) return GitError(rc, "walking history from " + OidToHex(commit));
  return rc == 1;
}

}  // namespace strata

namespace strata {

Result<git_oid> Repository::UpdateTree(const git_oid& base,
                                       const std::vector<TreeUpdate>& updates) const {
  TreePtr base_tree;
  if (!IsZero(base)) {
    ASSIGN_OR_RETURN(base_tree, LookupTree(repo_.get(), base));
  }
  std::vector<const TreeUpdate*> sorted;
  sorted.reserve(updates.size());
  for (const TreeUpdate& u : updates) sorted.push_back(&u);
  std::sort(sorted.begin(), sorted.end(),
            [](const TreeUpdate* a, const TreeUpdate* b) { return a->path < b->path; });
  std::vector<git_tree_update> raw;
  raw.reserve(sorted.size());
  for (const TreeUpdate* u : sorted) {
    git_tree_update r{};
    r.path = u->path.c_str();
    if (u->content.has_value()) {
      r.action = GIT_TREE_UPDATE_UPSERT;
      r.filemode = GIT_FILEMODE_BLOB;
      if (int rc = git_blob_create_from_buffer(&r.id, repo_.get(), u->content->data(),
                                               u->content->size());
          rc < 0) {
        return GitError(rc, "writing blob for " + u->path);
      }
    } else {
      // libgit2 refuses to remove what is not there; a removal of an absent path is a no-op.
      if (base_tree == nullptr) continue;
      git_tree_entry* entry = nullptr;
      int rc = git_tree_entry_bypath(&entry, base_tree.get(), u->path.c_str());
      if (rc == GIT_ENOTFOUND) continue;
      if (rc < 0) return GitError(rc, "looking up " + u->path);
      git_tree_entry_free(entry);
      r.action = GIT_TREE_UPDATE_REMOVE;
    }
    raw.push_back(r);
  }
  if (raw.empty() && base_tree != nullptr) return base;
  git_oid out;
  if (int rc = git_tree_create_updated(&out, repo_.get(), base_tree.get(), raw.size(), raw.data());
      rc < 0) {
    return GitError(rc, "updating tree");
  }
  return out;
}

git_oid Repository::HashBlob(std::string_view content) {
  git_oid out{};
  git_odb_hash(&out, content.data(), content.size(), GIT_OBJECT_BLOB);
  return out;
}

Result<git_oid> Repository::SubtreeAt(const git_oid& tree_id, const std::string& dir) const {
  Result<TreeFile> entry = FindPath(tree_id, dir);
  if (!entry.ok()) {
    if (entry.status().code() == StatusCode::kNotFound) return git_oid{};
    return entry.status();
  }
  if (entry->mode != GIT_FILEMODE_TREE) return git_oid{};
  return entry->oid;
}

}  // namespace strata
