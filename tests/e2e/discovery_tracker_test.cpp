// `xfer tracker` and `xfer peers` as real processes, with peers made visible by presence helper
// processes (discovery::presence in a child; see discovery_presence_helper.cpp).
#include <gtest/gtest.h>

#include <signal.h>

#include "shared/discovery/tracker_key.hpp"
#include "shared/identity/peer_id.hpp"
#include "tests/support/discovery_fixtures.hpp"
#include "tests/support/e2e_fixtures.hpp"

namespace xfer::test {
namespace {

using discovery::held_content;

std::unique_ptr<child_process> ready_presence(presence_spec spec) {
    auto child = start_presence(spec);
    if (!child->wait_for_line("presence ready", discovery_deadline)) {
        ADD_FAILURE() << "presence helper did not start\n" << child->describe();
    }
    return child;
}

// Runs `xfer peers ARGS` until its output has a line containing each of `needles` (peers
// register asynchronously); returns the last output.
std::vector<std::string> peers_until(const std::vector<std::string>& args,
                                     const std::vector<std::string>& needles) {
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    std::vector<std::string> lines;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<std::string> argv{XFER_BINARY, "peers"};
        argv.insert(argv.end(), args.begin(), args.end());
        child_process peers(argv);
        const auto status = peers.wait(discovery_deadline);
        EXPECT_EQ(status, 0) << peers.describe();
        lines = peers.stdout_lines();
        size_t found = 0;
        for (const auto& needle : needles) {
            for (const auto& line : lines) {
                if (line.find(needle) != std::string::npos) {
                    ++found;
                    break;
                }
            }
        }
        if (found == needles.size()) return lines;
    }
    return lines;
}

TEST(DiscoveryTrackerE2E, PeersListsThreeRegisteredPeers) {
    tracker_process tracker;
    auto alpha = ready_presence({"alpha",
                                 tracker.address(),
                                 false,
                                 9001,
                                 "0.0.0.0",
                                 {test_content("a.bin", 1, 1000, 4, 4)}});
    auto bravo = ready_presence(
        {"bravo",
         tracker.address(),
         false,
         9002,
         "0.0.0.0",
         {test_content("a.bin", 1, 1000, 4, 4), test_content("dir/b.bin", 2, 2048, 1, 4)}});
    auto charlie = ready_presence({"charlie", tracker.address(), false, 9003, "127.0.0.2", {}});

    const auto lines = peers_until({"--tracker", tracker.address()}, {"alpha", "bravo", "charlie"});
    ASSERT_EQ(lines.size(), 3u);
    // Sorted by name; NAME  ID  ADDR  PATH (SIZE bytes, PCT), ...
    // The full peer ID of the key that signed the registration (63 characters).
    EXPECT_TRUE(lines[0].starts_with("alpha  ") && lines[0].find("  ", 7) == 70)
        << "full peer id: " << lines[0];
    EXPECT_TRUE(identity::parse_peer_id(lines[0].substr(7, 63))) << lines[0];
    EXPECT_NE(lines[0].substr(7, 63), lines[1].substr(7, 63)) << "each helper has its own key";
    EXPECT_NE(lines[0].find("  127.0.0.1:9001  a.bin (1000 bytes, 100%)"), std::string::npos)
        << lines[0];
    EXPECT_NE(
        lines[1].find("  127.0.0.1:9002  a.bin (1000 bytes, 100%), dir/b.bin (2048 bytes, 25.0%)"),
        std::string::npos)
        << lines[1];
    EXPECT_NE(lines[2].find("  127.0.0.2:9003  (nothing shared)"), std::string::npos)
        << "an explicit sender host is kept: " << lines[2];
}

TEST(DiscoveryTrackerE2E, WatchPrintsJoinsAndLeavesIncludingASigkilledPeer) {
    tracker_process tracker;
    child_process watch({XFER_BINARY, "peers", "--tracker", tracker.address(), "--watch"});

    auto polite = ready_presence({"polite", tracker.address(), false, 9001, "0.0.0.0", {}});
    auto victim = ready_presence({"victim", tracker.address(), false, 9002, "0.0.0.0", {}});
    // Either in the first listing or as a join, depending on who was first.
    ASSERT_TRUE(watch.wait_for_line("polite", discovery_deadline)) << watch.describe();
    ASSERT_TRUE(watch.wait_for_line("victim", discovery_deadline)) << watch.describe();

    EXPECT_EQ(polite->stop(), 0) << polite->describe();
    const auto left = watch.wait_for_line("leave polite", discovery_deadline);
    ASSERT_TRUE(left) << watch.describe();
    EXPECT_EQ(*left, "leave polite 127.0.0.1:9001");

    const auto killed_at = std::chrono::steady_clock::now();
    victim->send_signal(SIGKILL);
    ASSERT_TRUE(watch.wait_for_line("leave victim 127.0.0.1:9002", discovery_deadline))
        << watch.describe();
    const auto took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
    std::printf("SIGKILLed peer left the watch list after %.1f s (heartbeat timeout 5 s)\n", took);

    auto late = ready_presence({"late", tracker.address(), false, 9003, "0.0.0.0", {}});
    EXPECT_TRUE(watch.wait_for_line("join late 127.0.0.1:9003", discovery_deadline))
        << watch.describe();
    EXPECT_EQ(watch.stop(), 0) << "SIGTERM ends --watch cleanly\n" << watch.describe();
}

TEST(DiscoveryTrackerE2E, TrackerStartsAndStopsCleanly) {
    {
        tracker_process tracker;
        EXPECT_EQ(tracker.process().stop(), 0) << tracker.process().describe();
    }
    {
        tracker_process tracker;
        tracker.process().send_signal(SIGINT);
        EXPECT_EQ(tracker.process().wait(discovery_deadline), 0) << tracker.process().describe();
    }
    tracker_process first;
    child_process clash({XFER_BINARY, "tracker", "--listen", first.endpoint()});
    // A port in use is a network failure, as for `xfer serve`.
    EXPECT_EQ(clash.wait(discovery_deadline), 4) << clash.describe();
    EXPECT_NE(clash.stderr_text().find("cannot listen on " + first.endpoint()), std::string::npos)
        << clash.describe();

    child_process bad({XFER_BINARY, "tracker", "--listen", "127.0.0.1:notaport"});
    EXPECT_EQ(bad.wait(discovery_deadline), 2) << bad.describe();
}

TEST(DiscoveryTrackerE2E, PeersReportsAnUnreachableTracker) {
    // Port 1 on loopback: nothing listens there (the key is any key: no handshake happens).
    const auto key =
        discovery::format_tracker_key(discovery::tracker_keypair::generate().public_key());
    child_process peers({XFER_BINARY, "peers", "--tracker", key + "@127.0.0.1:1", "--wait", "1"});
    EXPECT_EQ(peers.wait(discovery_deadline), exit_code::network) << peers.describe();
    EXPECT_NE(peers.stderr_text().find("no answer from tracker 127.0.0.1:1"), std::string::npos)
        << peers.describe();
}

}  // namespace
}  // namespace xfer::test
