// How long `xfer fetch --listen` keeps serving once its own fetch is complete.
#pragma once

#include "sender/sender.hpp"

namespace xfer::cli {

// After completing, a fetch that serves stays while some receiver still has our content open,
// so a partner mid-exchange is not stranded; bounded by --linger. Once every receiver that came
// has closed, it leaves at once; if none came yet, it waits a short grace period for partners
// that were told about us (connect-back) to arrive.
void linger(const sender::sender& uploads, double limit_seconds, const volatile int* stop);

}  // namespace xfer::cli
