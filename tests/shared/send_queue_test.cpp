// The outbound queue of a connection: frames and file ranges, through a stream that accepts a
// few bytes at a time and says would_block in between. Bytes must leave whole and in order.
#include <gtest/gtest.h>

#include <fcntl.h>

#include <limits>
#include <memory>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/net/send_queue.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/fake_stream.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::net {
namespace {

using test::fake_stream;

// Flushes until the queue is empty; a queue that stops making progress fails the test.
void flush_all(send_queue& queue, fake_stream& out) {
    size_t idle = 0;
    while (!queue.empty()) {
        const auto result = queue.flush(out);
        ASSERT_FALSE(result.error) << result.error.message();
        ASSERT_FALSE(result.closed);
        idle = result.bytes == 0 ? idle + 1 : 0;
        ASSERT_LT(idle, 4u) << "flush makes no progress";
    }
}

class SendQueue : public ::testing::Test {
  protected:
    void SetUp() override {
        file_bytes_ = test::pseudo_random_bytes(300000, 42);
        file_.reset(::open(box_.write("data.bin", file_bytes_).c_str(), O_RDONLY | O_CLOEXEC));
        ASSERT_TRUE(file_);
    }
    std::vector<uint8_t> file_range(uint64_t offset, uint32_t length) const {
        return {file_bytes_.begin() + static_cast<long>(offset),
                file_bytes_.begin() + static_cast<long>(offset + length)};
    }

    test::sandbox box_;
    std::vector<uint8_t> file_bytes_;
    unique_fd file_;
};

TEST_F(SendQueue, FramesAndFileRangesLeaveInOrderThroughPartialWrites) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        send_queue queue;
        std::vector<uint8_t> expected;
        auto holder = std::make_shared<int>(0);
        for (uint32_t piece = 0; piece < 6; ++piece) {
            const uint64_t offset = piece * 40000 + seed;
            const uint32_t length = 1000 + piece * 5000;
            wire::encode_piece_header({1, piece, 0}, length, queue.bytes_for_append());
            wire::encode_piece_header({1, piece, 0}, length, expected);
            queue.append_file(holder, file_.get(), offset, length);
            const auto range = file_range(offset, length);
            expected.insert(expected.end(), range.begin(), range.end());
            wire::encode(wire::have{1, piece}, queue.bytes_for_append());
            wire::encode(wire::have{1, piece}, expected);
        }
        fake_stream out(seed);
        out.max_write_chunk = 1 + seed * 97;
        out.random_write_chunks = true;
        out.would_block_between_writes = true;
        flush_all(queue, out);
        EXPECT_TRUE(out.output == expected);
        EXPECT_EQ(queue.queued_file_bytes(), 0u);
        EXPECT_EQ(holder.use_count(), 1) << "sent file segments release what kept the file open";
    }
}

TEST_F(SendQueue, OneByteWrites) {
    send_queue queue;
    std::vector<uint8_t> expected;
    wire::encode(wire::list_request{"dir"}, queue.bytes_for_append());
    wire::encode(wire::list_request{"dir"}, expected);
    queue.append_file(nullptr, file_.get(), 7, 300);
    const auto range = file_range(7, 300);
    expected.insert(expected.end(), range.begin(), range.end());
    fake_stream out;
    out.max_write_chunk = 1;
    flush_all(queue, out);
    EXPECT_EQ(out.output, expected);
    EXPECT_EQ(out.send_file_calls, 300u);
}

TEST_F(SendQueue, HeaderBeforeFileDataAsksForMore) {
    send_queue queue;
    wire::encode_piece_header({1, 0, 0}, 100, queue.bytes_for_append());
    queue.append_file(nullptr, file_.get(), 0, 100);
    wire::encode(wire::keepalive{}, queue.bytes_for_append());
    fake_stream out;
    flush_all(queue, out);
    EXPECT_EQ(out.more_flags, (std::vector<bool>{true, false}))
        << "MSG_MORE for the PIECE header that file data follows, not for the last frame";
}

TEST_F(SendQueue, QueuedFileBytesCountWhatIsStillToSend) {
    send_queue queue;
    EXPECT_TRUE(queue.empty());
    queue.append_file(nullptr, file_.get(), 0, 1000);
    queue.append_file(nullptr, file_.get(), 5000, 500);
    EXPECT_EQ(queue.queued_file_bytes(), 1500u);
    EXPECT_FALSE(queue.empty());
    fake_stream out;
    out.max_write_chunk = 600;
    const auto first = queue.flush(out);
    EXPECT_EQ(first.bytes, 600u);
    EXPECT_TRUE(first.would_block);
    EXPECT_EQ(queue.queued_file_bytes(), 900u);
    flush_all(queue, out);
    EXPECT_EQ(queue.queued_file_bytes(), 0u);
    auto expected = file_range(0, 1000);
    const auto second = file_range(5000, 500);
    expected.insert(expected.end(), second.begin(), second.end());
    EXPECT_EQ(out.output, expected);
}

