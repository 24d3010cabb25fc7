#include "reconciler/reconcile/change_builder.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "specs/kinds.h"
#include "specs/resource.h"
#include "specs/yaml_loader.h"

namespace strata::reconcile {
namespace {

// Below this many files one thread is faster than starting workers.
constexpr size_t kParallelThreshold = 256;

void AddError(ChangeEvent* event, const specs::Diagnostic& d) {
  event->errors.push_back({d.file, d.line, d.column, d.field, d.message});
}

}  // namespace

CommitContext ContextOf(const CommitInfo& info, const std::string& branch,
                        const std::string& source, const std::string& parent) {
  CommitContext context;
  context.branch = branch;
  context.source = source;
  context.commit = OidToHex(info.id);
  context.parent = parent;
  context.author = info.author_name + " <" + info.author_email + ">";
  context.time = FormatRfc3339Utc(info.author_time);
  for (const auto& [key, value] : info.trailers) {
    if (key == "Strata-Controller") context.controller = value;
    if (key == "Strata-Cause") context.causes.push_back(value);
  }
  return context;
}

std::string TopicOf(const ChangeEvent& event) {
  return event.kind.empty() ? std::string(kStatusTopic) : DesiredTopic(event.kind);
}

// One thread's means to read and check specs.
struct ChangeBuilder::Worker {
  explicit Worker(std::shared_ptr<const specs::SchemaSet> schemas)
      : validator(std::move(schemas)) {}
  specs::SchemaValidator validator;

  // The event for one changed file; nullopt when the file is not a published spec.
  Result<std::optional<ChangeEvent>> Build(const Repository& repo, const ChangedFile& change,
                                           const CommitContext& context) {
    Result<specs::PathRule> rule = specs::ClassifyPath(change.path);
    if (rule.ok() &&
        (rule->area == specs::Area::kNotSpec || rule->area == specs::Area::kSatellite)) {
      return std::optional<ChangeEvent>();
    }
    ChangeEvent event;
    event.path = change.path;
    event.source = context.source;
    event.branch = context.branch;
    event.commit = context.commit;
    event.parent = context.parent;
    event.author = context.author;
    event.time = context.time;
    event.controller = context.controller;
    event.causes = context.causes;
    if (!rule.ok()) {
      if (change.deleted()) return std::optional<ChangeEvent>();  // it never had a key
      event.type = ChangeType::kRejected;
      event.key = "File/" + change.path;
      event.errors.push_back({change.path, 0, 0, "", rule.status().message()});
      return std::optional<ChangeEvent>(std::move(event));
    }
    if (change.deleted()) {
      event.type = ChangeType::kDeleted;
      ASSIGN_OR_RETURN(event.kind, KindOfDeleted(repo, change, *rule));
      if (event.kind.empty()) return std::optional<ChangeEvent>();  // a file that never read
      event.key = KeyFromPath(event.kind, *rule);
      return std::optional<ChangeEvent>(std::move(event));
    }
    event.kind = rule->kind;
    specs::Diagnostics diagnostics;
    std::optional<specs::Resource> resource;
    if (change.new_mode != GIT_FILEMODE_BLOB && change.new_mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
      diagnostics.push_back({change.path, 0, 0, "", "a spec must be a regular file"});
    } else {
      ASSIGN_OR_RETURN(size_t size, repo.ObjectSize(change.new_oid));
      if (size > specs::kMaxSpecBytes) {
        diagnostics.push_back({change.path, 0, 0, "", specs::TooLargeMessage(size)});
      } else {
        ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(change.new_oid));
        resource = specs::LoadResource(change.path, bytes, &validator, &diagnostics,
                                       /*keep_tree=*/true);
      }
    }
    if (event.kind.empty() && resource.has_value()) event.kind = resource->kind;  // derived/
    if (resource.has_value() && resource->valid) {
      event.type = ChangeType::kUpserted;
      event.key = resource->key;
      event.spec = specs::ToJson(*resource->tree);
      return std::optional<ChangeEvent>(std::move(event));
    }
    event.type = ChangeType::kRejected;
    event.key = event.kind.empty() ? "File/" + change.path : KeyFromPath(event.kind, *rule);
    std::sort(diagnostics.begin(), diagnostics.end());
    for (const auto& d : diagnostics) AddError(&event, d);
    return std::optional<ChangeEvent>(std::move(event));
  }

