#include "reconciler/dashboard/dashboard_server.h"

#include <arpa/inet.h>
#include <signal.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/http_listener.h"
#include "specs/embedded.h"

namespace strata::dashboard {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

constexpr size_t kServerThreads = 16;
// Each event stream holds a thread for up to kStreamFor; beyond kMaxStreams the page is told to
// poll instead (503), so that streams never take the threads the API needs.
constexpr int kMaxStreams = 8;
constexpr auto kStreamFor = std::chrono::seconds(25);
constexpr auto kCoalesce = std::chrono::milliseconds(250);
// An idle stream writes a comment this often: a browser that has gone away fails the write and
// frees its thread.
constexpr auto kStreamPing = std::chrono::seconds(1);
constexpr time_t kKeepAliveSeconds = 2;  // idle keep-alive connections hold a thread too
constexpr char kJson[] = "application/json; charset=utf-8";

std::string NewToken() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  std::string hex;
  for (unsigned char b : bytes) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", b);
    hex += pair;
  }
  return hex;
}

bool SameToken(std::string_view given, const std::string& token) {
  return given.size() == token.size() && CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

// The value of cookie `name` in a Cookie header; "" when absent.
std::string CookieValue(const std::string& header, const std::string& name) {
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string_view pair(header.data() + at, end - at);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.substr(0, name.size() + 1) == name + "=") return std::string(pair.substr(name.size() + 1));
    at = end + 1;
  }
  return "";
}

std::string ContentType(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".png")) return "image/png";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

void SetJson(Response& response, int status, const std::string& body) {
  response.status = status;
  response.set_header("Cache-Control", "no-store");
  response.set_content(body, kJson);
}

// The request's Host without its port ("[::1]:7080" → "::1").
std::string HostName(const std::string& host_header) {
  if (!host_header.empty() && host_header.front() == '[') {
    size_t end = host_header.find(']');
    return end == std::string::npos ? host_header : host_header.substr(1, end - 1);
  }
  return host_header.substr(0, host_header.find(':'));
}