// Issue 13: a HAVE behind 768 KiB of PIECE data at 20 KB/s reached its receiver ~40 s late.
TEST_F(SendQueue, UrgentFrameLeavesRightAfterTheFrameBeingSent) {
    send_queue queue;
    std::vector<uint8_t> first, rest;
    wire::encode_piece_header({1, 0, 0}, 1000, queue.bytes_for_append());
    wire::encode_piece_header({1, 0, 0}, 1000, first);
    queue.append_file(nullptr, file_.get(), 0, 1000);
    const auto data0 = file_range(0, 1000);
    first.insert(first.end(), data0.begin(), data0.end());
    wire::encode_piece_header({1, 1, 0}, 1000, queue.bytes_for_append());
    wire::encode_piece_header({1, 1, 0}, 1000, rest);
    queue.append_file(nullptr, file_.get(), 1000, 1000);
    const auto data1 = file_range(1000, 1000);
    rest.insert(rest.end(), data1.begin(), data1.end());

    fake_stream out;
    out.max_write_chunk = 500;  // the PIECE header and part of piece 0's data
    ASSERT_FALSE(queue.flush(out).error);
    wire::encode(wire::have{1, 7}, queue.bytes_for_urgent());
    wire::encode(wire::have{1, 8}, queue.bytes_for_urgent());
    out.max_write_chunk = std::numeric_limits<size_t>::max();
    flush_all(queue, out);

    auto expected = first;
    wire::encode(wire::have{1, 7}, expected);
    wire::encode(wire::have{1, 8}, expected);
    expected.insert(expected.end(), rest.begin(), rest.end());
    EXPECT_TRUE(out.output == expected) << "urgent frames must follow piece 0, in order, "
                                           "ahead of piece 1";
}

TEST_F(SendQueue, UrgentFrameOnAQueueNotStartedGoesFirst) {
    send_queue queue;
    std::vector<uint8_t> expected;
    wire::encode_piece_header({1, 0, 0}, 100, queue.bytes_for_append());
    queue.append_file(nullptr, file_.get(), 0, 100);
    wire::encode(wire::decline_msg{1, 3}, queue.bytes_for_urgent());
    wire::encode(wire::decline_msg{1, 3}, expected);
    wire::encode_piece_header({1, 0, 0}, 100, expected);
    const auto data = file_range(0, 100);
    expected.insert(expected.end(), data.begin(), data.end());
    wire::encode(wire::keepalive{}, queue.bytes_for_append());
    wire::encode(wire::keepalive{}, expected);
    fake_stream out;
    flush_all(queue, out);
    EXPECT_TRUE(out.output == expected);
}

// Issue 13 (64 hosts): an urgent HAVE waiting at the end of the queue took the next PIECE header
// into its segment, and the next HAVE joined that segment after the header: the HAVE's bytes
// went out between the PIECE header and its data, so the receiver read them as piece data
// ("unknown message type", then "piece N failed SHA-256 verification": 38 in one run).
TEST_F(SendQueue, AnUrgentFrameNeverLandsBetweenAPieceHeaderAndItsData) {
    send_queue queue;
    std::vector<uint8_t> piece;
    wire::encode(wire::have{1, 7}, queue.bytes_for_urgent());  // an empty queue: at the end
    wire::encode_piece_header({1, 0, 0}, 100, queue.bytes_for_append());
    wire::encode_piece_header({1, 0, 0}, 100, piece);
    queue.append_file(nullptr, file_.get(), 0, 100);
    const auto data = file_range(0, 100);
    piece.insert(piece.end(), data.begin(), data.end());
    wire::encode(wire::have{1, 8}, queue.bytes_for_urgent());

    fake_stream out;
    flush_all(queue, out);
    std::vector<uint8_t> expected;
    wire::encode(wire::have{1, 7}, expected);
    wire::encode(wire::have{1, 8}, expected);
    expected.insert(expected.end(), piece.begin(), piece.end());
    EXPECT_TRUE(out.output == expected) << "both HAVEs first, then the PIECE frame whole";
}

