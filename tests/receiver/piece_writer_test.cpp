// The piece writer: results come back (in order from one thread, exactly once each from a pool)
// with their buffers, the queue is bounded in bytes, and a failed write comes back as that
// piece's error. The writes here are stand-ins the test controls, so nothing depends on timing.
#include "receiver/piece_writer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <future>
#include <mutex>
#include <set>

namespace xfer::receiver {
namespace {

write_job job_for(uint32_t piece, uint32_t length) {
    write_job job{piece, allocate_aligned(length), length};
    std::memset(job.data.get(), static_cast<int>(piece & 0xff), length);
    return job;
}

// Waits (in poll's own blocking way, no sleeps) until `count` results were taken.
std::vector<write_result> take(piece_writer& writer, size_t count) {
    std::vector<write_result> results;
    while (results.size() < count) {
        zmq::pollitem_t item{writer.ready_socket().handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(-1));
        for (auto& result : writer.take_results()) results.push_back(std::move(result));
    }
    return results;
}

TEST(PieceWriter, OneThreadWritesInOrderAndHandsEachBufferBack) {
    zmq::context_t context;
    std::mutex mutex;
    std::vector<uint32_t> written;
    std::vector<uint8_t> first_bytes;
    piece_writer writer(context, 1, 1 << 20, [&](uint32_t piece, std::span<const uint8_t> data) {
        std::lock_guard lock(mutex);
        written.push_back(piece);
        first_bytes.push_back(data.front());
        return std::error_code{};
    });
    for (uint32_t piece = 0; piece < 16; ++piece) writer.submit(job_for(piece, 4096));
    const auto results = take(writer, 16);
    ASSERT_EQ(results.size(), 16u);
    for (uint32_t piece = 0; piece < 16; ++piece) {
        EXPECT_EQ(results[piece].piece, piece);
        EXPECT_FALSE(results[piece].error);
        ASSERT_NE(results[piece].data, nullptr);
        EXPECT_EQ(results[piece].length, 4096u);
        EXPECT_EQ(results[piece].data[4095], piece) << "the piece's own buffer comes back";
        EXPECT_EQ(written[piece], piece);
        EXPECT_EQ(first_bytes[piece], piece);
    }
    EXPECT_EQ(writer.in_progress(), 0u);
    EXPECT_EQ(writer.queued_bytes(), 0u);
}

TEST(PieceWriter, APoolWritesEveryPieceExactlyOnce) {
    zmq::context_t context;
    std::mutex mutex;
    std::multiset<uint32_t> written;
    piece_writer writer(context, 4, 64 << 20, [&](uint32_t piece, std::span<const uint8_t>) {
        std::lock_guard lock(mutex);
        written.insert(piece);
        return std::error_code{};
    });
    for (uint32_t piece = 0; piece < 200; ++piece) writer.submit(job_for(piece, 1024));
    std::set<uint32_t> completed;
    for (const auto& result : take(writer, 200)) {
        EXPECT_TRUE(completed.insert(result.piece).second) << "piece " << result.piece << " twice";
    }
    EXPECT_EQ(completed.size(), 200u);
    EXPECT_EQ(written.size(), 200u);
    for (uint32_t piece = 0; piece < 200; ++piece) EXPECT_EQ(written.count(piece), 1u);
}

TEST(PieceWriter, TheQueueIsBoundedInBytesUntilResultsAreTaken) {
    zmq::context_t context;
    std::promise<void> release;
    const auto released = release.get_future().share();
    piece_writer writer(context, 1, 3 * 4096, [&](uint32_t, std::span<const uint8_t>) {
        released.wait();  // the disk is "slow" until the test says otherwise
        return std::error_code{};
    });
    EXPECT_TRUE(writer.has_room_for(1 << 30)) << "an empty writer takes a piece of any size";
    for (uint32_t piece = 0; piece < 3; ++piece) {
        ASSERT_TRUE(writer.has_room_for(4096)) << piece;
        writer.submit(job_for(piece, 4096));
    }
    EXPECT_EQ(writer.queued_bytes(), 3u * 4096);
    EXPECT_FALSE(writer.has_room_for(4096));
    EXPECT_FALSE(writer.has_room_for(1));
    EXPECT_TRUE(writer.has_room_for(0));
    release.set_value();
    take(writer, 3);
    EXPECT_EQ(writer.queued_bytes(), 0u);
    EXPECT_TRUE(writer.has_room_for(3 * 4096));
    writer.submit(job_for(3, 4096));  // the writer is released now: this one finishes
    take(writer, 1);
    EXPECT_EQ(writer.queued_bytes(), 0u) << "bytes are counted off when their result is taken";
}

TEST(PieceWriter, AFailedWriteComesBackAsThatPiecesError) {
    zmq::context_t context;
    piece_writer writer(context, 2, 1 << 20, [](uint32_t piece, std::span<const uint8_t>) {
        return piece == 2 ? std::error_code(ENOSPC, std::system_category()) : std::error_code{};
    });
    for (uint32_t piece = 0; piece < 5; ++piece) writer.submit(job_for(piece, 512));
    for (const auto& result : take(writer, 5)) {
        if (result.piece == 2) {
            EXPECT_EQ(result.error, std::error_code(ENOSPC, std::system_category()));
        } else {
            EXPECT_FALSE(result.error) << result.piece;
        }
        EXPECT_NE(result.data, nullptr) << "a failed piece's buffer comes back too";
    }
}

}  // namespace
}  // namespace xfer::receiver
