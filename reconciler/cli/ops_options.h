// The operator's endpoint every long-running command serves: `--ops-listen HOST:PORT` starts an
// OpsServer (core/ops_server.h) with /metrics, /healthz and /readyz.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "core/ops_server.h"
#include "core/status.h"

namespace strata::cli {

struct ListenAddress {
  std::string host;
  int port = 0;
};

// "HOST:PORT", "[IPv6]:PORT", or ":PORT" / "PORT" (loopback). kInvalidArgument naming what is wrong.
Result<ListenAddress> ParseListenAddress(const std::string& text);

// Registers --ops-listen on `cmd`; the value is "" when not given.
std::shared_ptr<std::string> AddOpsListenOption(CLI::App* cmd);

// Starts the endpoint when `listen` is set (nullptr when it is ""), and prints
// "<component>: metrics and health on http://HOST:PORT" to standard error.
// kInvalidArgument for a bad address; kUnavailable when the port cannot be bound.
Result<std::unique_ptr<OpsServer>> StartOps(const std::string& listen, const std::string& component);

}  // namespace strata::cli
