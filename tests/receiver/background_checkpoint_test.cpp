// The fetch loop's periodic checkpoint, run on a thread of its own: one at a time, and what it
// leaves on disk is what a restart resumes from.
#include "receiver/background_checkpoint.hpp"

#include "shared/store/resume_state.hpp"
#include "tests/shared/piece_store_fixture.hpp"

namespace xfer::receiver {
namespace {

using BackgroundCheckpoint = test::store_test;
constexpr uint64_t piece = min_piece_size;

TEST_F(BackgroundCheckpoint, OneAtATimeAndARestartResumesFromIt) {
    const auto source = test::make_source(6 * piece, 4);
    {
        auto store = open_store();
        auto entry = *store->open_for_fetching("f", source.encoded, false);
        ASSERT_FALSE(store->write_piece(*entry, 1, source.piece(1)));
        background_checkpoint checkpoints(store);
        ASSERT_TRUE(checkpoints.start(entry));
        EXPECT_TRUE(checkpoints.running());
        EXPECT_FALSE(checkpoints.start(entry)) << "a second while the first runs";
        ASSERT_FALSE(store->write_piece(*entry, 4, source.piece(4)));  // the loop goes on
        ASSERT_FALSE(checkpoints.wait());
        EXPECT_FALSE(checkpoints.running());
        EXPECT_FALSE(checkpoints.poll()) << "nothing running: nothing to report";
        const auto state = decode_resume_state(*read_resume_state_file(entry->state_path));
        ASSERT_TRUE(state) << state.error().message();
        piece_bitfield checkpointed(6);
        checkpointed.set_from_bytes(state->bitfield);
        EXPECT_TRUE(checkpointed.test(1));
        EXPECT_FALSE(checkpointed.test(4)) << "had only after the checkpoint began";
        EXPECT_EQ(piece_journal::read(entry->journal_path, 6), (std::vector<uint32_t>{4}));
        ASSERT_TRUE(checkpoints.start(entry)) << "the next may begin once the first is done";
        // Destroyed while running: it waits, so the entry's files are not pulled from under it.
    }
    auto store = open_store();
    auto entry = store->open_for_fetching("f", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ(had_pieces(**entry), (std::vector<uint32_t>{1, 4}));
}

}  // namespace
}  // namespace xfer::receiver
