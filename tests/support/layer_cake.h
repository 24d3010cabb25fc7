// LayerCake (tests): every controller run in-process to a fixpoint, without Kafka. It is the
// library's InProcessCake (reconciler/controllers/in_process_cake.h), the same code `strata plan`
// runs, under the name the tests have always used.
#pragma once

#include "reconciler/controller/path_kind.h"
#include "reconciler/controllers/in_process_cake.h"

namespace strata::testing {

using LayerCake = controllers::InProcessCake;
using controller::KindOfPath;

}  // namespace strata::testing
