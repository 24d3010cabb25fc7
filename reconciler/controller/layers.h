// The layer cake: which controller feeds which, computed from what each declares.
//
// A controller B sits below A when B consumes a kind A writes. Layer 1 holds the controllers that
// read only what people write; each other controller sits one layer below the lowest layer that
// feeds it. Start-up runs bottom first, so each consumer is listening before its producers write.
// A cycle is refused with the controllers on it named in order.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "reconciler/controller/controller.h"

namespace strata::controller {

struct LayerCake {
  std::vector<std::vector<ControllerInfo>> layers;  // layers[0] is layer 1, the front
  // Bottom first: the order to start controllers in.
  std::vector<std::string> StartOrder() const;
};

// kFailedPrecondition "controller cycle: a → b → a" on a cycle; kInvalidArgument when two
// controllers share a name or one prefix lies inside another's.
Result<LayerCake> ComputeLayers(const std::vector<ControllerInfo>& controllers);

// The cake as `strata layers` prints it.
std::string FormatLayers(const LayerCake& cake);

}  // namespace strata::controller
