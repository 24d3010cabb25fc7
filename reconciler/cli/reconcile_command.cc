// strata reconcile: publish the fleet branch's commits as change events on Kafka.
//   --once   publish what is new and exit (what a hook or a cron job runs)
//   --watch  keep going: poll at an interval, and wake at once on a git hook (`strata hook
//            install`) or a signed webhook from the git host.
// A remote --repo URL is kept as a local bare mirror, fetched before each pass; the checkpoint
// lives in the mirror.
#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <cctype>
#include <thread>

#include "core/git.h"
#include "reconciler/cli/commands.h"
#include "reconciler/cli/kafka_options.h"
#include "reconciler/cli/ops_options.h"
#include "reconciler/reconcile/reconciler.h"
#include "reconciler/reconcile/wake.h"
#include "reconciler/reconcile/watch.h"
#include "reconciler/reconcile/webhook.h"

namespace strata::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop.store(true); }

struct ReconcileFlags {
  std::string repo;
  std::string branch = "main";
  std::string mirror;
  std::string source;
  bool once = false;
  bool watch = false;
  double poll_interval = 5.0;
  std::string webhook_listen;
  std::string webhook_secret_file;
  int threads = 0;
  size_t bootstrap_batch = 10000;
};

bool IsRemote(const std::string& repo) {
  std::error_code ec;
  return !std::filesystem::exists(repo, ec) && repo.find("://") != std::string::npos;
}

// The URL without its user and password ("https://user:token@host/x" → "https://host/x"): what
// may be logged or used in a file name.
std::string RedactUrl(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t host = scheme + 3;
  size_t path = url.find('/', host);
  size_t at = url.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at == std::string::npos || at < host) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

// `text` with every occurrence of `url` replaced by its redacted form (libgit2's errors quote it).
std::string Redacted(std::string text, const std::string& url) {
  std::string safe = RedactUrl(url);
  for (size_t at = text.find(url); at != std::string::npos; at = text.find(url, at + safe.size())) {
    text.replace(at, url.size(), safe);
  }
  return text;
}

std::string DefaultMirror(const std::string& url) {
  const char* cache = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  std::string base = cache != nullptr && *cache != '\0' ? cache
                     : home != nullptr                  ? std::string(home) + "/.cache"
                                                        : "/tmp";
  std::string name;
  for (char c : RedactUrl(url)) name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return base + "/strata/mirrors/" + name;
}

// Makes (once) and refreshes the local bare mirror of a remote fleet repo.
// Errors name the URL without credentials.
Status FetchMirror(const std::string& url, const std::string& mirror, const std::string& branch) {
  Result<Repository> repo = Repository::Open(mirror);
  if (!repo.ok()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(mirror).parent_path(), ec);
    repo = Repository::Init(mirror, /*bare=*/true, branch);
    if (!repo.ok()) return repo.status();
  }
  Status fetched = repo->Fetch(url, {"+refs/heads/" + branch + ":refs/heads/" + branch});
  if (fetched.ok()) return fetched;
  return Status::Unavailable(Redacted(fetched.message(), url));
}

// Bootstrap progress: a bar on a terminal, a plain line per tenth otherwise.
std::function<void(size_t, size_t)> ProgressPrinter() {
  bool terminal = ::isatty(STDERR_FILENO) != 0;
  auto last_tenth = std::make_shared<size_t>(0);
  return [terminal, last_tenth](size_t done, size_t total) {
    if (total == 0) return;
    if (terminal) {
      int width = 40;
      int filled = static_cast<int>(width * done / total);
      std::fprintf(stderr, "\rbootstrap [%s%s] %zu/%zu files", std::string(filled, '#').c_str(),
                   std::string(width - filled, ' ').c_str(), done, total);
      if (done == total) std::fputc('\n', stderr);
    } else {
      size_t tenth = done * 10 / total;
      if (tenth > *last_tenth || done == total) {
        std::fprintf(stderr, "bootstrap: %zu of %zu files published\n", done, total);
        *last_tenth = tenth;
      }
    }
  };
}

