// Kept only while test targets still list it; the code is in reconciler/controllers/in_process_cake.cc.
#include "tests/support/layer_cake.h"
