// UpHome: the directory `strata up` keeps everything in, so that running it again resumes where
// it stopped.
//
//   <home>/fleet.git               the fleet repository, bare, as a git host holds it (made from the
//                                  example fleet on the first run; `--fleet DIR` uses DIR instead)
//   <home>/fleet/                  a clone with a work tree, for the person trying strata: edit,
//                                  commit, `git pull --rebase`, `git push` (made with fleet.git)
//   <home>/keys/sync, sync.pub     the key the sync controller signs slices with
//   <home>/keys/trusted            the public keys agents trust
//   <home>/agents/<satellite>/     each agent's state directory
//   <home>/logs/<part>.log         each part's log with --separate-processes
//   <home>/kafka                   the bootstrap servers of the Kafka in use (for other commands)
//   <home>/up.json                 what runs: Kafka, the fleet repo and branch, the operator's URL
//                                  (`strata status --up <home>` reads it)
//
// Kafka is not kept: the embedded one is rebuilt from git at every start (see ResetCheckpoint).
#pragma once

#include <string>
#include <vector>

#include "core/git.h"
#include "core/status.h"

namespace strata::up {

struct UpHome {
  std::string root;
  std::string fleet_repo;    // what every part reads and controllers commit to
  std::string work_tree;     // "" when the fleet repo was given (--fleet)
  std::string signing_key;
  std::string trusted_keys;
  std::string agents_dir;
  std::string logs_dir;
  std::string kafka_file;
  std::string state_file;  // up.json
  bool created_fleet = false;  // this run made fleet.git from the example fleet
};

// Makes (or finds again) the home at `root`. With `fleet` empty, fleet.git is created from the
// example fleet built into the binary the first time, with its clone; otherwise `fleet` must be
// an existing repository with `branch` (kNotFound naming it). Keys are generated once.
// kInternal naming the path that could not be made or written.
Result<UpHome> PrepareHome(const std::string& root, const std::string& fleet,
                           const std::string& branch);

// Held while a `strata up` runs on a home: a second one on the same home would run every part
// twice. An flock on <home>/lock, so it is released however the process ends (kill -9 too).
class HomeLock {
 public:
  // kAlreadyExists "another strata up runs on HOME (pid N)"; kInternal when the file cannot be made.
  static Result<HomeLock> Acquire(const std::string& root);
  HomeLock(HomeLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  HomeLock& operator=(HomeLock&&) = delete;
  ~HomeLock();

 private:
  explicit HomeLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// The satellites the fleet declares (policy/satellites/<id>.yaml at the branch's head), sorted.
Result<std::vector<std::string>> SatellitesAt(const std::string& fleet_repo, const std::string& branch);

// Removes the reconciler's checkpoint of `branch`, so that the next reconciler publishes the
// whole fleet again: what a fresh, empty Kafka needs. Returns whether there was one.
Result<bool> ResetCheckpoint(const std::string& fleet_repo, const std::string& branch);

// A new fleet repository at `dir` from the example fleet, with the JSON Schemas under
// .strata/schema/ (what `strata init` makes). kAlreadyExists when `dir` is not empty.
Status InitExampleFleet(const std::string& dir, bool bare, const std::string& branch);

}  // namespace strata::up
