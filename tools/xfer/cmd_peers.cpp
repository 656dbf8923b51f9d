// Placeholder until the discovery work lands: replaced by the tracker implementation.
#include <cstdio>

#include "tools/xfer/command.hpp"

namespace xfer::cli {
int run_peers(int, char**) {
    std::fprintf(stderr, "xfer peers: not available in this build\n");
    return exit_failure;
}
}  // namespace xfer::cli
