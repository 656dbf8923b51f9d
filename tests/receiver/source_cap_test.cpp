// The cap on sources held at once (receiver/source_cap.hpp): who gives up a slot, and when.
#include "receiver/source_cap.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace xfer::receiver {
namespace {

using namespace std::chrono_literals;
using standing = source_cap::standing;
const source_cap::clock::time_point t0{std::chrono::hours(1)};

// A source connected at t0 that delivered its last block at `last_block`.
standing source(uint64_t key, bool has_wanted, source_cap::clock::time_point last_block,
                uint64_t in_flight = 0) {
    return {key, true, has_wanted, in_flight, t0, last_block};
}

TEST(SourceCap, RoomUpToTheCapAndAlwaysWithoutOne) {
    EXPECT_TRUE(source_cap(2).has_room(1));
    EXPECT_FALSE(source_cap(2).has_room(2));
    EXPECT_TRUE(source_cap(0).has_room(1000));
}

TEST(SourceCap, NobodyGivesUpBelowTheCapOrWithNobodyWaiting) {
    source_cap cap(2);
    const std::vector<standing> one{source(1, false, {})};
    EXPECT_FALSE(cap.to_give_up(one, 3, t0 + 10s));
    const std::vector<standing> two{source(1, false, {}), source(2, false, {})};
    EXPECT_FALSE(cap.to_give_up(two, 0, t0 + 10s));
}

TEST(SourceCap, ASourceWithNothingWantedGoesFirst) {
    source_cap cap(2);
    const std::vector<standing> sources{source(1, true, t0), source(2, false, t0 + 9s)};
    EXPECT_EQ(cap.to_give_up(sources, 1, t0 + 10s), 2u);
}

TEST(SourceCap, OneThatDeliversKeepsItsSlot) {
    source_cap cap(2);
    const std::vector<standing> sources{source(1, true, t0 + 9s), source(2, true, t0 + 8s)};
    EXPECT_FALSE(cap.to_give_up(sources, 1, t0 + 10s)) << "both delivered within idle_time";
    const std::vector<standing> one_idle{source(1, true, t0 + 9s), source(2, true, t0 + 1s)};
    EXPECT_EQ(cap.to_give_up(one_idle, 1, t0 + 10s), 2u);
}

TEST(SourceCap, ASourceOwingDataOrJustConnectedStays) {
    source_cap cap(2);
    const std::vector<standing> owing{source(1, false, {}, 1), source(2, false, {}, 1)};
    EXPECT_FALSE(cap.to_give_up(owing, 1, t0 + 60s)) << "the stall limit handles those";
    const std::vector<standing> fresh{source(1, false, {}), source(2, false, {})};
    EXPECT_FALSE(cap.to_give_up(fresh, 1, t0 + source_cap::settle_time - 1ms));
    standing no_manifest = source(3, false, {});
    no_manifest.manifest_accepted = false;
    const std::vector<standing> unopened{no_manifest, source(1, true, t0 + 59s)};
    EXPECT_FALSE(cap.to_give_up(unopened, 1, t0 + 60s));
}

TEST(SourceCap, AtMostOneSwapPerInterval) {
    source_cap cap(2);
    const std::vector<standing> sources{source(1, false, {}), source(2, false, {})};
    const auto now = t0 + 10s;
    EXPECT_TRUE(cap.to_give_up(sources, 2, now));
    EXPECT_FALSE(cap.to_give_up(sources, 2, now + source_cap::swap_interval - 1ms));
    EXPECT_TRUE(cap.to_give_up(sources, 2, now + source_cap::swap_interval));
}

}  // namespace
}  // namespace xfer::receiver
