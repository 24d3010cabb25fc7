// A TCP port on loopback that was free a moment ago, for servers that are told their port rather
// than reporting the one they bound (git daemon, a child process's --ops-listen). Another process
// may take it in between: callers that can bind port 0 themselves should.
#pragma once

namespace strata {

// 0 when no socket could be made.
int FreeLoopbackPort();

}  // namespace strata
