#include "specs/fleet.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <thread>

#include "specs/kinds.h"

namespace strata::specs {
namespace {

namespace fs = std::filesystem;

// Reads a spec file from disk; a file over the size limit is refused without reading it.
}  // namespace

Result<std::string> ReadSpecFile(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return Status::NotFound("cannot read " + path + ": " + ec.message());
  if (size > kMaxSpecBytes) return Status::ResourceExhausted(TooLargeMessage(size));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

const Resource* Fleet::Find(const std::string& key) const {
  auto it = by_key.find(key);
  return it == by_key.end() ? nullptr : &resources[it->second];
}

Result<std::vector<SpecInput>> InputsAtRevision(const Repository& repo, const std::string& revision) {
  ASSIGN_OR_RETURN(git_oid commit, repo.ResolveCommit(revision));
  ASSIGN_OR_RETURN(git_oid tree, repo.TreeOfCommit(commit));
  ASSIGN_OR_RETURN(std::vector<TreeFile> files, repo.ListFiles(tree));
  std::vector<SpecInput> inputs;
  inputs.reserve(files.size());
  for (auto& f : files) inputs.push_back({std::move(f.path), f.oid, f.mode, ""});
  return inputs;
}

Result<std::vector<SpecInput>> InputsOnDisk(const std::string& root,
                                            const std::vector<std::string>& paths) {
  std::vector<SpecInput> inputs;
  fs::path base = fs::path(root).lexically_normal();
  auto add = [&](const fs::path& p, bool symlink) {
    SpecInput in;
    in.path = p.lexically_relative(base).generic_string();
    in.disk_path = p.string();
    in.mode = symlink ? GIT_FILEMODE_LINK : GIT_FILEMODE_BLOB;
    inputs.push_back(std::move(in));
  };
  for (const auto& raw : paths) {
    fs::path p = fs::path(raw).lexically_normal();
    std::error_code ec;
    auto status = fs::symlink_status(p, ec);
    if (ec || !fs::exists(status)) return Status::NotFound("no such file or directory: " + raw);
    if (fs::is_directory(status)) {
      auto it = fs::recursive_directory_iterator(p, ec);
      if (ec) return Status::NotFound("cannot read " + raw + ": " + ec.message());
      for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->path().filename() == ".git") {
          it.disable_recursion_pending();
          continue;
        }
        if (it->is_symlink()) {
          add(it->path(), true);
          it.disable_recursion_pending();
        } else if (it->is_regular_file()) {
          add(it->path(), false);
        }
      }
      // A failed step ends the walk as if it were complete: say so instead of checking half.
      if (ec) return Status::NotFound("cannot read everything under " + raw + ": " + ec.message());
    } else {
      add(p, fs::is_symlink(status));
    }
  }
  std::sort(inputs.begin(), inputs.end(),
            [](const SpecInput& a, const SpecInput& b) { return a.path < b.path; });
  return inputs;
}

Result<Fleet> LoadFleet(const std::string& repo_path, const std::vector<SpecInput>& inputs,
                        const std::shared_ptr<const SchemaSet>& schemas, int threads,
                        Diagnostics* diagnostics) {
  std::vector<std::optional<Resource>> slots(inputs.size());
  std::vector<Diagnostics> per_worker(static_cast<size_t>(std::max(threads, 1)));
  std::vector<Status> failures(per_worker.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> checked{0};
  constexpr size_t kChunk = 64;

  auto work = [&](size_t worker) {
    Diagnostics& diags = per_worker[worker];
    SchemaValidator validator(schemas);
    std::optional<Repository> repo;
    for (size_t begin = next.fetch_add(kChunk); begin < inputs.size();
         begin = next.fetch_add(kChunk)) {
      for (size_t i = begin; i < std::min(begin + kChunk, inputs.size()); ++i) {
        const SpecInput& in = inputs[i];
        Result<PathRule> rule = ClassifyPath(in.path);
        if (rule.ok() && rule->area == Area::kNotSpec) continue;
        checked.fetch_add(1, std::memory_order_relaxed);
        if (in.mode == GIT_FILEMODE_LINK) {
          diags.push_back({in.path, 0, 0, "", "symlinks are not allowed in the spec tree"});
          continue;
        }
        if (in.mode == GIT_FILEMODE_COMMIT) {
          diags.push_back({in.path, 0, 0, "", "submodules are not allowed in the spec tree"});
          continue;
        }
        std::string bytes;
        if (!in.disk_path.empty()) {
          Result<std::string> read = ReadSpecFile(in.disk_path);
          if (!read.ok()) {
            diags.push_back({in.path, 0, 0, "", read.status().message()});
            continue;
          }
          bytes = std::move(read).value();
        } else {
          if (!repo.has_value()) {
            Result<Repository> opened = Repository::Open(repo_path);
            if (!opened.ok()) {
              failures[worker] = opened.status();
              return;
            }
            repo.emplace(std::move(opened).value());
          }
          Result<size_t> size = repo->ObjectSize(in.blob);
          if (!size.ok()) {
            failures[worker] = size.status();
            return;
          }
          if (*size > kMaxSpecBytes) {  // refused without inflating it
            diags.push_back({in.path, 0, 0, "", TooLargeMessage(*size)});
            continue;
          }
          Result<std::string> read = repo->ReadBlob(in.blob);
          if (!read.ok()) {
            failures[worker] = read.status();
            return;
          }
          bytes = std::move(read).value();
        }
        slots[i] = LoadResource(in.path, bytes, &validator, &diags);
      }
    }
  };

  std::vector<std::thread> pool;
  for (size_t w = 1; w < per_worker.size(); ++w) {
    try {
      pool.emplace_back(work, w);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones running (and this one) share the work
    }
  }
  work(0);
  for (auto& t : pool) t.join();
  for (const Status& s : failures) RETURN_IF_ERROR(s);

  Fleet fleet;
  fleet.files_checked = checked.load();
  for (auto& d : per_worker) {
    diagnostics->insert(diagnostics->end(), std::make_move_iterator(d.begin()),
                        std::make_move_iterator(d.end()));
  }
  for (auto& slot : slots) {
    if (!slot.has_value()) continue;
    Resource& r = *slot;
    auto [it, inserted] = fleet.by_key.emplace(r.key, fleet.resources.size());
    if (!inserted) {
      diagnostics->push_back({r.file, r.kind_mark.line, r.kind_mark.column, "metadata.name",
                              "duplicate resource " + r.key + ", also defined in " +
                                  fleet.resources[it->second].file});
      continue;
    }
    fleet.resources.push_back(std::move(r));
  }
  return fleet;
}

}  // namespace strata::specs
