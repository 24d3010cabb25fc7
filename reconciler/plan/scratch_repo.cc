#include "reconciler/plan/scratch_repo.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace strata::plan {

Result<std::unique_ptr<ScratchRepo>> ScratchRepo::Create(const Repository& fleet) {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/strata-plan-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    return Status::Internal("making a scratch directory in " + templ + ": " +
                            std::error_code(errno, std::generic_category()).message());
  }
  std::string path = templ;
  auto cleanup = [&] {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  };
  if (Result<Repository> made = Repository::Init(path, /*bare=*/true, "main"); !made.ok()) {
    cleanup();
    return made.status();
  }
  // Alternates are read when the object database is first opened: write them, then reopen.
  std::string objects = std::string(git_repository_commondir(fleet.raw())) + "objects";
  {
    std::ofstream alternates(path + "/objects/info/alternates");
    alternates << std::filesystem::absolute(objects).string() << "\n";
    if (!alternates) {
      cleanup();
      return Status::Internal("writing " + path + "/objects/info/alternates");
    }
  }
  Result<Repository> repo = Repository::Open(path);
  if (!repo.ok()) {
    cleanup();
    return repo.status();
  }
  return std::unique_ptr<ScratchRepo>(new ScratchRepo(path, std::move(*repo)));
}

ScratchRepo::~ScratchRepo() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace strata::plan
