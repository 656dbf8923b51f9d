// The bound on addresses a fetch connects to because a peer named them in PEERS.
#include "receiver/introduced_peers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace xfer::receiver {
namespace {

std::string address(int i) {
    return "127.0.0." + std::to_string(i) + ":4000";
}

TEST(IntroducedPeers, OneIntroducerGetsAtMostItsShare) {
    introduced_peers bound(3, 10);
    int accepted = 0;
    for (int i = 1; i <= 100; ++i) accepted += bound.accept("evil:1", address(i)) ? 1 : 0;
    EXPECT_EQ(accepted, 3);
    // Its share spent, another introducer still gets its own.
    EXPECT_TRUE(bound.accept("good:1", address(200)));
}

TEST(IntroducedPeers, AllIntroducersTogetherStayUnderTheTotal) {
    introduced_peers bound(3, 5);
    int accepted = 0;
    for (int introducer = 0; introducer < 10; ++introducer) {
        for (int i = 0; i < 3; ++i) {
            accepted +=
                bound.accept("src" + std::to_string(introducer), address(introducer * 3 + i)) ? 1
                                                                                              : 0;
        }
    }
    EXPECT_EQ(accepted, 5);
    EXPECT_EQ(bound.accepted(), 5u);
}

TEST(IntroducedPeers, AnAcceptedAddressCostsNothingWhenNamedAgain) {
    introduced_peers bound(2, 2);
    EXPECT_TRUE(bound.accept("a", address(1)));
    EXPECT_TRUE(bound.accept("a", address(1)));
    EXPECT_TRUE(bound.accept("b", address(1)));
    EXPECT_TRUE(bound.accept("a", address(2)));
    EXPECT_FALSE(bound.accept("a", address(3)));
}

TEST(IntroducedPeers, DefaultsAreTheDocumentedConstants) {
    introduced_peers bound;
    int accepted = 0;
    for (int i = 1; i <= 200; ++i) accepted += bound.accept("evil", address(i)) ? 1 : 0;
    EXPECT_EQ(accepted, static_cast<int>(max_introduced_per_introducer));
}

}  // namespace
}  // namespace xfer::receiver
