// A served file rewritten in place while a receiver fetches it: the receiver is told
// content_changed on that handle before any block of a later piece goes out, and is not sent a
// piece read after the change that would fail its SHA-256 check (three of those get us banned).
// The sender checks the file's identity once per piece, not per block (upload_connection.cpp);
// these tests hold whichever granularity it uses, as long as the guarantee stays.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fcntl.h>

#include <algorithm>
#include <filesystem>

#include "shared/core/error.hpp"
#include "shared/manifest/manifest_cache.hpp"
#include "tests/sender/upload_fixture.hpp"

namespace xfer::test {
namespace {

constexpr uint32_t block = wire::block_size;
constexpr uint16_t content_changed_code = static_cast<uint16_t>(errc::content_changed);

class served_file_rewritten : public upload_test {
  protected:
    // Same size, new bytes, same inode (opened for writing and truncated, not replaced), and an
    // mtime moved explicitly so the test never relies on the clock's granularity.
    void rewrite_in_place(const std::string& name) {
        const auto path = box_ / "store" / name;
        struct stat before {};
        ASSERT_EQ(::stat(path.c_str(), &before), 0);
        box_.write("store/" + name, pseudo_random_bytes(static_cast<size_t>(before.st_size), 99));
        struct stat after {};
        ASSERT_EQ(::stat(path.c_str(), &after), 0);
        ASSERT_EQ(after.st_ino, before.st_ino) << "the rewrite replaced the file";
        const timespec times[2] = {before.st_atim,
                                   {before.st_mtim.tv_sec + 10, before.st_mtim.tv_nsec}};
        ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    }

    // A complete shared file whose pieces are `blocks_per_piece` blocks: its manifest is put in
    // the store's manifest cache first, so opening it does not choose the (one-block) piece size
    // a small file gets.
    std::shared_ptr<content_entry> file_of_multi_block_pieces(const std::string& name,
                                                              uint32_t pieces,
                                                              uint32_t blocks_per_piece) {
        const uint32_t size_of_piece = block * blocks_per_piece;
        const auto bytes = pseudo_random_bytes(size_t{size_of_piece} * pieces, 5);
        const auto path = box_.write("store/" + name, bytes);
        manifest m;
        m.file_size = bytes.size();
        m.piece_size = size_of_piece;
        for (uint32_t piece = 0; piece < pieces; ++piece) {
            m.piece_hashes.push_back(sha256(std::span<const uint8_t>(bytes).subspan(
                size_t{piece} * size_of_piece, size_of_piece)));
        }
        struct stat info {};
        EXPECT_EQ(::stat(path.c_str(), &info), 0);
        manifest_cache(box_ / "cache").store(info, encode_manifest(m));
        auto entry = store_->open_for_serving(name, std::nullopt);
        EXPECT_TRUE(entry) << entry.error().message();
        if (!entry) return nullptr;
        EXPECT_EQ((*entry)->manifest.piece_size, size_of_piece)
            << "the cached manifest was not used";
        return *entry;
    }

    static void ask_block(scripted_receiver& receiver, uint32_t handle, uint32_t piece,
                          uint32_t index) {
        receiver.say(wire::request{{handle, piece, index * block, block}});
    }

