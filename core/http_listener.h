// What every strata HTTP endpoint does to start serving (the ops endpoint, the
// dashboard): check the address, bind it without sharing the port, and run the accept loop on a
// thread of the caller's, returning once it accepts. Thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "core/status.h"

namespace httplib {
class Server;
}

namespace strata {

// "HOST:PORT", an IPv6 host in brackets.
std::string HostPort(const std::string& host, int port);

// Sets the socket options (SO_REUSEADDR, not httplib's SO_REUSEPORT, which would let a second
// process share the port unnoticed), binds host:port (0: a free port), and starts
// server.listen_after_bind() on `thread`. Returns the port, which `on_bound` (if any) is also
// given before the first request can arrive. kInvalidArgument for a port outside 0..65535;
// kUnavailable "cannot listen on HOST:PORT: <reason>" for a host that does not resolve or an
// address that cannot be bound. It sets the server's socket options; the caller stops the server
// and joins the thread.
Result<int> ListenInBackground(httplib::Server& server, const std::string& host, int port,
                               std::thread& thread, const std::function<void(int)>& on_bound = {});

}  // namespace strata
