// When endgame duplicates are made (receiver/endgame_policy.hpp): pure numbers in, yes or no out.
#include "receiver/endgame_policy.hpp"

#include <gtest/gtest.h>

namespace xfer::receiver {
namespace {

constexpr uint32_t piece = 256 * 1024;

TEST(EndgamePolicy, FewSourcesKeepTheOldTwoPiecesEachAtLeastFour) {
    EXPECT_TRUE(endgame_allowed(4, 1, 512));
    EXPECT_FALSE(endgame_allowed(5, 1, 512));
    EXPECT_TRUE(endgame_allowed(8, 4, 512));
    EXPECT_FALSE(endgame_allowed(9, 4, 512));
    EXPECT_TRUE(endgame_allowed(16, 8, 512)) << "the 128 MiB benchmark at 8 leechers, as before";
}

// Issue 13: 32 sources allowed endgame with 64 pieces left, the whole of a 16 MiB file.
TEST(EndgamePolicy, ManySourcesDoNotStartEndgameEarly) {
    EXPECT_TRUE(endgame_allowed(max_endgame_pieces, 32, 4096));
    EXPECT_FALSE(endgame_allowed(max_endgame_pieces + 1, 32, 4096));
    EXPECT_FALSE(endgame_allowed(64, 63, 4096));
}

TEST(EndgamePolicy, ASmallFileLeavesOnlyItsLastFourPiecesToEndgame) {
    EXPECT_TRUE(endgame_allowed(4, 32, 32));
    EXPECT_FALSE(endgame_allowed(5, 32, 32)) << "an 8 MiB file at 32 sources";
    EXPECT_FALSE(endgame_allowed(5, 32, 64));
    EXPECT_TRUE(endgame_allowed(8, 32, 256));
}

TEST(EndgamePolicy, ADuplicateOfAnEquallyFastHolderDoesNotPay) {
    // The holder has two pieces in flight at the idle source's rate: 2 s against 1 s.
    EXPECT_FALSE(duplicate_pays({piece, 0}, {piece, 2 * piece}, piece));
    EXPECT_FALSE(duplicate_pays({piece, 0}, {2.0 * piece, piece}, piece)) << "holder is faster";
}

TEST(EndgamePolicy, ASlowHolderIsDuplicatedByAFastIdleSource) {
    // A tenth of the rate, one piece left: 10 s against 1 s.
    EXPECT_TRUE(duplicate_pays({piece, 0}, {piece / 10.0, piece}, piece));
}

TEST(EndgamePolicy, AHolderThatDeliversNothingIsAlwaysDuplicated) {
    EXPECT_TRUE(duplicate_pays({piece, 0}, {0, piece}, piece));
    EXPECT_TRUE(duplicate_pays({0, 0}, {0, piece}, piece));
}

TEST(EndgamePolicy, AnUnmeasuredIdleSourceIsTakenAsFastAsTheHolder) {
    EXPECT_FALSE(duplicate_pays({0, 0}, {piece, piece}, piece));
    EXPECT_TRUE(duplicate_pays({0, 0}, {piece, 3 * piece}, piece));
}

TEST(EndgamePolicy, AHolderWithNothingLeftInFlightIsNotDuplicated) {
    EXPECT_FALSE(duplicate_pays({piece, 0}, {piece, 0}, piece));
}

}  // namespace
}  // namespace xfer::receiver
