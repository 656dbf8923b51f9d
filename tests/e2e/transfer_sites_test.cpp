// End to end, real processes on loopback: `--site` (receiver/site_preference.hpp). A fetch on
// rack A with two complete sources, one on rack A and one on rack B, takes every piece from the
// source of its own rack; what crosses to rack B is counted by a relay, not read from a log.
#include <gtest/gtest.h>

#include "tests/support/e2e_fixtures.hpp"
#include "tests/support/e2e_net.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::test {
namespace {

constexpr uint64_t mib = 1024 * 1024;

TEST(TransferSites, EveryPieceComesFromTheSourceOfOurOwnSite) {
    sandbox box;
    const uint64_t size = 24 * mib + 512;
    const auto source = write_random_file(box / "near/f.bin", size, 57);
    std::filesystem::create_directories(box / "far");
    std::filesystem::copy_file(source, box / "far/f.bin");
    xfer_server near(box / "near", {"--site", "rackA"}), far(box / "far", {"--site", "rackB"});
    tcp_relay to_near(near.port(), 8 * mib), to_far(far.port(), 8 * mib);
    const auto out = box / "out";

    const auto fetched = run_xfer({"fetch", to_near.address(), "f.bin", "--from", to_far.address(),
                                   "--site", "rackA", "-o", out.string(), "-q"});
    ASSERT_EQ(fetched.status, 0) << fetched.err;
    EXPECT_EQ(file_difference(source, out / "f.bin"), "");
    // Both hold every piece. Without sites each is asked for about half (12 MiB); with them, rack
    // B only for what was asked of it before rack A's source said its HELLO: an in-flight window
    // (512 KiB, up to a fifth of a second at B's measured rate: 1.6 MiB at the relay's 8 MiB/s)
    // plus what B delivered meanwhile. A loaded machine (ASan, two tests at once) delays that
    // HELLO by some tenths of a second, so the bound is a sixth of the file, not one window.
    EXPECT_GE(to_near.bytes_to_clients(), size - 4 * mib);
    EXPECT_LT(to_far.bytes_to_clients(), 4 * mib) << "rack B sent " << to_far.bytes_to_clients();
}

TEST(TransferSites, WithoutLabelsBothSourcesAreAsked) {
    sandbox box;
    const uint64_t size = 24 * mib + 512;
    const auto source = write_random_file(box / "near/f.bin", size, 58);
    std::filesystem::create_directories(box / "far");
    std::filesystem::copy_file(source, box / "far/f.bin");
    // The same fetch, the fetch unlabelled: the rule above is the labels', not the order.
    xfer_server near(box / "near", {"--site", "rackA"}), far(box / "far", {"--site", "rackB"});
    tcp_relay to_near(near.port(), 8 * mib), to_far(far.port(), 8 * mib);
    const auto out = box / "out";
    const auto fetched = run_xfer({"fetch", to_near.address(), "f.bin", "--from", to_far.address(),
                                   "-o", out.string(), "-q"});
    ASSERT_EQ(fetched.status, 0) << fetched.err;
    EXPECT_EQ(file_difference(source, out / "f.bin"), "");
    EXPECT_GT(to_far.bytes_to_clients(), 2 * mib) << "both complete sources share the work";
}

TEST(TransferSites, ABadLabelIsAUsageError) {
    const auto result = run_xfer({"fetch", "127.0.0.1:1", "f.bin", "--site", "rack\x1b[2J"});
    EXPECT_EQ(result.status, 2) << result.err;
    EXPECT_NE(result.err.find("--site"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find('\x1b'), std::string::npos) << "the label is shown escaped";
}

}  // namespace
}  // namespace xfer::test
