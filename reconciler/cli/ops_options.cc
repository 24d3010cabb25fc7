#include "reconciler/cli/ops_options.h"

#include <charconv>
#include <cstdio>

#include "core/metrics.h"

namespace strata::cli {

Result<ListenAddress> ParseListenAddress(const std::string& text) {
  ListenAddress address{"127.0.0.1", 0};
  size_t colon = text.rfind(':');
  if (colon != std::string::npos && colon > 0) address.host = text.substr(0, colon);
  // "[::1]:9090", as OpsServer::url() writes an IPv6 host.
  if (address.host.size() >= 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), address.port);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || address.port < 0 ||
      address.port > 65535) {
    return Status::InvalidArgument("wants HOST:PORT (a port from 0 to 65535), not '" + text + "'");
  }
  return address;
}

std::shared_ptr<std::string> AddOpsListenOption(CLI::App* cmd) {
  auto listen = std::make_shared<std::string>();
  cmd->add_option("--ops-listen", *listen,
                  "HOST:PORT to serve /metrics (Prometheus), /healthz and /readyz on (port 0: any free)");
  return listen;
}

Result<std::unique_ptr<OpsServer>> StartOps(const std::string& listen, const std::string& component) {
  if (listen.empty()) return std::unique_ptr<OpsServer>();
  ASSIGN_OR_RETURN(ListenAddress address, ParseListenAddress(listen));
  OpsOptions options;
  options.host = address.host;
  options.port = address.port;
  ASSIGN_OR_RETURN(std::unique_ptr<OpsServer> server, OpsServer::Start(options, metrics::DefaultRegistry()));
  std::fprintf(stderr, "%s: metrics and health on %s\n", component.c_str(), server->url().c_str());
  return server;
}

}  // namespace strata::cli
