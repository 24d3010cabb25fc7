// Parts: the pieces of the control plane `strata up` runs — the reconciler, the controllers, an
// agent per satellite — behind one interface, whether they run on threads of the up process
// (InProcessParts) or as supervised `strata` processes (ProcessParts). Each registers its
// readiness checks with the up process's OpsServer; the checks point into the parts, so RunUp
// destroys the server before the parts.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/ops_server.h"
#include "core/status.h"
#include "reconciler/up/up.h"
#include "reconciler/up/up_home.h"
#include "specs/schema_set.h"

namespace strata::up {

// What every part needs to know, decided before any starts.
struct Plan {
  UpOptions options;
  UpHome home;
  std::vector<std::string> kafka_args;  // for child command lines
  std::shared_ptr<const specs::SchemaSet> schemas;
};

// The parts of the control plane, however they run.
class Parts {
 public:
  virtual ~Parts() = default;
  virtual Status StartReconciler() = 0;
  virtual Status StartControllers() = 0;
  virtual Status StartAgent(const std::string& satellite) = 0;
  virtual void Tick() {}  // the supervisor's restarts; nothing on threads
  virtual void Stop() = 0;  // after the stop flag is set
  // One line per part: "  reconciler   …".
  virtual void Describe(std::FILE* out) const = 0;
};

}  // namespace strata::up