void PrintReport(const reconcile::ReconcileReport& report, const std::string& branch) {
  if (report.commits == 0 && report.skipped.empty()) {
    std::printf("%s is up to date at %s\n", branch.c_str(), report.head.substr(0, 12).c_str());
    return;
  }
  std::printf("published %zu commit%s of %s: %zu event%s, %zu rejected%s; checkpoint at %s\n",
              report.commits, report.commits == 1 ? "" : "s", branch.c_str(), report.events,
              report.events == 1 ? "" : "s",
              report.rejected,
              report.bootstrap ? " (bootstrap)" : report.force_push ? " (after a force push)" : "",
              report.head.substr(0, 12).c_str());
  for (const auto& s : report.skipped) std::printf("skipped unreadable commit %s\n", s.c_str());
  std::fflush(stdout);
}

Result<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read the webhook secret file " + path);
  std::string secret((std::istreambuf_iterator<char>(in)), {});
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return Status::InvalidArgument("the webhook secret file " + path + " is empty");
  return secret;
}

int Run(const ReconcileFlags& flags, const KafkaOptions& kafka, const std::string& ops_listen) {
  Result<KafkaProperties> properties = ResolveKafkaProperties(kafka);
  if (!properties.ok()) {
    std::fprintf(stderr, "strata reconcile: %s\n", properties.status().message().c_str());
    return kExitError;
  }
  bool remote = IsRemote(flags.repo);
  std::string local = remote ? (flags.mirror.empty() ? DefaultMirror(flags.repo) : flags.mirror)
                             : flags.repo;
  if (remote) {
    if (Status s = FetchMirror(flags.repo, local, flags.branch); !s.ok()) {
      std::fprintf(stderr, "strata reconcile: %s\n", s.ToString().c_str());
      return kExitError;
    }
  }
  auto schemas = specs::SchemaSet::LoadEmbedded();
  if (!schemas.ok()) {
    std::fprintf(stderr, "strata reconcile: %s\n", schemas.status().ToString().c_str());
    return kExitError;
  }
  KafkaProperties producer_properties = *properties;
  auto producer = Producer::Create(producer_properties);
  if (!producer.ok()) {
    std::fprintf(stderr, "strata reconcile: %s\n", producer.status().message().c_str());
    return kExitError;
  }
  reconcile::ReconcilerOptions options;
  options.repo_path = local;
  options.branch = flags.branch;
  options.source = flags.source;
  options.threads = flags.threads;
  options.bootstrap_batch = flags.bootstrap_batch;
  options.progress = ProgressPrinter();
  auto make_reconciler = [&]() { return reconcile::Reconciler::Create(options, *schemas, producer->get()); };
  auto reconciler = make_reconciler();
  if (!reconciler.ok()) {
    std::fprintf(stderr, "strata reconcile: %s\n", reconciler.status().ToString().c_str());
    return kExitError;
  }

  if (!flags.watch) {
    auto report = (*reconciler)->RunOnce();
    if (!report.ok()) {
      std::fprintf(stderr, "strata reconcile: %s\n", report.status().ToString().c_str());
      return kExitError;
    }
    PrintReport(*report, flags.branch);
    return kExitOk;
  }

  ::signal(SIGINT, OnStopSignal);
  ::signal(SIGTERM, OnStopSignal);
  auto repo = Repository::Open(local);
  if (!repo.ok()) {
    std::fprintf(stderr, "strata reconcile: %s\n", repo.status().ToString().c_str());
    return kExitError;
  }
  std::string git_dir = git_repository_path(repo->raw());
  std::unique_ptr<reconcile::WebhookServer> webhook;
  if (!flags.webhook_listen.empty()) {
    auto secret = ReadSecretFile(flags.webhook_secret_file);
    if (!secret.ok()) {
      std::fprintf(stderr, "strata reconcile: %s\n", secret.status().message().c_str());
      return kExitError;
    }
    reconcile::WebhookOptions webhook_options;
    auto address = ParseListenAddress(flags.webhook_listen);
    if (!address.ok()) {
      std::fprintf(stderr, "strata reconcile: --webhook-listen: %s\n", address.status().message().c_str());
      return kExitError;
    }
    webhook_options.host = address->host;
    webhook_options.port = address->port;
    webhook_options.secret = *secret;
    webhook_options.branch = flags.branch;
    auto started = reconcile::WebhookServer::Start(webhook_options,
                                                   [git_dir] { reconcile::NotifyReconcilers(git_dir); });
    if (!started.ok()) {
      std::fprintf(stderr, "strata reconcile: %s\n", started.status().message().c_str());
      return kExitError;
    }
    webhook = std::move(*started);
    std::fprintf(stderr, "webhook listening on http://%s:%d/webhook\n", webhook_options.host.c_str(),
                 webhook->port());
  }
  std::atomic<bool> caught_up{false};
  auto ops = StartOps(ops_listen, "reconcile");
  if (!ops.ok()) {
    std::fprintf(stderr, "strata reconcile: %s\n", ops.status().message().c_str());
    return kExitError;
  }
  if (*ops != nullptr) {
    (*ops)->AddReadinessCheck("reconciler", [&caught_up] {
      return caught_up.load() ? Status::Ok()
                              : Status::Unavailable("the last pass did not reach Kafka (or none ran yet)");
    });
  }
  std::fprintf(stderr, "watching %s branch %s\n", RedactUrl(flags.repo).c_str(), flags.branch.c_str());
  reconcile::WatchOptions watch;
  watch.reconciler = options;
  watch.kafka = producer_properties;
  watch.poll = std::chrono::milliseconds(static_cast<int64_t>(flags.poll_interval * 1000));
  if (remote) {
    watch.before_pass = [&flags, local] { return FetchMirror(flags.repo, local, flags.branch); };
  }
  watch.on_report = [&flags](const reconcile::ReconcileReport& report) { PrintReport(report, flags.branch); };
  reconciler->reset();  // Watch makes its own
  producer->reset();
  if (Status s = reconcile::Watch(watch, *schemas, g_stop, &caught_up); !s.ok()) {
    std::fprintf(stderr, "strata reconcile: %s\n", s.ToString().c_str());
    return kExitError;
  }
  std::fprintf(stderr, "stopped\n");
  return kExitOk;
}

}  // namespace