std::string Event(uint64_t version, const std::string& head) {
  return "event: update\ndata: " + nlohmann::json{{"version", version}, {"head", head}}.dump() + "\n\n";
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

Result<std::unique_ptr<DashboardServer>> DashboardServer::Start(DashboardOptions options,
                                                                const DashboardApi& api,
                                                                const DashboardState& state) {
  if (!IsLoopbackHost(options.host) && options.token.empty()) {
    options.token = NewToken();
    if (options.token.empty()) return Status::Internal("cannot make a dashboard token: no randomness");
  }
  std::unique_ptr<DashboardServer> self(new DashboardServer(api, state));
  self->options_ = std::move(options);
  self->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *self->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server.set_keep_alive_timeout(kKeepAliveSeconds);
  // A stream's browser may be gone when it is written to: that must fail the write, not end the
  // process.
  ::signal(SIGPIPE, SIG_IGN);
  DashboardServer* me = self.get();

  // Read-only, answering only to its own names and, with a token, closed: before any route.
  server.set_pre_routing_handler([me](const Request& request, Response& response) {
    if (request.method != "GET" && request.method != "HEAD") {
      response.set_header("Allow", "GET, HEAD");
      SetJson(response, 405,
              nlohmann::json{{"error", "the dashboard is read-only: changes go through pull requests"}}.dump());
      return HandlerResponse::Handled;
    }
    const std::string& token = me->options_.token;
    if (token.empty()) {
      // Without a token only this machine can reach it; a page elsewhere that rebinds its own
      // name to 127.0.0.1 still sends its own name as Host.
      if (IsLoopbackHost(HostName(request.get_header_value("Host")))) return HandlerResponse::Unhandled;
      SetJson(response, 403,
              nlohmann::json{{"error", "the dashboard answers only to localhost, 127.0.0.1 or [::1]"}}.dump());
      return HandlerResponse::Handled;
    }
    std::string authorization = request.get_header_value("Authorization");
    if (authorization.rfind("Bearer ", 0) == 0 && SameToken(authorization.substr(7), token)) {
      return HandlerResponse::Unhandled;
    }
    std::string cookie = me->cookie_name();
    if (SameToken(CookieValue(request.get_header_value("Cookie"), cookie), token)) {
      return HandlerResponse::Unhandled;
    }
    if (request.has_param("token") && SameToken(request.get_param_value("token"), token)) {
      // The cookie carries it from now on; the address bar, which people copy, no longer does.
      response.set_header("Set-Cookie", cookie + "=" + token + "; Path=/; HttpOnly; SameSite=Strict");
      response.set_redirect(request.path, 303);
      return HandlerResponse::Handled;
    }
    const char* message =
        "this dashboard needs its token: open the URL strata printed (with ?token=…), or send "
        "Authorization: Bearer TOKEN";
    if (request.path.rfind("/api/", 0) == 0) {
      SetJson(response, 401, nlohmann::json{{"error", message}}.dump());
    } else {
      response.status = 401;
      response.set_content(std::string(message) + "\n", "text/plain; charset=utf-8");
    }
    return HandlerResponse::Handled;
  });

  for (const EmbeddedFile& file : EmbeddedDashboard()) {
    std::string route = file.path == "index.html" ? "/" : "/" + std::string(file.path);
    std::string_view content = file.content;
    std::string type = ContentType(file.path);
    server.Get(route, [content, type](const Request&, Response& response) {
      response.set_header("Cache-Control", "no-cache");
      response.set_content(content.data(), content.size(), type.c_str());
    });
  }

  server.Get("/api/events", [me](const Request&, Response& response) {
    if (me->streams_.fetch_add(1) >= kMaxStreams) {
      me->streams_.fetch_sub(1);
      SetJson(response, 503, nlohmann::json{{"error", "too many live streams open: poll the API"}}.dump());
      return;
    }
    response.set_header("Cache-Control", "no-store");
    auto deadline = std::chrono::steady_clock::now() + kStreamFor;
    auto seen = std::make_shared<std::optional<uint64_t>>();
    response.set_chunked_content_provider(
        "text/event-stream",
        [me, deadline, seen](size_t, httplib::DataSink& sink) {
          if (me->state_.stopping() || std::chrono::steady_clock::now() >= deadline) {
            sink.done();
            return true;
          }
          std::string out;
          if (!seen->has_value()) {
            out = "retry: 1000\n\n";
            *seen = me->state_.version();
            out += Event(**seen, me->state_.head());
          } else if (me->state_.WaitForChange(**seen, kStreamPing) == **seen) {
            out = ": ping\n\n";
          } else {
            std::this_thread::sleep_for(kCoalesce);  // a burst of reports is one update
            *seen = me->state_.version();
            out = Event(**seen, me->state_.head());
          }
          return sink.write(out.data(), out.size());
        },
        [me](bool) { me->streams_.fetch_sub(1); });
  });

  server.Get(R"(/api/.*)", [me](const Request& request, Response& response) {
    ApiParams params;
    for (const auto& [name, value] : request.params) params.emplace(name, value);
    ApiResponse answer = me->api_.Handle(request.path, params);
    SetJson(response, answer.status, answer.body);
  });

  // The port (which names the cookie) is set before the first request can arrive.
  RETURN_IF_ERROR(ListenInBackground(server, self->options_.host, self->options_.port, self->thread_,
                                     [me](int bound) { me->port_ = bound; })
                      .status());
  spdlog::info("dashboard: serving on {}", HostPort(self->options_.host, self->port_));
  return self;
}

DashboardServer::DashboardServer(const DashboardApi& api, const DashboardState& state)
    : api_(api), state_(state) {}

DashboardServer::~DashboardServer() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string DashboardServer::cookie_name() const {
  return "strata_dashboard_token_" + std::to_string(port_.load());
}

std::string DashboardServer::url() const {
  std::string url = "http://" + HostPort(options_.host, port_) + "/";
  if (!options_.token.empty()) url += "?token=" + options_.token;
  return url;
}

}  // namespace strata::dashboard
