#include "tests/bench/load_flood.h"

#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "reconciler/reconcile/webhook.h"

namespace strata::bench {
namespace {

using Clock = std::chrono::steady_clock;
using ::strata::reconcile::GithubSignature;

struct Request {
  std::string kind;
  httplib::Headers headers;
  const std::string* body;
};

}  // namespace

std::string Outcome(int status) {
  return status > 0 ? "HTTP " + std::to_string(status)
                    : "no answer (" + httplib::to_string(static_cast<httplib::Error>(-status)) + ")";
}


FloodReport RunFlood(const FloodOptions& options) {
  const std::string push = R"({"ref":"refs/heads/)" + options.branch + R"(","after":")" + options.head + R"("})";
  const std::string oversize(options.oversize_bytes, ' ');  // valid JSON whitespace, just too much of it
  std::vector<Request> mix = {
      {"unsigned", {{"X-GitHub-Event", "push"}}, &push},
      {"bad signature", {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", GithubSignature("wrong", push)}}, &push},
      {"bad token", {{"X-Gitlab-Event", "Push Hook"}, {"X-Gitlab-Token", options.secret + "x"}}, &push},
  };
  if (options.valid_pushes) {
    mix.push_back({"signed push",
                   {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", GithubSignature(options.secret, push)}},
                   &push});
  }
  const Request too_big = {"oversize", {{"X-GitHub-Event", "push"}, {"X-Hub-Signature-256", "sha256=00"}}, &oversize};

  FloodReport report;
  std::mutex mu;
  std::atomic<bool> stop{false};
  auto start = Clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < options.clients; ++c) {
    clients.emplace_back([&, c] {
      std::map<std::string, std::map<int, long>> answers;
      for (size_t n = static_cast<size_t>(c); !stop.load(); ++n) {
        // One request in 64 carries a body over the limit: enough to load the server's reading,
        // not so many that the flood is only a copy of 26 MiB buffers.
        const Request& r = n % 64 == 63 ? too_big : mix[n % mix.size()];
        httplib::Client client("127.0.0.1", options.webhook_port);
        client.set_connection_timeout(5);
        client.set_read_timeout(10);
        client.set_write_timeout(10);
        auto answer = client.Post("/webhook", r.headers, *r.body, "application/json");
        ++answers[r.kind][answer ? answer->status : -static_cast<int>(answer.error())];
      }
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& [kind, by_status] : answers) {
        for (const auto& [status, n] : by_status) report.answers[kind][status] += n;
      }
    });
  }
  std::thread probe([&] {
    httplib::Client client("127.0.0.1", options.ops_port);
    client.set_connection_timeout(1);
    client.set_read_timeout(1);
    while (!stop.load()) {
      auto sent = Clock::now();
      auto answer = client.Get("/healthz");
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
      if (answer && answer->status == 200 && ms <= 1000) {
        report.healthz_ms.push_back(ms);
      } else {
        ++report.healthz_failures;
      }
      std::this_thread::sleep_until(sent + std::chrono::milliseconds(100));
    }
  });
  std::this_thread::sleep_for(options.duration);
  stop.store(true);
  for (auto& t : clients) t.join();
  probe.join();
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& [kind, by_status] : report.answers) {
    for (const auto& [status, n] : by_status) {
      if (status > 0) report.answered += n;
    }
  }
  return report;
}

}  // namespace strata::bench
