// Placeholder until the discovery work lands: replaced by the tracker implementation.
#include <cstdio>

#include "tools/xfer/command.hpp"

namespace xfer::cli {
int run_tracker(int, char**) {
    std::fprintf(stderr, "xfer tracker: not available in this build\n");
    return exit_failure;
}
}  // namespace xfer::cli
