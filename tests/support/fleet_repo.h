// FleetRepo (test code only): a fleet as strata runs against it — a bare repository that the
// controllers commit to, and a working clone where "people" edit files, commit and push (pulling
// the controllers' commits first, as a merged pull request would be on top of them).
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>

#include "core/test_support.h"
#include "specs/embedded.h"

namespace strata::testing {

class FleetRepo {
 public:
  // Makes `dir`/fleet.git and `dir`/work; with `example`, the work clone starts as the example
  // fleet, committed and pushed.
  explicit FleetRepo(const std::string& dir, bool example = true)
      : bare_(dir + "/fleet.git"), work_(dir + "/work") {
    Must("git init -q --bare -b main " + bare_);
    Must("git init -q -b main " + work_);
    Must("git -C " + work_ + " remote add origin " + bare_);
    if (example) {
      for (const auto& file : EmbeddedExampleFleet()) Write(std::string(file.path), file.content);
      Push("the example fleet");
    }
  }

  // A FleetRepo over a bare repository and a clone of it that exist already (made by `strata gen
  // fleet` and `git clone`, or by `strata up` in its home).
  static FleetRepo Attach(std::string bare, std::string work) {
    return FleetRepo(std::move(bare), std::move(work), Attached{});
  }

  const std::string& bare() const { return bare_; }
  const std::string& work() const { return work_; }

  void Write(const std::string& path, std::string_view content) const {
    std::filesystem::path full = std::filesystem::path(work_) / path;
    std::filesystem::create_directories(full.parent_path());
    std::ofstream(full) << content;
  }
  std::string Read(const std::string& path) const {
    std::ifstream in(std::filesystem::path(work_) / path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void Remove(const std::string& path) const { std::filesystem::remove(std::filesystem::path(work_) / path); }
  // Replaces the first `from` in `path` with `to`.
  void Edit(const std::string& path, const std::string& from, const std::string& to) const {
    std::string text = Read(path);
    size_t at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error(path + " has no '" + from + "'");
    Write(path, text.replace(at, from.size(), to));
  }

  // Commits everything in the work tree as a person, on top of the bare repo's main, and pushes;
  // returns the commit id.
  std::string Push(const std::string& message) const {
    Must("cd " + work_ + " && git add -A && git -c user.name=Ada -c user.email=ada@example.com "
         "commit -q -m '" + message + "'");
    // A controller may commit between our pull and our push: pull again and retry, as a person
    // whose push is refused would.
    for (int attempt = 0;; ++attempt) {
      Sh("cd " + work_ + " && git pull -q --rebase origin main 2>&1");
      auto pushed = Sh("cd " + work_ + " && git push -q origin HEAD:main 2>&1");
      if (pushed.code == 0) break;
      if (attempt == 20) throw std::runtime_error("git push: " + pushed.out);
    }
    return Sh("git -C " + work_ + " rev-parse HEAD").out.substr(0, 40);
  }

  // `git -C fleet.git ARGS`, trimmed output.
  std::string Git(const std::string& args) const {
    auto out = Sh("git -C " + bare_ + " " + args);
    if (out.code != 0) throw std::runtime_error("git " + args + ": " + out.out);
    while (!out.out.empty() && out.out.back() == '\n') out.out.pop_back();
    return out.out;
  }
  // The file at main in the bare repo; "" when absent.
  std::string Show(const std::string& path) const { return ShowAt("main", path); }
  // The file at `revision` in the bare repo; "" when absent.
  std::string ShowAt(const std::string& revision, const std::string& path) const {
    auto out = Sh("git -C " + bare_ + " show " + revision + ":" + path + " 2>/dev/null");
    return out.code == 0 ? out.out : "";
  }
  // True when main did not move for `quiet` (the controllers are done, or stopped): for Eventually.
  bool StaysStill(std::chrono::seconds quiet) const {
    std::string head = Git("rev-parse main");
    std::this_thread::sleep_for(quiet);
    return Git("rev-parse main") == head;
  }

 private:
  struct Attached {};
  FleetRepo(std::string bare, std::string work, Attached) : bare_(std::move(bare)), work_(std::move(work)) {}
  static void Must(const std::string& command) {
    auto out = Sh(command);
    if (out.code != 0) throw std::runtime_error(command + ": " + out.out);
  }
  std::string bare_;
  std::string work_;
};

}  // namespace strata::testing
