// Every test binary (and every xfer it starts) keeps xfer's own files in the build tree, never
// in the real ~/.config/xfer or ~/.cache/xfer: the XDG variables are pointed at XFER_TEST_HOME
// before any test runs. Tests that look at xfer's own files pass --home into their sandbox.
#include <cstdlib>

namespace {

struct point_xdg_at_build_tree {
    point_xdg_at_build_tree() {
        ::setenv("XDG_CONFIG_HOME", XFER_TEST_HOME "/config", 1);
        ::setenv("XDG_CACHE_HOME", XFER_TEST_HOME "/cache", 1);
        ::setenv("XDG_STATE_HOME", XFER_TEST_HOME "/state", 1);
    }
};

const point_xdg_at_build_tree pointed;

}  // namespace
