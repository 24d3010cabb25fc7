// The `exec` driver: runs a command for each change, so any tool can be the data plane
// (`kubectl apply -f -`, a Terraform wrapper, a script).
//
// The command runs through /bin/sh with the rendered manifest (the derived resource, as JSON,
// which YAML tools read too) on standard input and these variables set:
//   STRATA_OPERATION  apply | delete
//   STRATA_KIND       PhysicalKafkaCluster, K8sCluster, …
//   STRATA_KEY        PhysicalKafkaCluster/pkc-acme-orders
//   STRATA_NAME       pkc-acme-orders
//   STRATA_K8S_CLUSTER, STRATA_SATELLITE
// Exit status 0 means done (Ready, or Deleted); anything else is a failure that is retried with
// backoff, reported with the last lines of its standard error. A revision that succeeded is
// remembered in <state dir>/exec/applied.json, so a restart does not run it again; the exec driver
// cannot read its data plane back, so it reports no drift.
#pragma once

#include <memory>
#include <string>

#include "agents/agent/driver.h"

namespace strata::agent {

struct ExecOptions {
  std::string command;    // run with /bin/sh -c
  std::string state_dir;
  std::string satellite;
  std::chrono::seconds timeout{300};  // a command still running then is killed and counts as failed
};

std::unique_ptr<Driver> MakeExecDriver(ExecOptions options);

}  // namespace strata::agent
