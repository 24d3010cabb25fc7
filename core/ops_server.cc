#include "core/ops_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "core/http_listener.h"

namespace strata {
namespace {

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kTextContentType[] = "text/plain; charset=utf-8";
constexpr size_t kServerThreads = 4;  // scrapes and probes: a handful at a time

// One line, so that a multi-line message cannot pass for several checks.
std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

Result<std::unique_ptr<OpsServer>> OpsServer::Start(OpsOptions options,
                                                    metrics::Registry& registry) {
  if (options.port < 0 || options.port > 65535) {
    return Status::InvalidArgument("the ops port must be 0..65535, got " +
                                   std::to_string(options.port));
  }

  std::unique_ptr<OpsServer> ops(new OpsServer());
  ops->options_ = std::move(options);
  ops->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *ops->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server.set_pre_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (request.method == "GET") return httplib::Server::HandlerResponse::Unhandled;
    response.status = 404;
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& response) {
        if (response.status != 404 || !response.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        response.set_content("not found\n", kTextContentType);
        return httplib::Server::HandlerResponse::Handled;
      }));

  metrics::Registry* metrics = &registry;
  server.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics->RenderText(), kMetricsContentType);
  });
  OpsServer* self = ops.get();
  server.Get("/healthz", [self](const httplib::Request&, httplib::Response& response) {
    std::pair<int, std::string> outcome = RunChecks(self->checks_mu_, self->liveness_);
    response.status = outcome.first;
    response.set_content(outcome.second, kTextContentType);
  });
  server.Get("/readyz", [self](const httplib::Request&, httplib::Response& response) {
    std::pair<int, std::string> outcome = RunChecks(self->checks_mu_, self->readiness_);
    response.status = outcome.first;
    response.set_content(outcome.second, kTextContentType);
  });

  ASSIGN_OR_RETURN(ops->port_, ListenInBackground(server, ops->options_.host, ops->options_.port,
                                                  ops->thread_));
  spdlog::info("ops: serving /metrics, /healthz and /readyz on {}", ops->url());
  return ops;
}

OpsServer::~OpsServer() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string OpsServer::url() const { return "http://" + HostPort(options_.host, port_); }

void OpsServer::AddReadinessCheck(std::string name, Check check) {
  AddCheck(checks_mu_, readiness_, std::move(name), std::move(check));
}

void OpsServer::AddLivenessCheck(std::string name, Check check) {
  AddCheck(checks_mu_, liveness_, std::move(name), std::move(check));
}

void OpsServer::AddCheck(std::mutex& mu, NamedChecks& checks, std::string name, Check check) {
  std::lock_guard lock(mu);
  for (auto& [existing, existing_check] : checks) {
    if (existing == name) {
      existing_check = std::move(check);
      return;
    }
  }
  checks.emplace_back(std::move(name), std::move(check));
}

std::pair<int, std::string> OpsServer::RunChecks(std::mutex& mu, const NamedChecks& checks) {
  NamedChecks copy;
  {
    std::lock_guard lock(mu);
    copy = checks;
  }
  std::string failures;
  for (const auto& [name, check] : copy) {
    std::string problem;
    try {
      Status status = check ? check() : Status::Internal("no check function");
      if (status.ok()) continue;
      problem =
          status.message().empty() ? std::string(StatusCodeName(status.code())) : status.message();
    } catch (const std::exception& e) {
      problem = std::string("exception: ") + e.what();
    } catch (...) {
      problem = "exception";
    }
    failures += name + ": " + OneLine(std::move(problem)) + "\n";
  }
  if (failures.empty()) return {200, "ok\n"};
  return {503, failures};
}

}  // namespace strata
