#include "core/http_listener.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace strata {
namespace {

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

}  // namespace

std::string HostPort(const std::string& host, int port) {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<int> ListenInBackground(httplib::Server& server, const std::string& host, int port,
                               std::thread& thread, const std::function<void(int)>& on_bound) {
  if (port < 0 || port > 65535) {
    return Status::InvalidArgument("the port must be 0..65535, got " + std::to_string(port));
  }
  RETURN_IF_ERROR(Resolve(host, port));
  auto listening = std::make_shared<socket_t>(-1);
  server.set_socket_options([listening](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    *listening = sock;
  });
  errno = 0;
  int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    int error = errno;
    return Status::Unavailable("cannot listen on " + HostPort(host, port) + ": " +
                               (error != 0 ? std::strerror(error) : "bind failed"));
  }
  // httplib listens with a backlog of 5: under a burst of connections (a webhook flood, a
  // dashboard's clients) the kernel drops the SYNs beyond it and clients stall for a retransmit
  // (1 s, 3 s…) or give up. Listening again on the bound socket raises the backlog.
  ::listen(*listening, SOMAXCONN);
  if (on_bound) on_bound(bound);
  auto listen_returned = std::make_shared<std::atomic<bool>>(false);
  thread = std::thread([&server, listen_returned] {
    server.listen_after_bind();
    *listen_returned = true;
  });
  // stop() does nothing before the accept loop runs: wait for it, so that stopping at once cannot
  // leave the thread listening forever.
  while (!server.is_running() && !*listen_returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return bound;
}

}  // namespace strata
