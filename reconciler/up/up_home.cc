#include "reconciler/up/up_home.h"

#include <fcntl.h>
#include <git2.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/ssh_signature.h"
#include "reconciler/reconcile/checkpoint.h"
#include "specs/embedded.h"

namespace strata::up {
namespace fs = std::filesystem;

namespace {

Status MakeDirectory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Internal("cannot make " + dir + ": " + ec.message());
  return Status::Ok();
}

// Clones the fleet repo into `work_tree` and gives the clone a committer identity when git has
// none configured, so that the first `git commit` of someone trying strata just works.
Status CloneWorkTree(const std::string& fleet_repo, const std::string& work_tree,
                     const std::string& branch) {
  git_clone_options options = GIT_CLONE_OPTIONS_INIT;
  options.checkout_branch = branch.c_str();
  git_repository* raw = nullptr;
  if (int rc = git_clone(&raw, fleet_repo.c_str(), work_tree.c_str(), &options); rc < 0) {
    return GitError(rc, "cloning " + fleet_repo + " into " + work_tree);
  }
  std::unique_ptr<git_repository, decltype(&git_repository_free)> clone(raw, &git_repository_free);
  git_config* config = nullptr;
  if (git_repository_config(&config, clone.get()) < 0) return Status::Ok();
  std::unique_ptr<git_config, decltype(&git_config_free)> owned(config, &git_config_free);
  git_buf email = GIT_BUF_INIT;
  if (git_config_get_string_buf(&email, config, "user.email") < 0) {
    git_config_set_string(config, "user.name", "strata up");
    git_config_set_string(config, "user.email", "you@strata.local");
  }
  git_buf_dispose(&email);
  return Status::Ok();
}

Status MakeKeys(const UpHome& home) {
  std::error_code ec;
  if (fs::exists(home.signing_key, ec) && fs::exists(home.trusted_keys, ec)) return Status::Ok();
  ASSIGN_OR_RETURN(ssh::SigningKey key, ssh::SigningKey::Generate("strata-up-sync"));
  RETURN_IF_ERROR(key.WriteKeyPair(home.signing_key));
  std::ofstream trusted(home.trusted_keys, std::ios::trunc);
  trusted << key.public_key().Line() << "\n";
  trusted.close();
  if (!trusted) return Status::Internal("cannot write " + home.trusted_keys);
  return Status::Ok();
}

}  // namespace

Status InitExampleFleet(const std::string& dir, bool bare, const std::string& branch) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return Status::AlreadyExists(dir + " exists and is not empty");
  }
  std::map<std::string, std::string> files;
  for (const auto& f : EmbeddedExampleFleet()) files[std::string(f.path)] = std::string(f.content);
  for (const auto& f : EmbeddedSchemas()) {
    files[".strata/schema/" + std::string(f.path)] = std::string(f.content);
  }
  files["README.md"] =
      "# Fleet repository\n\nDesired state for a fleet of Kafka clusters, managed by strata.\n"
      "Change it through pull requests; check a change with `strata validate`.\n";
  ASSIGN_OR_RETURN(Repository repo, Repository::Init(dir, bare, branch));
  ASSIGN_OR_RETURN(git_oid tree, repo.WriteTree(files));
  ASSIGN_OR_RETURN(git_oid commit, repo.Commit("refs/heads/" + branch, tree, {},
                                               "init: example fleet\n", "strata init",
                                               "init@strata.dev"));
  (void)commit;
  if (!bare) {
    git_checkout_options opts = GIT_CHECKOUT_OPTIONS_INIT;
    opts.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (int rc = git_checkout_head(repo.raw(), &opts); rc < 0) {
      return GitError(rc, "checking out " + branch);
    }
  }
  return Status::Ok();
}

Result<UpHome> PrepareHome(const std::string& root_in, const std::string& fleet,
                           const std::string& branch) {
  std::error_code ec;
  UpHome home;
  home.root = fs::absolute(root_in, ec).lexically_normal().string();
  home.signing_key = home.root + "/keys/sync";
  home.trusted_keys = home.root + "/keys/trusted";
  home.agents_dir = home.root + "/agents";
  home.logs_dir = home.root + "/logs";
  home.kafka_file = home.root + "/kafka";
  home.state_file = home.root + "/up.json";
  for (const std::string& dir : {home.root, home.root + "/keys", home.agents_dir, home.logs_dir}) {
    RETURN_IF_ERROR(MakeDirectory(dir));
  }
  if (fleet.empty()) {
    home.fleet_repo = home.root + "/fleet.git";
    home.work_tree = home.root + "/fleet";
    // Each made beside its place and renamed into it, so that an interrupted first run leaves
    // nothing half made that a second run would take for done.
    if (!fs::exists(home.fleet_repo, ec)) {
      std::string making = home.fleet_repo + ".making";
      fs::remove_all(making, ec);
      RETURN_IF_ERROR(InitExampleFleet(making, /*bare=*/true, branch));
      fs::rename(making, home.fleet_repo, ec);
      if (ec) return Status::Internal("cannot make " + home.fleet_repo + ": " + ec.message());
      home.created_fleet = true;
    }
    if (!fs::exists(home.work_tree, ec)) {
      std::string making = home.work_tree + ".making";
      fs::remove_all(making, ec);
      RETURN_IF_ERROR(CloneWorkTree(home.fleet_repo, making, branch));
      fs::rename(making, home.work_tree, ec);
      if (ec) return Status::Internal("cannot make " + home.work_tree + ": " + ec.message());
    }
  } else {
    home.fleet_repo = fs::absolute(fleet, ec).lexically_normal().string();
  }
  {
    Result<Repository> repo = Repository::Open(home.fleet_repo);
    if (!repo.ok()) return Status::NotFound("no fleet repository at " + home.fleet_repo);
    if (!repo->ReadRef("refs/heads/" + branch).ok()) {
      return Status::NotFound(home.fleet_repo + " has no branch " + branch);
    }
  }
  RETURN_IF_ERROR(MakeKeys(home));
  return home;
}

Result<HomeLock> HomeLock::Acquire(const std::string& root) {
  RETURN_IF_ERROR(MakeDirectory(root));
  std::string path = root + "/lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {0};
    ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "?";
    while (!holder.empty() && holder.back() == '\n') holder.pop_back();
    return Status::AlreadyExists("another strata up runs on " + root + " (pid " + holder + ")");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    ::close(fd);
    return Status::Internal("cannot write " + path);
  }
  return HomeLock(fd);
}

HomeLock::~HomeLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::vector<std::string>> SatellitesAt(const std::string& fleet_repo, const std::string& branch) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(fleet_repo));
  ASSIGN_OR_RETURN(git_oid head, repo.ReadRef("refs/heads/" + branch));
  ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(head));
  ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo.ListFilesUnder(tree, "policy/satellites"));
  std::vector<std::string> satellites;
  for (const TreeFile& f : files) {
    fs::path path(f.path);
    if (path.extension() == ".yaml" && path.parent_path() == "policy/satellites") {
      satellites.push_back(path.stem().string());
    }
  }
  std::sort(satellites.begin(), satellites.end());
  return satellites;
}

Result<bool> ResetCheckpoint(const std::string& fleet_repo, const std::string& branch) {
  ASSIGN_OR_RETURN(Repository repo, Repository::Open(fleet_repo));
  std::string ref = reconcile::CheckpointRef(branch);
  int rc = git_reference_remove(repo.raw(), ref.c_str());
  if (rc == GIT_ENOTFOUND) return false;
  if (rc < 0) return GitError(rc, "removing " + ref);
  return true;
}

}  // namespace strata::up