    static bool told_content_changed(const heard& answer, uint32_t handle) {
        const auto errors = answer.all<wire::error_msg>();
        return errors.size() == 1 && errors[0].handle == handle &&
               errors[0].code == content_changed_code;
    }
};

TEST_F(served_file_rewritten, BetweenPiecesTheNextRequestGetsContentChanged) {
    const auto entry = complete_file("whole.bin");  // one block per piece
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    (void)receiver->listen();
    receiver->say(request(1, 0));
    ASSERT_FALSE(receiver->deliver());
    ASSERT_EQ(receiver->listen().pieces.size(), 1u);

    ASSERT_NO_FATAL_FAILURE(rewrite_in_place("whole.bin"));
    receiver->say(request(1, 1));
    receiver->say(request(1, 2));
    ASSERT_FALSE(receiver->deliver()) << "the connection was dropped instead of the handle ended";
    const auto answer = receiver->listen();
    EXPECT_TRUE(answer.pieces.empty()) << "sent a piece of the rewritten file";
    EXPECT_TRUE(told_content_changed(answer, 1)) << "no single content_changed ERROR for handle 1";

    // Requests the receiver sent before it read the ERROR are ignored, not a protocol violation.
    receiver->say(request(1, 3));
    EXPECT_FALSE(receiver->deliver());
    EXPECT_TRUE(receiver->listen().pieces.empty());
}

TEST_F(served_file_rewritten, MidPieceNoBlockOfALaterPieceGoesOut) {
    constexpr uint32_t blocks_per_piece = 4;
    const auto entry = file_of_multi_block_pieces("big.bin", 3, blocks_per_piece);
    ASSERT_TRUE(entry);
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    (void)receiver->listen();
    ask_block(*receiver, 1, 0, 0);
    ASSERT_FALSE(receiver->deliver());
    ASSERT_EQ(receiver->listen().pieces.size(), 1u);

    ASSERT_NO_FATAL_FAILURE(rewrite_in_place("big.bin"));
    for (uint32_t index = 1; index < blocks_per_piece; ++index) ask_block(*receiver, 1, 0, index);
    for (uint32_t piece = 1; piece < 3; ++piece) {
        for (uint32_t index = 0; index < blocks_per_piece; ++index)
            ask_block(*receiver, 1, piece, index);
    }
    ASSERT_FALSE(receiver->deliver());
    const auto answer = receiver->listen();
    // At most the rest of the piece in progress may go out (it fails verification once, below
    // the ban); nothing of a piece that starts after the change.
    EXPECT_TRUE(std::all_of(answer.pieces.begin(), answer.pieces.end(), [](const auto& header) {
        return header.piece == 0;
    })) << "sent a block of a piece started after the file changed";
    EXPECT_TRUE(told_content_changed(answer, 1)) << "no single content_changed ERROR for handle 1";
}

TEST_F(served_file_rewritten, APieceAskedForAgainIsCheckedAgain) {
    // The receiver retries the piece that failed verification because the file changed under
    // it: the retry is told content_changed, not fed the rewritten bytes toward a ban.
    const auto entry = complete_file("whole.bin");
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    (void)receiver->listen();
    receiver->say(request(1, 2));
    ASSERT_FALSE(receiver->deliver());
    ASSERT_EQ(receiver->listen().pieces.size(), 1u);

    ASSERT_NO_FATAL_FAILURE(rewrite_in_place("whole.bin"));
    receiver->say(request(1, 2));
    ASSERT_FALSE(receiver->deliver());
    const auto answer = receiver->listen();
    EXPECT_TRUE(answer.pieces.empty()) << "sent the same piece again after the file changed";
    EXPECT_TRUE(told_content_changed(answer, 1)) << "no single content_changed ERROR for handle 1";
}

TEST_F(served_file_rewritten, UnchangedFileServesEveryBlockOfEveryPiece) {
    constexpr uint32_t blocks_per_piece = 4;
    const auto entry = file_of_multi_block_pieces("big.bin", 3, blocks_per_piece);
    ASSERT_TRUE(entry);
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    (void)receiver->listen();
    for (uint32_t piece = 0; piece < 3; ++piece) {
        for (uint32_t index = 0; index < blocks_per_piece; ++index)
            ask_block(*receiver, 1, piece, index);
    }
    ASSERT_FALSE(receiver->deliver());
    const auto answer = receiver->listen();
    EXPECT_EQ(answer.pieces.size(), 3u * blocks_per_piece);
    EXPECT_TRUE(answer.all<wire::error_msg>().empty());
}

}  // namespace
}  // namespace xfer::test
