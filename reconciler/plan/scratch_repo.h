// ScratchRepo: a throwaway bare repository that borrows every object of a fleet repository
// (git's alternates), so that `strata plan` can run the controllers and let them commit there
// without writing one byte into the fleet repository. The directory is removed when the
// ScratchRepo is destroyed.
#pragma once

#include <memory>
#include <string>

#include "core/git.h"
#include "core/status.h"

namespace strata::plan {

class ScratchRepo {
 public:
  // kInternal when the temporary directory or the repository cannot be made.
  static Result<std::unique_ptr<ScratchRepo>> Create(const Repository& fleet);
  ~ScratchRepo();
  ScratchRepo(const ScratchRepo&) = delete;
  ScratchRepo& operator=(const ScratchRepo&) = delete;

  const std::string& path() const { return path_; }
  Repository& repo() { return repo_; }

 private:
  ScratchRepo(std::string path, Repository repo) : path_(std::move(path)), repo_(std::move(repo)) {}
  std::string path_;
  Repository repo_;
};

}  // namespace strata::plan