  // The key a file at this path has: the path decides it, whatever the document says.
  static std::string KeyFromPath(const std::string& kind, const specs::PathRule& rule) {
    const specs::KindInfo* info = specs::FindKind(kind);
    std::string org =
        rule.area == specs::Area::kPolicy && kind == "OrgPolicy" ? rule.name : rule.org;
    return specs::ResourceKey(kind, info != nullptr && info->org_scoped ? org : "", rule.name);
  }

  // The kind of a deleted file: the path says it, except under derived/, where the old document
  // does. "" when the old document has no readable kind.
  Result<std::string> KindOfDeleted(const Repository& repo, const ChangedFile& change,
                                    const specs::PathRule& rule) {
    if (!rule.kind.empty()) return rule.kind;
    ASSIGN_OR_RETURN(size_t size, repo.ObjectSize(change.old_oid));
    if (size > specs::kMaxSpecBytes) return std::string();
    ASSIGN_OR_RETURN(std::string bytes, repo.ReadBlob(change.old_oid));
    specs::Diagnostics ignored;
    std::optional<specs::YamlDocument> doc = specs::LoadYaml(change.path, bytes, &ignored);
    if (!doc.has_value()) return std::string();
    std::string kind(doc->root.StringAt("kind"));
    return specs::FindKind(kind) != nullptr ? kind : std::string();
  }
};

ChangeBuilder::ChangeBuilder(std::string repo_path, std::shared_ptr<const specs::SchemaSet> schemas,
                             int threads)
    : repo_path_(std::move(repo_path)),
      schemas_(std::move(schemas)),
      threads_(std::max(1, threads)),
      local_(std::make_unique<Worker>(schemas_)) {}

ChangeBuilder::~ChangeBuilder() = default;

Result<std::vector<ChangeEvent>> ChangeBuilder::Build(const Repository& repo,
                                                      const std::vector<ChangedFile>& changes,
                                                      const CommitContext& context,
                                                      uint64_t first_sequence) {
  std::vector<std::optional<ChangeEvent>> slots(changes.size());
  size_t workers = changes.size() < kParallelThreshold
                       ? 1
                       : std::min<size_t>(static_cast<size_t>(threads_), changes.size());
  if (workers == 1) {
    for (size_t i = 0; i < changes.size(); ++i) {
      ASSIGN_OR_RETURN(slots[i], local_->Build(repo, changes[i], context));
    }
  } else {
    std::vector<Status> failures(workers);
    {
      std::vector<std::jthread> pool;  // joined when the block ends, even on an exception
      for (size_t w = 0; w < workers; ++w) {
        pool.emplace_back([&, w] {
          Result<Repository> own = Repository::Open(repo_path_);
          if (!own.ok()) {
            failures[w] = own.status();
            return;
          }
          Worker worker(schemas_);
          for (size_t i = w; i < changes.size(); i += workers) {
            Result<std::optional<ChangeEvent>> event = worker.Build(*own, changes[i], context);
            if (!event.ok()) {
              failures[w] = event.status();
              return;
            }
            slots[i] = std::move(*event);
          }
        });
      }
    }
    for (const Status& s : failures) RETURN_IF_ERROR(s);
  }
  std::vector<ChangeEvent> events;
  events.reserve(changes.size());
  for (auto& slot : slots) {
    if (!slot.has_value()) continue;
    slot->sequence = first_sequence + events.size();
    events.push_back(std::move(*slot));
  }
  return events;
}

}  // namespace strata::reconcile
