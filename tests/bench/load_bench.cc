// Benchmark: strata under load, as real processes — `strata reconcile --watch` (with its webhook
// and its ops endpoint) and one `strata controller NAME` per controller — on a generated bare
// fleet repo, with librdkafka's mock cluster (3 brokers, in this process) as Kafka.
//
// 1. Burst: pull-request-like commits (load_burst.h) made in a clone and pushed with one `git
//    push`; the post-receive hook wakes the reconciler. Timed from the push: the reconciler's
//    checkpoint reaching the pushed head, and the controllers' last commit once main has been
//    quiet for 2 s with the checkpoint at its head and every controller's consumer group at the
//    end of its input (controller_lag.h). Then main is compared with a fresh derivation of its
//    inputs (load_derivation.h). Also: each process's peak VmRSS during the burst against its
//    VmRSS before, the events published (the desired topics' end offsets), the controllers'
//    commits, and as the peer git itself walking the same commits.
// 2. Webhook flood (load_flood.h): a commit lands on the bare repo without waking anyone; first
//    only requests that must be refused are sent (the checkpoint must not move), then validly
//    signed pushes join them (the checkpoint must reach the commit). /healthz is probed all along.
//
//   build/tests/bench/load_bench          2,000 clusters, 1,000 commits, 32 clients for 10 s + 20 s
//   build/tests/bench/load_bench --quick  1,000 clusters, 200 commits, 32 clients for 1 s + 2 s
//                                         (the CI smoke)
//   --clusters N --commits N --clients N --flood-seconds S (per phase) --keep (leave repos and logs)
// Exits 1 when the burst does not converge in time or differs from the fresh derivation, when a
// refused request moved the checkpoint or a signed one did not, or when a /healthz probe failed.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>

#include "core/change_event.h"
#include "core/git.h"
#include "core/mock_kafka.h"
#include "core/test_support.h"
#include "examples/generator/fleet_generator.h"
#include "reconciler/controllers/registry.h"
#include "reconciler/reconcile/checkpoint.h"
#include "specs/kinds.h"
#include "tests/bench/bench_support.h"
#include "tests/bench/load_burst.h"
#include "tests/bench/load_derivation.h"
#include "tests/bench/load_flood.h"
#include "tests/bench/load_rss.h"
#include "tests/support/child_process.h"
#include "tests/support/controller_lag.h"

namespace {

using strata::bench::Clock;
using strata::testing::ChildProcess;
using strata::testing::Sh;

const std::string kStrata = STRATA_BINARY;
const std::string kPerson = "Ada";  // the burst's author; every other author is a controller

struct Settings {
  int clusters = 2000;
  int commits = 1000;
  int clients = 32;
  int flood_seconds = 10;  // refused-only; the mixed phase runs twice as long
  std::chrono::seconds converge_bound{600};
  bool keep = false;
};

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "load_bench: %s\n", message.c_str());
  std::exit(1);
}
template <class T>
T Must(strata::Result<T> result, const std::string& what) {
  if (!result.ok()) Fail(what + ": " + result.status().ToString());
  return std::move(*result);
}
void Must(const strata::Status& status, const std::string& what) {
  if (!status.ok()) Fail(what + ": " + status.ToString());
}
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
std::string Thousands(long n) {
  std::string s = std::to_string(n);
  for (int at = static_cast<int>(s.size()) - 3; at > (n < 0 ? 1 : 0); at -= 3) s.insert(at, ",");
  return s;
}

struct Running {
  std::string name;
  std::unique_ptr<ChildProcess> process;
};

// Records on every strata.desired.* topic: what the reconciler has published so far.
long DesiredRecords(const std::string& kafka) {
  auto conf = Must(strata::MakeKafkaConf({{"bootstrap.servers", kafka}}), "kafka conf");
  char err[256];
  strata::KafkaPtr handle(rd_kafka_new(RD_KAFKA_PRODUCER, conf.release(), err, sizeof err));
  if (handle == nullptr) Fail(err);
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(handle.get(), 1, nullptr, &metadata, 5000) != 0) Fail("no Kafka metadata");
  long records = 0;
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const rd_kafka_metadata_topic_t& topic = metadata->topics[t];
    if (std::string_view(topic.topic).rfind("strata.desired.", 0) != 0) continue;
    for (int p = 0; p < topic.partition_cnt; ++p) {
      int64_t low = 0, high = 0;
      if (rd_kafka_query_watermark_offsets(handle.get(), topic.topic, topic.partitions[p].id, &low, &high,
                                           5000) == 0) {
        records += high;
      }
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return records;
}

