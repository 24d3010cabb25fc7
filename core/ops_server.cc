#include "core/ops_server.h"

#include <httplib.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>

namespace strata {
namespace {

constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kTextContentType[] = "text/plain; charset=utf-8";
constexpr size_t kServerThreads = 4;  // scrapes and probes: a handful at a time

std::string HostPort(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// Resolves `host` as the server will, so that a bad host is reported as such, not as errno noise.
Status Resolve(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    return Status::Unavailable("cannot listen on " + HostPort(host, port) + ": " +
                               ::gai_strerror(rc));
  }
  ::freeaddrinfo(found);
  return Status::Ok();
}

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
  RETURN_IF_ERROR(Resolve(options.host, options.port));

  std::unique_ptr<OpsServer> ops(new OpsServer());
  ops->options_ = std::move(options);
  ops->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *ops->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  // httplib sets SO_REUSEPORT by default, which lets a second process share the port unnoticed.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
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

  const std::string& host = ops->options_.host;
  errno = 0;
  int port = ops->options_.port == 0
                 ? server.bind_to_any_port(host)
                 : (server.bind_to_port(host, ops->options_.port) ? ops->options_.port : -1);
  if (port <= 0) {
    int error = errno;
    return Status::Unavailable("cannot listen on " + HostPort(host, ops->options_.port) + ": " +
                               (error != 0 ? std::strerror(error) : "bind failed"));
  }
  ops->port_ = port;

  auto listen_returned = std::make_shared<std::atomic<bool>>(false);
  ops->thread_ = std::thread([&server, listen_returned] {
    server.listen_after_bind();
    *listen_returned = true;
  });
  // stop() does nothing before the accept loop runs: wait for it, so that destroying the server
  // at once cannot leave the thread listening forever.
  while (!server.is_running() && !*listen_returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
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