TEST_F(SendQueue, AppendsCoalesceUntilSomethingIsSent) {
    send_queue queue;
    auto& first = queue.bytes_for_append();
    first.assign(100, 0xaa);
    EXPECT_EQ(&queue.bytes_for_append(), &first) << "nothing sent yet: same segment";
    fake_stream out;
    out.max_write_chunk = 10;
    queue.flush(out);
    ASSERT_EQ(out.output.size(), 10u);
    // Half-sent: new bytes must not be added to it (its vector may be read from mid-way).
    auto& second = queue.bytes_for_append();
    EXPECT_NE(&second, &first);
    second.assign(50, 0xbb);
    out.max_write_chunk = SIZE_MAX;
    flush_all(queue, out);
    std::vector<uint8_t> expected(100, 0xaa);
    expected.insert(expected.end(), 50, 0xbb);
    EXPECT_EQ(out.output, expected);
}

// A small frame after a large one (a tree's manifest) gets a segment of its own: appended, it
// would double the large one's buffer (issue 11). The bytes still leave in order.
TEST_F(SendQueue, ALargeFrameIsNotGrownByTheSmallOnesAfterIt) {
    send_queue queue;
    auto& manifest = queue.bytes_for_append();
    manifest.reserve(2 * 1024 * 1024);
    manifest.assign(2 * 1024 * 1024, 0xaa);
    auto& next = queue.bytes_for_append();
    EXPECT_NE(&next, &manifest);
    next.assign(30, 0xbb);
    EXPECT_EQ(manifest.capacity(), 2u * 1024 * 1024);
    fake_stream out;
    flush_all(queue, out);
    std::vector<uint8_t> expected(2 * 1024 * 1024, 0xaa);
    expected.insert(expected.end(), 30, 0xbb);
    EXPECT_EQ(out.output, expected);
}

TEST_F(SendQueue, WriteErrorIsReturned) {
    send_queue queue;
    queue.bytes_for_append().assign(10, 1);
    queue.append_file(nullptr, file_.get(), 0, 10);
    fake_stream out;
    out.write_error = std::make_error_code(std::errc::broken_pipe);
    const auto result = queue.flush(out);
    EXPECT_EQ(result.error, std::errc::broken_pipe);
    EXPECT_FALSE(queue.empty());
}

TEST_F(SendQueue, FlushOfAnEmptyQueueDoesNothing) {
    send_queue queue;
    fake_stream out;
    const auto result = queue.flush(out);
    EXPECT_EQ(result.bytes, 0u);
    EXPECT_FALSE(result.error);
    EXPECT_TRUE(out.output.empty());
}

// A block read a part at a time: what is read goes out, the queue then waits (no would_block,
// no error), and frames queued after it, urgent ones too, leave only after its last byte.
TEST_F(SendQueue, FillingBlockSendsWhatIsReadAndKeepsLaterFramesBehindIt) {
    send_queue queue;
    std::vector<uint8_t> expected;
    auto filling = std::make_shared<filling_bytes>(3000);
    wire::encode_piece_header({1, 0, 0}, 3000, queue.bytes_for_append());
    wire::encode_piece_header({1, 0, 0}, 3000, expected);
    queue.append_filling(filling);
    const auto block = test::pseudo_random_bytes(3000, 5);
    filling->bytes.assign(block.begin(), block.begin() + 1000);
    fake_stream out;
    auto result = queue.flush(out);
    EXPECT_FALSE(result.error);
    EXPECT_FALSE(result.would_block) << "waiting for bytes is not the socket's doing";
    EXPECT_EQ(out.output.size(), expected.size() + 1000);
    EXPECT_EQ(queue.queued_file_bytes(), 2000u);
    EXPECT_FALSE(queue.empty());
    wire::encode(wire::have{1, 7}, queue.bytes_for_urgent());
    wire::encode(wire::have{1, 8}, queue.bytes_for_append());
    result = queue.flush(out);
    EXPECT_EQ(result.bytes, 0u) << "nothing new read: nothing may go, not even the urgent HAVE";
    filling->bytes.insert(filling->bytes.end(), block.begin() + 1000, block.end());
    flush_all(queue, out);
    expected.insert(expected.end(), block.begin(), block.end());
    wire::encode(wire::have{1, 7}, expected);
    wire::encode(wire::have{1, 8}, expected);
    EXPECT_TRUE(out.output == expected);
    EXPECT_EQ(queue.queued_file_bytes(), 0u);
    EXPECT_EQ(filling.use_count(), 1) << "a sent block is released";
}

}  // namespace
}  // namespace xfer::net
