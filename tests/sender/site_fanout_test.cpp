// The seeder's site fan-out as a pure class: each site is given each piece about once, the
// receivers of a site pass it on among themselves.
#include "sender/site_fanout.hpp"

#include <gtest/gtest.h>

namespace xfer::sender {
namespace {

using namespace std::chrono_literals;
const content_id film{1};
const site_fanout::clock::time_point t0{std::chrono::hours(1)};

TEST(SiteFanout, SecondReceiverOfTheSameSiteIsDeclinedAnotherSiteIsNot) {
    site_fanout fanout;
    EXPECT_TRUE(fanout.give(film, 4, 2, /*connection=*/1, "rack1", t0));
    EXPECT_FALSE(fanout.give(film, 4, 2, /*connection=*/2, "rack1", t0 + 1s));
    EXPECT_TRUE(fanout.give(film, 4, 2, /*connection=*/3, "rack0", t0 + 1s)) << "one per site";
    EXPECT_FALSE(fanout.give(film, 4, 2, /*connection=*/4, "rack0", t0 + 1s));
    EXPECT_TRUE(fanout.give(film, 4, 3, /*connection=*/2, "rack1", t0 + 1s)) << "another piece";
    EXPECT_TRUE(fanout.give(film, 4, 2, /*connection=*/1, "rack1", t0 + 2s)) << "asking again";
}

TEST(SiteFanout, ReceiversWithoutASiteAreNeverDeclinedNorCounted) {
    site_fanout fanout;
    EXPECT_TRUE(fanout.give(film, 4, 2, 1, "", t0));
    EXPECT_TRUE(fanout.give(film, 4, 2, 2, "", t0));
    EXPECT_TRUE(fanout.give(film, 4, 2, 3, "rack1", t0)) << "the unlabelled ones hold nothing";
}

TEST(SiteFanout, HoldLastsWhileOnItsWayAndAWindowAfter) {
    site_fanout fanout;
    EXPECT_TRUE(fanout.give(film, 4, 2, 1, "rack1", t0));
    EXPECT_FALSE(fanout.give(film, 4, 2, 2, "rack1", t0 + 20s)) << "still on its way";
    fanout.sent(film, 2, 1, t0 + 20s);
    EXPECT_FALSE(fanout.give(film, 4, 2, 2, "rack1", t0 + 20s + site_fanout::window - 1ms));
    EXPECT_TRUE(fanout.give(film, 4, 2, 2, "rack1", t0 + 20s + site_fanout::window));
}

TEST(SiteFanout, NeverHoldsPastMaxHoldFromTheRequest) {
    site_fanout fanout;
    EXPECT_TRUE(fanout.give(film, 4, 2, 1, "rack1", t0));
    EXPECT_TRUE(fanout.give(film, 4, 2, 2, "rack1", t0 + site_fanout::max_hold));
}

TEST(SiteFanout, CancelOrDepartureFreesThePieceForItsSite) {
    site_fanout fanout;
    EXPECT_TRUE(fanout.give(film, 4, 2, 1, "rack1", t0));
    fanout.withdraw(film, 2, 1);
    EXPECT_TRUE(fanout.give(film, 4, 2, 2, "rack1", t0 + 1ms));
    fanout.forget_connection(2);
    EXPECT_TRUE(fanout.give(film, 4, 2, 3, "rack1", t0 + 2ms));
    // Sent for another connection does not start connection 3's window.
    fanout.sent(film, 2, 9, t0 + 3ms);
    EXPECT_FALSE(fanout.give(film, 4, 2, 4, "rack1", t0 + 10s));
}

TEST(SiteFanout, OutOfRangePiecesAndOtherContentsAreIndependent) {
    site_fanout fanout;
    EXPECT_TRUE(fanout.give(film, 4, 9, 1, "rack1", t0));
    EXPECT_TRUE(fanout.give(film, 4, 9, 2, "rack1", t0));
    EXPECT_TRUE(fanout.give(film, 4, 2, 1, "rack1", t0));
    EXPECT_TRUE(fanout.give(content_id{2}, 4, 2, 2, "rack1", t0));
}

}  // namespace
}  // namespace xfer::sender
