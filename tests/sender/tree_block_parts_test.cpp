// A tree's block of a great many small files leaves a part at a time (issue 11: a block of
// 262,144 one-byte files, read at once, held the sender's loop for longer than the receiver's
// stall limit): one pass reads a bounded part and sends it, the frame stays whole, and what is
// queued meanwhile goes after it.
#include <gtest/gtest.h>

#include <string>

#include "tests/sender/upload_fixture.hpp"

namespace xfer::test {
namespace {

class tree_block_parts : public upload_test {
  protected:
    // `count` one-byte files in two directories: one piece, one block.
    std::shared_ptr<content_entry> tree_of_tiny_files(int count) {
        for (int i = 0; i < count; ++i) {
            const std::string name =
                "store/tree/d" + std::to_string(i % 2) + "/f" + std::to_string(10000 + i);
            box_.write(name, pseudo_random_bytes(1, static_cast<uint64_t>(i)));
        }
        auto entry = store_->open_for_serving("tree", std::nullopt);
        EXPECT_TRUE(entry) << entry.error().message();
        return entry ? *entry : nullptr;
    }
};

TEST_F(tree_block_parts, BlockOfManyFilesLeavesAPartPerWriteAndArrivesWhole) {
    constexpr int files = 3000;
    const auto entry = tree_of_tiny_files(files);
    ASSERT_TRUE(entry && entry->is_tree());
    ASSERT_EQ(entry->manifest.piece_count(), 1u);
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    (void)receiver->listen();  // MANIFEST, BITFIELD
    receiver->say(wire::request{{1, 0, 0, files}});
    ASSERT_FALSE(receiver->deliver());

    const size_t before = receiver->written();
    ASSERT_FALSE(receiver->connection->on_writable(t0));
    const size_t first = receiver->written() - before;
    EXPECT_GT(first, 16u) << "the header and the first part leave at once";
    EXPECT_LT(first, size_t{files}) << "one write reads a part of the block, not all of it";
    // A HAVE queued while the block is half out goes after it, not into it.
    receiver->connection->on_piece_verified(entry->id, 0);
    ASSERT_FALSE(receiver->connection->on_writable(t0));
    EXPECT_GT(receiver->written() - before, first) << "the next write sends the next part";

    const auto heard = receiver->listen();
    ASSERT_EQ(heard.pieces.size(), 1u);
    EXPECT_EQ(heard.pieces[0].piece, 0u);
    ASSERT_EQ(receiver->last_block().size(), size_t{files});
    EXPECT_EQ(sha256(receiver->last_block()), entry->manifest.piece_hashes[0])
        << "the block's bytes are the tree's, in order";
    EXPECT_EQ(heard.all<wire::have>().size(), 1u);
}

TEST_F(tree_block_parts, FileChangedWhileItsBlockIsReadEndsTheHandleAfterAWholeFrame) {
    constexpr int files = 3000;
    const auto entry = tree_of_tiny_files(files);
    ASSERT_TRUE(entry);
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    (void)receiver->listen();
    receiver->say(wire::request{{1, 0, 0, files}});
    ASSERT_FALSE(receiver->deliver());
    ASSERT_FALSE(receiver->connection->on_writable(t0));  // the first part is out
    // A file of a later part grows: its size no longer matches the scan.
    box_.write("store/tree/d1/f12999", pseudo_random_bytes(2, 1));
    const auto heard = receiver->listen();  // the frame reader fails the test on a torn frame
    ASSERT_EQ(heard.pieces.size(), 1u);
    EXPECT_EQ(receiver->last_block().size(), size_t{files});
    EXPECT_NE(sha256(receiver->last_block()), entry->manifest.piece_hashes[0]);
    const auto errors = heard.all<wire::error_msg>();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].handle, 1u);
    EXPECT_EQ(errors[0].code, static_cast<uint16_t>(errc::content_changed)) << errors[0].text;
}

}  // namespace
}  // namespace xfer::test
