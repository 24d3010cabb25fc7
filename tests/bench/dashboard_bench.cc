// The dashboard on a large fleet: what it costs to know the fleet (the index, built once, then
// moved along the branch), and how fast the API answers a fleet summary and a page of clusters —
// in process and over HTTP — against the peer a dashboard without an index would be: reading the
// fleet's tenant and physical files from git for every request (`git ls-tree | git cat-file
// --batch`, the git command line at its fastest).
//
//   build/tests/bench/dashboard_bench             10,000 clusters (the figure)
//   build/tests/bench/dashboard_bench --quick     500 clusters (the CI smoke run)
//
// The fleet is generated (strata gen fleet), derived by the real controllers in process, and every
// physical resource is reported Ready (one in fifty Degraded) as agents would report it.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <httplib.h>

#include "core/resource_status.h"
#include "reconciler/controllers/in_process_cake.h"
#include "reconciler/dashboard/dashboard_api.h"
#include "reconciler/dashboard/dashboard_server.h"
#include "reconciler/dashboard/dashboard_state.h"
#include "examples/generator/fleet_generator.h"
#include "tests/bench/bench_support.h"

namespace {

using namespace strata;
using bench::Clock;
using bench::Ms;

int Fail(const Status& s) {
  std::fprintf(stderr, "dashboard_bench: %s\n", s.ToString().c_str());
  return 1;
}

struct Timings {
  std::vector<double> ms;
  double Percentile(double p) {
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  }
};

template <typename F>
Timings Repeat(int times, F&& f) {
  Timings t;
  for (int i = 0; i < times; ++i) {
    auto start = Clock::now();
    f();
    t.ms.push_back(Ms(Clock::now() - start));
  }
  return t;
}

void Print(const char* what, Timings t) {
  std::printf("  %-44s p50 %8.2f ms   p99 %8.2f ms\n", what, t.Percentile(0.5), t.Percentile(0.99));
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  examples::FleetShape shape;
  shape.clusters = quick ? 500 : 10000;
  shape.orgs = quick ? 50 : 500;
  const int requests = quick ? 10 : 50;
  std::string dir = std::filesystem::temp_directory_path() /
                    ("strata-dashboard-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string bare = dir + "/fleet.git";
  std::printf("dashboard_bench: %d logical clusters\n", shape.clusters);

  auto start = Clock::now();
  auto generated = examples::WriteFleetToRepo(bare, shape, "main", true);
  if (!generated.ok()) return Fail(generated.status());
  auto cake = controllers::InProcessCake::Create(bare);
  if (!cake.ok()) return Fail(cake.status());
  if (auto settled = (*cake)->Settle(); !settled.ok()) return Fail(settled.status());
  std::printf("  fleet generated and derived by the controllers in %.1f s\n", Ms(Clock::now() - start) / 1000);

  auto repo = Repository::Open(bare);
  if (!repo.ok()) return Fail(repo.status());
  auto head = repo->ResolveCommit("refs/heads/main");
  if (!head.ok()) return Fail(head.status());

  dashboard::DashboardState state;
  start = Clock::now();
  if (Status s = state.AdvanceTo(*repo, *head, 0); !s.ok()) return Fail(s);
  double build_ms = Ms(Clock::now() - start);

  // Every physical resource reported, as the agents would.
  std::set<std::string> physical;
  state.ReadIndex([&](const dashboard::FleetIndex* index) {
    for (const auto& [key, cluster] : index->clusters()) {
      if (const std::string& p = index->PhysicalOf(key); !p.empty()) physical.insert(p);
    }
  });
  start = Clock::now();
  int n = 0;
  for (const std::string& key : physical) {
    ResourceStatus s;
    s.key = key;
    s.satellite = "aws-us-west-2-1";
    s.phase = ++n % 50 == 0 ? "Degraded" : "Ready";
    s.observed_at = NowRfc3339Millis();
    s.reporter = "agent/aws-us-west-2-1";
    state.ApplyStatus(EncodeResourceStatus(s));
  }
  double apply_ms = Ms(Clock::now() - start);
  std::printf("  index of the branch head built in %.0f ms; %zu status reports applied in %.0f ms\n",
              build_ms, physical.size(), apply_ms);

  // One person's commit: a cluster grows. The index reads only what changed.
  std::string path;
  state.ReadIndex([&](const dashboard::FleetIndex* index) { path = index->clusters().begin()->second.path; });
  auto tree = repo->TreeOfCommit(*head);
  auto file = repo->FindPath(*tree, path);
  auto text = repo->ReadBlob(file->oid);
  auto next_tree = repo->UpdateTree(*tree, {{path, *text + "# grown\n"}});
  if (!next_tree.ok()) return Fail(next_tree.status());
  auto next = repo->Commit("refs/heads/main", *next_tree, {*head}, "grow", "Ada", "ada@example.com");
  if (!next.ok()) return Fail(next.status());
  start = Clock::now();
  if (Status s = state.AdvanceTo(*repo, *next, 0); !s.ok()) return Fail(s);
  std::printf("  index moved along a one-file commit in %.2f ms\n\n", Ms(Clock::now() - start));

  dashboard::DashboardApi api(bare, "main", state, [] { return int64_t{0}; });
  // A figure counts only for an answer that is one.
  auto answer = [&](const std::string& route, const dashboard::ApiParams& params) {
    dashboard::ApiResponse r = api.Handle(route, params);
    if (r.status != 200) {
      std::fprintf(stderr, "dashboard_bench: %s answered %d: %s\n", route.c_str(), r.status, r.body.c_str());
      std::exit(1);
    }
    return r;
  };
  auto fetch = [&](httplib::Client& client, const std::string& route) {
    auto r = client.Get(route);
    if (!r || r->status != 200) {
      std::fprintf(stderr, "dashboard_bench: GET %s failed (%d)\n", route.c_str(), r ? r->status : -1);
      std::exit(1);
    }
  };
  size_t summary_bytes = 0;
  std::printf("in process (DashboardApi):\n");
  Print("fleet summary (/api/fleet)", Repeat(requests, [&] {
          summary_bytes = answer("/api/fleet", {}).body.size();
        }));
  Print("a page of 50 mid-fleet (/api/clusters)", Repeat(requests, [&] {
          answer("/api/clusters", {{"offset", std::to_string(shape.clusters / 2)}});
        }));
  Print("search by key (/api/clusters?q=-1)", Repeat(requests, [&] { answer("/api/clusters", {{"q", "-1"}}); }));

  auto server = dashboard::DashboardServer::Start({"127.0.0.1", 0, ""}, api, state);
  if (!server.ok()) return Fail(server.status());
  httplib::Client client("127.0.0.1", (*server)->port());
  std::printf("over HTTP (%zu bytes of summary):\n", summary_bytes);
  Print("GET /api/fleet", Repeat(requests, [&] { fetch(client, "/api/fleet"); }));
  Print("GET /api/clusters?phase=Degraded", Repeat(requests, [&] { fetch(client, "/api/clusters?phase=Degraded"); }));

  std::printf("peer, the fleet read from git for each request:\n");
  std::string peer = "git -C " + bare + " ls-tree -r main -- tenants derived/pkc | awk '{print $3}' | git -C " +
                     bare + " cat-file --batch > /dev/null";
  Print("git ls-tree | git cat-file --batch", Repeat(quick ? 3 : 5, [&] {
          if (std::system(peer.c_str()) != 0) std::fprintf(stderr, "the peer failed\n");
        }));
  server->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
