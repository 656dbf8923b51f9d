// Memory a receiver controls at the sender: what it asks for and does not read is held only up
// to byte bounds (issue 9, class 1). Listings go out as the socket takes them, reading pauses
// while they do, and a receiver that lets unasked frames pile up is dropped.
#include <gtest/gtest.h>

#include <string>

#include "shared/core/error.hpp"
#include "tests/sender/upload_fixture.hpp"

namespace xfer::test {
namespace {

using output_budget = upload_test;

// A directory whose listing is about `files` x 230 bytes of LISTING frames.
void make_directory(sandbox& box, size_t files) {
    for (size_t i = 0; i < files; ++i)
        box.write("store/big/" + std::string(200, 'n') + std::to_string(i), "x");
}

size_t final_listings(const heard& answer) {
    size_t finals = 0;
    for (const auto& frame : answer.all<wire::listing>()) finals += frame.more ? 0 : 1;
    return finals;
}

TEST_F(output_budget, ListingsAskedAndNotReadHoldAboutOneFrameAndPauseReading) {
    make_directory(box_, 4000);  // ~0.9 MiB of listing per LIST
    auto receiver = connect(1);
    receiver->stop_reading();
    for (size_t i = 0; i < sender::max_asked_listings; ++i)
        receiver->say(wire::list_request{"big"});
    ASSERT_FALSE(receiver->deliver());
    for (int i = 0; i < 4; ++i) ASSERT_FALSE(receiver->connection->on_writable(t0));
    // Sixteen listings asked: without the bound that is ~15 MiB queued.
    EXPECT_LT(receiver->connection->queued_frame_bytes(), uint64_t{2} * 1024 * 1024);
    EXPECT_FALSE(receiver->connection->wants_read()) << "keeps reading a receiver that does not";
    EXPECT_FALSE(receiver->connection->not_reading()) << "asked-for data is not a reason to drop";

    receiver->resume_reading();
    const auto answer = receiver->listen();
    EXPECT_EQ(final_listings(answer), sender::max_asked_listings) << "a listing was lost";
    EXPECT_TRUE(receiver->connection->wants_read());
}

TEST_F(output_budget, EachListingArrivesWholeAndInOrder) {
    make_directory(box_, 300);
    box_.write("store/small/one", "1");
    auto receiver = connect(1);
    receiver->say(wire::list_request{"big"});
    receiver->say(wire::list_request{"small"});
    ASSERT_FALSE(receiver->deliver());
    const auto frames = receiver->listen().all<wire::listing>();
    size_t entries_before_small = 0;
    for (const auto& frame : frames) {
        if (frame.entries.size() == 1 && frame.entries[0].name == "one") break;
        entries_before_small += frame.entries.size();
    }
    EXPECT_EQ(entries_before_small, 300u);
    ASSERT_FALSE(frames.empty());
    EXPECT_FALSE(frames.back().more);
}

TEST_F(output_budget, TooManyListsWaitingIsAViolation) {
    box_.write("store/d/f", "1");
    auto receiver = connect(1);
    receiver->stop_reading();
    for (size_t i = 0; i <= sender::max_asked_listings + 1; ++i)
        receiver->say(wire::list_request{"d"});
    EXPECT_EQ(receiver->deliver(), make_error_code(errc::malformed_message));
}

TEST_F(output_budget, ListingPastTheProcessBudgetIsAnsweredBusy) {
    make_directory(box_, 20);
    context_.listings.max_entries = 10;
    auto receiver = connect(1);
    receiver->say(wire::list_request{"big"});
    ASSERT_FALSE(receiver->deliver());
    const auto answer = receiver->listen();
    ASSERT_EQ(answer.all<wire::error_msg>().size(), 1u);
    EXPECT_EQ(answer.all<wire::error_msg>()[0].code, static_cast<uint16_t>(errc::sender_busy));
    EXPECT_TRUE(answer.all<wire::listing>().empty());
    EXPECT_EQ(context_.listings.entries_pending, 0u) << "a refused listing still counts";
}

TEST_F(output_budget, ListingEntriesLeaveTheBudgetWhenTheReceiverGoes) {
    make_directory(box_, 10000);  // three LISTING frames: entries wait while the first is out
    {
        auto receiver = connect(1);
        receiver->stop_reading();
        receiver->say(wire::list_request{"big"});
        ASSERT_FALSE(receiver->deliver());
        ASSERT_FALSE(receiver->connection->on_writable(t0));
        EXPECT_EQ(context_.listings.entries_pending, 10000u);
    }
    EXPECT_EQ(context_.listings.entries_pending, 0u);
}

TEST_F(output_budget, UnaskedFramesPilingUpMarkTheReceiverAsNotReading) {
    const auto entry = complete_file("f.bin");
    ASSERT_TRUE(entry);
    auto receiver = connect(1);
    receiver->say(wire::open_request{1, {}, "f.bin"});
    ASSERT_FALSE(receiver->deliver());
    opened(*receiver, 1, entry);
    receiver->stop_reading();
    // HAVE frames are ~14 bytes: this is past 16 MiB of them.
    for (int i = 0; i < 1'300'000 && !receiver->connection->not_reading(); ++i)
        receiver->connection->on_piece_verified(entry->id, 0);
    EXPECT_TRUE(receiver->connection->not_reading());
}

}  // namespace
}  // namespace xfer::test
