// The DECLINE policy as a pure class: a seeder gives a piece to one receiver per window.
#include "sender/piece_promises.hpp"

#include <gtest/gtest.h>

namespace xfer::sender {
namespace {

using namespace std::chrono_literals;
const content_id film{1};
const piece_promises::clock::time_point t0{std::chrono::hours(1)};

TEST(PiecePromises, SecondReceiverWithinTheWindowIsDeclined) {
    piece_promises promises;
    EXPECT_TRUE(promises.give(film, 4, 2, /*connection=*/1, t0));
    EXPECT_FALSE(promises.give(film, 4, 2, /*connection=*/2, t0 + 999ms));
    EXPECT_TRUE(promises.give(film, 4, 3, /*connection=*/2, t0 + 999ms)) << "another piece is free";
}

TEST(PiecePromises, SameReceiverAskingAgainIsNeverDeclined) {
    piece_promises promises;
    EXPECT_TRUE(promises.give(film, 4, 2, 1, t0));
    EXPECT_TRUE(promises.give(film, 4, 2, 1, t0 + 1ms));
}

TEST(PiecePromises, PromiseExpiresAfterTheWindow) {
    piece_promises promises;
    EXPECT_TRUE(promises.give(film, 4, 2, 1, t0));
    EXPECT_TRUE(promises.give(film, 4, 2, 2, t0 + piece_promises::window));
    // Now it is the second receiver's: the first is declined within the new window.
    EXPECT_FALSE(promises.give(film, 4, 2, 1, t0 + piece_promises::window + 1ms));
}

TEST(PiecePromises, ReceiverThatLeftStrandsNobody) {
    piece_promises promises;
    EXPECT_TRUE(promises.give(film, 4, 2, 1, t0));
    promises.forget_connection(1);
    EXPECT_TRUE(promises.give(film, 4, 2, 2, t0 + 1ms));
}

TEST(PiecePromises, DeclineRecordsNothing) {
    piece_promises promises;
    EXPECT_TRUE(promises.give(film, 4, 0, 1, t0));
    EXPECT_FALSE(promises.give(film, 4, 0, 2, t0 + 900ms));
    // The window still counts from the first receiver's promise, not the declined ask.
    EXPECT_TRUE(promises.give(film, 4, 0, 3, t0 + 1s));
}

}  // namespace
}  // namespace xfer::sender
