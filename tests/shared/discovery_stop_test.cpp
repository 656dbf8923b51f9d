// A discovery thread told to stop the moment it started stops. Its stop message used to be
// dropped when it beat the thread's own connect, and the owner's join then waited forever (found
// by hand: `xfer serve` stopped 14 ms after it started, while hashing, hung until the 5 s
// watchdog; under AddressSanitizer in about one run in ten). A regression hangs here, and CTest's
// timeout fails the test.
#include <gtest/gtest.h>

#include <zmq.hpp>

#include "shared/discovery/peer_finder.hpp"
#include "shared/discovery/presence.hpp"

namespace xfer::discovery {
namespace {

constexpr int rounds = 200;

TEST(DiscoveryStop, APresenceStoppedTheMomentItStartedStops) {
    zmq::context_t context;
    int stopped = 0;
    for (int round = 0; round < rounds; ++round) {
        presence::options options;
        options.lan = false;
        {
            presence visible(context, options, [] { return std::vector<held_content>{}; });
        }
        ++stopped;
    }
    EXPECT_EQ(stopped, rounds);
}

TEST(DiscoveryStop, APeerFinderStoppedTheMomentItStartedStops) {
    zmq::context_t context;
    int stopped = 0;
    for (int round = 0; round < rounds; ++round) {
        peer_finder::options options;
        options.path = "a.bin";
        { peer_finder finder(context, options); }
        ++stopped;
    }
    EXPECT_EQ(stopped, rounds);
}

}  // namespace
}  // namespace xfer::discovery