void AddReconcileCommand(CLI::App& app, int* exit_code) {
  auto flags = std::make_shared<ReconcileFlags>();
  auto kafka = std::make_shared<KafkaOptions>();
  CLI::App* cmd = app.add_subcommand(
      "reconcile", "Publish the fleet branch's commits as change events on Kafka");
  cmd->add_option("--repo", flags->repo, "The fleet repository: a path, or a URL to mirror")
      ->required();
  cmd->add_option("--branch", flags->branch, "The fleet branch")->capture_default_str();
  AddKafkaOptions(cmd, kafka);
  auto* once = cmd->add_flag("--once", flags->once, "Publish what is new, then exit (the default)");
  auto* watch = cmd->add_flag("--watch", flags->watch,
                              "Keep publishing: poll, and wake on hooks and webhooks");
  once->excludes(watch);
  cmd->add_option("--poll-interval", flags->poll_interval, "Seconds between polls with --watch")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  cmd->add_option("--webhook-listen", flags->webhook_listen,
                  "HOST:PORT to receive GitHub/GitLab push webhooks on (with --watch)")
      ->needs(watch);
  cmd->add_option("--webhook-secret-file", flags->webhook_secret_file,
                  "The file holding the webhook's shared secret");
  cmd->add_option("--mirror", flags->mirror,
                  "Where to keep the local mirror of a remote --repo (default: ~/.cache/strata/mirrors/…)");
  cmd->add_option("--source", flags->source, "CloudEvents source (default /strata/<branch>)");
  cmd->add_option("--threads", flags->threads, "Workers for big changes (0: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--bootstrap-batch", flags->bootstrap_batch,
                  "Events per Kafka batch when publishing a whole fleet")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str();
  auto ops_listen = AddOpsListenOption(cmd);
  cmd->callback([=] {
    if (!flags->webhook_listen.empty() && flags->webhook_secret_file.empty()) {
      std::fprintf(stderr, "strata reconcile: --webhook-listen needs --webhook-secret-file\n");
      *exit_code = kExitError;
      return;
    }
    *exit_code = Run(*flags, *kafka, *ops_listen);
  });
}

}  // namespace strata::cli