// The number after "http://HOST:" on the log line holding `marker`; 0 until it is there.
int PortAfter(const std::string& log, const std::string& marker) {
  std::smatch m;
  std::regex line(marker + " http://[^ \\n]*:([0-9]+)");
  return std::regex_search(log, m, line) ? std::stoi(m[1]) : 0;
}

// How main settled after `from`: see the file comment.
struct Convergence {
  double checkpoint_s = -1;  // the checkpoint at (or past) `pushed`
  double caught_up_s = -1;   // the last controller commit
  bool settled = false;
  double settled_s = -1;     // when that was confirmed
  git_oid head{};
  std::map<std::string, int> commits;  // after `from`, by author
};
Convergence Follow(const strata::Repository& repo, const std::string& kafka, const git_oid& from,
                   const git_oid& pushed, Clock::time_point start, Clock::time_point deadline) {
  strata::testing::ControllerLag lag(kafka);
  Convergence c;
  c.head = from;
  Clock::time_point last_change = Clock::now(), last_check{};
  while (Clock::now() < deadline) {
    git_oid head = Must(repo.ResolveCommit("refs/heads/main"), "main");
    if (!git_oid_equal(&head, &c.head)) {
      std::map<std::string, int> fresh;
      strata::bench::CountCommits(repo, c.head, head, &fresh);
      for (const auto& [who, n] : fresh) c.commits[who] += n;
      if (fresh.size() > fresh.count(kPerson)) c.caught_up_s = Seconds(Clock::now() - start);
      c.head = head;
      last_change = Clock::now();
    }
    auto checkpoint = strata::reconcile::ReadCheckpoint(repo, "main");
    bool at_head = checkpoint.ok() && checkpoint->exists && git_oid_equal(&checkpoint->commit, &c.head);
    if (c.checkpoint_s < 0 && checkpoint.ok() && checkpoint->exists) {
      auto past = repo.Descends(checkpoint->commit, pushed);
      if (past.ok() && *past) c.checkpoint_s = Seconds(Clock::now() - start);
    }
    if (c.caught_up_s >= 0 && at_head && Clock::now() - last_change > std::chrono::seconds(2) &&
        Clock::now() - last_check > std::chrono::seconds(1)) {
      last_check = Clock::now();
      if (lag.CaughtUp() && git_oid_equal(&c.head, &*repo.ResolveCommit("refs/heads/main"))) {
        c.settled = true;
        c.settled_s = Seconds(Clock::now() - start);
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return c;
}

std::string Authors(const std::map<std::string, int>& commits) {
  std::string out;
  int total = 0;
  for (const auto& [who, n] : commits) {
    if (who == kPerson) continue;
    out += (out.empty() ? "" : ", ") + who.substr(who.rfind(' ') + 1) + " " + std::to_string(n);
    total += n;
  }
  return std::to_string(total) + " (" + out + ")";
}

// The fleet's processes and the Kafka, repos and ports they use.
struct Plane {
  std::string root, bare, kafka, secret;
  int webhook_port = 0, ops_port = 0;
  std::vector<Running> parts;  // the reconciler first
  std::vector<pid_t> Pids() const {
    std::vector<pid_t> pids;
    for (const auto& p : parts) pids.push_back(p.process->pid());
    return pids;
  }
  std::string Log(const std::string& name) const { return root + "/" + name + ".log"; }
};

void Start(Plane& plane) {
  std::string keys = plane.root + "/keys/sync";
  if (Sh(kStrata + " keys generate --out " + keys + " --force").code != 0) Fail("cannot make a signing key");
  std::ofstream(plane.root + "/webhook-secret") << plane.secret << "\n";
  plane.parts.push_back(
      {"reconcile",
       std::make_unique<ChildProcess>(
           std::vector<std::string>{kStrata, "--log-level", "info", "reconcile", "--watch", "--repo", plane.bare,
                                    "--kafka", plane.kafka, "--poll-interval", "3600", "--webhook-listen",
                                    "127.0.0.1:0", "--webhook-secret-file", plane.root + "/webhook-secret",
                                    "--ops-listen", "127.0.0.1:0"},
           plane.Log("reconcile"))});
  for (const std::string& name : strata::controllers::ControllerNames()) {
    std::vector<std::string> args = {kStrata, "--log-level", "info", "controller", name,
                                     "--repo", plane.bare, "--kafka", plane.kafka};
    if (name == "sync") args.insert(args.end(), {"--signing-key", keys});
    plane.parts.push_back({name, std::make_unique<ChildProcess>(args, plane.Log(name))});
  }
  ChildProcess& reconcile = *plane.parts[0].process;
  if (!reconcile.WaitForLog("watching", std::chrono::seconds(30))) Fail("the reconciler did not start; see " + plane.Log("reconcile"));
  plane.webhook_port = PortAfter(reconcile.Log(), "webhook listening on");
  plane.ops_port = PortAfter(reconcile.Log(), "metrics and health on");
  if (plane.webhook_port == 0 || plane.ops_port == 0) Fail("no webhook or ops port in " + plane.Log("reconcile"));
}

void PrintMemory(const Plane& plane, const std::map<pid_t, long>& before, const std::map<pid_t, long>& peak) {
  std::printf("  %-12s %12s %18s %16s\n", "memory, MiB", "VmRSS before", "peak VmRSS during", "VmHWM since start");
  for (const auto& p : plane.parts) {
    pid_t pid = p.process->pid();
    std::printf("  %-12s %12.1f %18.1f %16.1f\n", p.name.c_str(), before.at(pid) / 1024.0, peak.at(pid) / 1024.0,
                strata::bench::ProcStatusKiB(pid, "VmHWM") / 1024.0);
  }
}

// Part 1. Returns false when it did not converge.
bool Burst(const Plane& plane, const Settings& settings, const strata::Repository& repo) {
  std::string work = plane.root + "/work";
  if (Sh("git clone -q " + plane.bare + " " + work).code != 0) Fail("cannot clone the fleet");
  git_oid before_head = Must(repo.ResolveCommit("refs/heads/main"), "main");
  auto made_at = Clock::now();
  auto clone = Must(strata::Repository::Open(work), "the clone");
  strata::bench::Burst burst = Must(strata::bench::MakeBurst(clone, "refs/heads/main", settings.commits, 9, "a"), "burst");
  double make_s = Seconds(Clock::now() - made_at);

  long events_before = DesiredRecords(plane.kafka);
  std::map<pid_t, long> rss_before;
  for (pid_t p : plane.Pids()) rss_before[p] = strata::bench::ProcStatusKiB(p, "VmRSS");
  strata::bench::RssSampler sampler(plane.Pids());
  auto start = Clock::now();
  auto pushed = Sh("git -C " + work + " push -q origin main 2>&1");
  double push_s = Seconds(Clock::now() - start);
  if (pushed.code != 0) Fail("git push: " + pushed.out);
  Convergence c = Follow(repo, plane.kafka, burst.head, burst.head, start, start + settings.converge_bound);
  std::map<pid_t, long> peak = sampler.Stop();
  long events = DesiredRecords(plane.kafka) - events_before;

  auto derivation_at = Clock::now();
  auto differ = Must(strata::bench::DiffFromFreshDerivation(plane.bare, plane.root + "/fresh.git"), "fresh derivation");
  double derivation_s = Seconds(Clock::now() - derivation_at);

  std::string range = strata::OidToHex(before_head) + ".." + strata::OidToHex(burst.head);
  auto peer_at = Clock::now();
  auto count = Sh("git -C " + plane.bare + " rev-list --count " + range);
  double rev_list_ms = strata::bench::Ms(Clock::now() - peer_at);
  peer_at = Clock::now();
  auto log = Sh("git -C " + plane.bare + " log --oneline " + range + " | wc -l");
  double log_ms = strata::bench::Ms(Clock::now() - peer_at);

  std::printf("\n== burst: %s commits (%d CKU changes, %d clusters added, %d deleted) in one git push ==\n",
              Thousands(settings.commits).c_str(), burst.cku_changes, burst.added, burst.deleted);
  std::printf("  commits made in the clone (libgit2)              %8.2f s\n", make_s);
  std::printf("  git push (one push, post-receive hook)           %8.2f s\n", push_s);
  std::printf("  reconciler checkpoint at the pushed head         %8.2f s after the push began\n", c.checkpoint_s);
  std::printf("  every controller caught up (last commit)         %8.2f s", c.caught_up_s);
  if (c.settled) {
    std::printf("   (confirmed at %.2f s: quiet 2 s, checkpoint at main, consumer lag 0)\n", c.settled_s);
  } else {
    std::printf("   NOT SETTLED within %lld s\n", static_cast<long long>(settings.converge_bound.count()));
  }
  std::printf("  main equals a fresh derivation of its inputs     %8s   (%zu paths differ; checked in %.1f s)\n",
              differ.empty() ? "yes" : "NO", differ.size(), derivation_s);
  for (size_t i = 0; i < differ.size() && i < 5; ++i) std::printf("    differs: %s\n", differ[i].c_str());
  std::printf("  events published                                 %8s\n", Thousands(events).c_str());
  std::printf("  controller commits                               %s\n", Authors(c.commits).c_str());
  std::printf("  peer: git rev-list --count over the same range   %8.1f ms (%s commits)\n", rev_list_ms,
              count.out.substr(0, count.out.find('\n')).c_str());
  std::printf("  peer: git log --oneline | wc -l, same range      %8.1f ms\n", log_ms);
  PrintMemory(plane, rss_before, peak);
  std::fflush(stdout);
  return c.settled && differ.empty() && c.checkpoint_s >= 0;
}

// The checkpoint's commit, hex; "" when there is none.
std::string CheckpointAt(const strata::Repository& repo) {
  auto checkpoint = strata::reconcile::ReadCheckpoint(repo, "main");
  return checkpoint.ok() && checkpoint->exists ? strata::OidToHex(checkpoint->commit) : "";
}

void PrintFlood(const std::string& phase, const strata::bench::FloodReport& r, long rss_peak_kib) {
  auto healthz = strata::bench::Summarise(r.healthz_ms);
  double max = r.healthz_ms.empty() ? 0 : *std::max_element(r.healthz_ms.begin(), r.healthz_ms.end());
  std::printf("  %s: %s answered in %.1f s = %.0f requests/s; /healthz %zu probes p50 %.1f / p99 %.1f / "
              "max %.1f ms, %ld failed; reconciler peak VmRSS %.1f MiB\n",
              phase.c_str(), Thousands(r.answered).c_str(), r.seconds, r.answered / r.seconds,
              r.healthz_ms.size() + r.healthz_failures, healthz.median, healthz.p99, max, r.healthz_failures,
              rss_peak_kib / 1024.0);
  for (const auto& [kind, by_status] : r.answers) {
    std::printf("    %-14s", kind.c_str());
    for (const auto& [status, n] : by_status) {
      std::printf("  %s %s", strata::bench::Outcome(status).c_str(), Thousands(n).c_str());
    }
    std::printf("\n");
  }
}

// Part 2. Returns false when a refused request moved the checkpoint, a signed one did not, or
// /healthz failed.
bool Flood(const Plane& plane, const Settings& settings, const strata::Repository& repo) {
  // A commit nobody announces: no hook runs for a libgit2 commit, and the reconciler polls hourly.
  std::string before = CheckpointAt(repo);
  auto burst = Must(strata::bench::MakeBurst(repo, "refs/heads/main", 1, 11, "flood"), "unannounced commit");
  std::string unannounced = strata::OidToHex(burst.head);

  strata::bench::FloodOptions options;
  options.webhook_port = plane.webhook_port;
  options.ops_port = plane.ops_port;
  options.secret = plane.secret;
  options.head = unannounced;
  options.clients = settings.clients;
  std::printf("\n== webhook flood: %d clients, a connection per request; /healthz probed every 100 ms "
              "(1 s timeout) ==\n", settings.clients);
  pid_t reconcile = plane.parts[0].process->pid();

  options.duration = std::chrono::seconds(settings.flood_seconds);
  options.valid_pushes = false;
  strata::bench::RssSampler refused_rss({reconcile});
  auto refused = strata::bench::RunFlood(options);
  long refused_peak = refused_rss.Stop().at(reconcile);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a wake-up would have acted by now
  std::string after_refused = CheckpointAt(repo);
  PrintFlood("refused only (unsigned, bad signature, bad token, oversize)", refused, refused_peak);

  options.duration = std::chrono::seconds(2 * settings.flood_seconds);
  options.valid_pushes = true;
  strata::bench::RssSampler mixed_rss({reconcile});
  auto mixed = strata::bench::RunFlood(options);
  long mixed_peak = mixed_rss.Stop().at(reconcile);
  PrintFlood("mixed, signed pushes among them", mixed, mixed_peak);
  // Controllers may commit on top of it at once: past it counts.
  bool reached = strata::testing::Eventually(
      [&] {
        auto checkpoint = strata::reconcile::ReadCheckpoint(repo, "main");
        if (!checkpoint.ok() || !checkpoint->exists) return false;
        auto past = repo.Descends(checkpoint->commit, burst.head);
        return past.ok() && *past;
      },
      std::chrono::seconds(30));

  bool unmoved = after_refused == before;
  std::printf("  refused requests left the checkpoint where it was: %s; signed pushes brought it to the "
              "unannounced commit: %s\n", unmoved ? "yes" : "NO", reached ? "yes" : "NO");
  long no_answer = 0;
  for (const auto* r : {&refused, &mixed}) {
    for (const auto& [kind, by_status] : r->answers) {
      for (const auto& [status, n] : by_status) no_answer += status < 0 ? n : 0;
    }
  }
  bool served = refused.healthz_failures == 0 && mixed.healthz_failures == 0 && plane.parts[0].process->running();
  if (no_answer != 0) std::printf("  %ld requests got no answer\n", no_answer);
  std::fflush(stdout);
  return unmoved && reached && served;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (std::strcmp(argv[i], "--quick") == 0) {
      settings.clusters = 1000;
      settings.commits = 200;
      settings.flood_seconds = 1;
      settings.converge_bound = std::chrono::seconds(40);
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      settings.keep = true;
    } else if (std::strcmp(argv[i], "--clusters") == 0) {
      settings.clusters = next();
    } else if (std::strcmp(argv[i], "--commits") == 0) {
      settings.commits = next();
    } else if (std::strcmp(argv[i], "--clients") == 0) {
      settings.clients = next();
    } else if (std::strcmp(argv[i], "--flood-seconds") == 0) {
      settings.flood_seconds = next();
    }
  }
  Plane plane;
  plane.root = std::filesystem::temp_directory_path() / ("strata-load-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(plane.root);
  std::filesystem::create_directories(plane.root);
  plane.bare = plane.root + "/fleet.git";
  plane.secret = "load-bench-secret";
  std::printf("load_bench: %s clusters, %u cores; Kafka is a mock cluster (3 brokers) in this process\n",
              Thousands(settings.clusters).c_str(), std::thread::hardware_concurrency());

  auto kafka = Must(strata::MockKafka::Start(3), "mock Kafka");
  std::vector<std::string> kinds;
  for (const auto& kind : strata::specs::AllKinds()) kinds.emplace_back(kind.name);
  Must(kafka->CreateStrataTopics(kinds), "topics");
  plane.kafka = kafka->bootstrap_servers();
  strata::examples::FleetShape shape;
  shape.clusters = settings.clusters;
  shape.orgs = std::max(10, settings.clusters / 20);
  Must(strata::examples::WriteFleetToRepo(plane.bare, shape, "main", /*bare=*/true), "fleet");
  if (Sh(kStrata + " hook install --repo " + plane.bare).code != 0) Fail("cannot install the wake hook");
  auto repo = Must(strata::Repository::Open(plane.bare), "fleet repo");
  git_oid generated = Must(repo.ResolveCommit("refs/heads/main"), "main");

  auto cold = Clock::now();
  Start(plane);
  Convergence c = Follow(repo, plane.kafka, generated, generated, cold, cold + std::chrono::minutes(5));
  if (!c.settled) Fail("the cold start did not settle; see the logs in " + plane.root);
  std::printf("cold start: %.1f s to the controllers' last commit (%s commits)\n", c.caught_up_s,
              Authors(c.commits).c_str());
  std::fflush(stdout);

  bool converged = Burst(plane, settings, repo);
  bool stood = Flood(plane, settings, repo);
  std::printf("\nload_bench: %.0f s in all\n", Seconds(Clock::now() - cold));
  for (auto& p : plane.parts) p.process->Signal(SIGTERM);
  for (auto& p : plane.parts) p.process->Wait();
  if (settings.keep) {
    std::printf("repos and logs kept in %s\n", plane.root.c_str());
  } else {
    std::filesystem::remove_all(plane.root);
  }
  if (!converged) Fail("the burst did not converge");
  if (!stood) Fail("the webhook flood: see above");
  return 0;
}
