#include "core/ops_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/status_matchers.h"

namespace strata {
namespace {

class OpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.GetCounter("strata_test_total", "Things tested.", {{"kind", "unit"}}).Inc(2);
    Result<std::unique_ptr<OpsServer>> started = Start({});
    ASSERT_THAT(started, IsOk());
    server_ = std::move(started).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  Result<std::unique_ptr<OpsServer>> Start(OpsOptions options) {
    return OpsServer::Start(std::move(options), registry_);
  }

  // {status, body}, or {-1, error} when the request did not complete.
  std::pair<int, std::string> Get(const std::string& path) {
    httplib::Result result = client_->Get(path);
    if (!result) return {-1, httplib::to_string(result.error())};
    return {result->status, result->body};
  }

  metrics::Registry registry_;
  std::unique_ptr<OpsServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

using Response = std::pair<int, std::string>;

TEST_F(OpsServerTest, ServesMetricsInTheTextFormat) {
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->url(), "http://127.0.0.1:" + std::to_string(server_->port()));
  httplib::Result result = client_->Get("/metrics");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(result->body,
            "# HELP strata_test_total Things tested.\n"
            "# TYPE strata_test_total counter\n"
            "strata_test_total{kind=\"unit\"} 2\n");

  registry_.GetGauge("strata_up", "").Set(1);  // rendered at every scrape
  EXPECT_EQ(Get("/metrics"), Response(200,
                                      "# HELP strata_test_total Things tested.\n"
                                      "# TYPE strata_test_total counter\n"
                                      "strata_test_total{kind=\"unit\"} 2\n"
                                      "# TYPE strata_up gauge\n"
                                      "strata_up 1\n"));
}

TEST_F(OpsServerTest, NoChecksMeansHealthyAndReady) {
  EXPECT_EQ(Get("/healthz"), Response(200, "ok\n"));
  EXPECT_EQ(Get("/readyz"), Response(200, "ok\n"));
  httplib::Result result = client_->Get("/healthz");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(OpsServerTest, LivenessListsEveryFailingCheckInOrder) {
  server_->AddLivenessCheck("loop", [] { return Status::Ok(); });
  server_->AddLivenessCheck("kafka", [] { return Status::Unavailable("broker down"); });
  server_->AddLivenessCheck("git", [] { return Status::Internal("line one\nline two"); });
  server_->AddLivenessCheck("quiet", [] { return Status::Aborted(""); });
  server_->AddLivenessCheck("thrower", []() -> Status { throw std::runtime_error("kaboom"); });
  EXPECT_EQ(Get("/healthz"), Response(503,
                                      "kafka: broker down\n"
                                      "git: line one line two\n"
                                      "quiet: Aborted\n"
                                      "thrower: exception: kaboom\n"));
  EXPECT_EQ(Get("/readyz"), Response(200, "ok\n"));  // liveness checks do not gate readiness
}

TEST_F(OpsServerTest, ReadinessFollowsItsCheck) {
  std::atomic<bool> caught_up = false;
  server_->AddReadinessCheck("reconciler", [&caught_up] {
    return caught_up ? Status::Ok() : Status::Unavailable("3 commits behind");
  });
  EXPECT_EQ(Get("/readyz"), Response(503, "reconciler: 3 commits behind\n"));
  EXPECT_EQ(Get("/healthz"), Response(200, "ok\n"));
  caught_up = true;
  EXPECT_EQ(Get("/readyz"), Response(200, "ok\n"));
}

TEST_F(OpsServerTest, ACheckUnderTheSameNameReplacesTheFirst) {
  server_->AddReadinessCheck("kafka", [] { return Status::Unavailable("down"); });
  server_->AddReadinessCheck("kafka", [] { return Status::Unavailable("still down"); });
  EXPECT_EQ(Get("/readyz"), Response(503, "kafka: still down\n"));
  server_->AddReadinessCheck("kafka", [] { return Status::Ok(); });
  EXPECT_EQ(Get("/readyz"), Response(200, "ok\n"));
}

TEST_F(OpsServerTest, AnythingElseIsNotFound) {
  EXPECT_EQ(Get("/"), Response(404, "not found\n"));
  EXPECT_EQ(Get("/metrics/extra"), Response(404, "not found\n"));
  EXPECT_EQ(Get("/readyz?verbose"), Response(200, "ok\n"));  // the query does not change the path
  httplib::Result post = client_->Post("/metrics", "", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
  EXPECT_EQ(post->body, "not found\n");
  httplib::Result del = client_->Delete("/healthz");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 404);
}

TEST_F(OpsServerTest, AddingChecksWhileServingIsSafe) {
  std::thread adder([this] {
    for (int i = 0; i < 200; ++i) {
      server_->AddReadinessCheck("check" + std::to_string(i % 7), [] { return Status::Ok(); });
    }
  });
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Get("/readyz"), Response(200, "ok\n"));
  adder.join();
}

TEST_F(OpsServerTest, PortTakenIsUnavailable) {
  OpsOptions options;
  options.port = server_->port();
  EXPECT_THAT(Start(options),
              StatusIs(StatusCode::kUnavailable,
                       "cannot listen on 127.0.0.1:" + std::to_string(server_->port()) +
                           ": Address already in use"));
  EXPECT_EQ(Get("/healthz"), Response(200, "ok\n"));  // the first server is untouched
}

TEST_F(OpsServerTest, AddressNotOnThisMachineIsUnavailable) {
  OpsOptions options;
  options.host = "192.0.2.1";  // TEST-NET-1, never a local address
  EXPECT_THAT(Start(options), StatusIs(StatusCode::kUnavailable,
                                       "cannot listen on 192.0.2.1:0: Cannot assign requested "
                                       "address"));
}

TEST_F(OpsServerTest, PortOutOfRangeIsInvalid) {
  OpsOptions options;
  options.port = 70000;
  EXPECT_THAT(Start(options),
              StatusIs(StatusCode::kInvalidArgument, "the ops port must be 0..65535, got 70000"));
}

TEST_F(OpsServerTest, StopsWhenDestroyed) {
  int port = server_->port();
  server_.reset();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  EXPECT_FALSE(client.Get("/healthz"));
  // The port is free again at once.
  OpsOptions options;
  options.port = port;
  EXPECT_THAT(Start(options), IsOk());
}

}  // namespace
}  // namespace strata
