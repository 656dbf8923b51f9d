// The incremental frame reader, fed by a scripted stream that hands out bytes one at a time or
// in random splits with would_block in between: messages must come out whole and PIECE data
// must land at its offsets in the sink's buffer. Refusals: frame_reader_errors_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/net/frame_reader.hpp"
#include "shared/wire/messages.hpp"
#include "tests/shared/frame_reader_fixture.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::net {
namespace {

using test::append_piece;
using test::buffer_sink;
using test::fake_stream;
using test::pump_to_end;
using test::recorder;
using wire::message_type;

// Every kind of small message, a few PIECEs, in one byte stream.
struct script {
    std::vector<uint8_t> bytes;
    std::vector<wire::message> messages;
    std::vector<uint8_t> expected_buffer;  // what the buffer_sink must hold afterwards
    std::vector<wire::piece_header> pieces;
};

script mixed_script() {
    script s;
    s.expected_buffer.assign(3000, 0);
    const auto blocks = test::pseudo_random_bytes(3000, 11);
    wire::hello h;
    h.id.fill(9);
    h.listen_port = 7420;
    h.listen_host = "192.0.2.1";
    wire::listing l;
    l.entries.push_back({wire::listing_entry::kind_t::file, 12345, 1, 2, "file.bin"});
    wire::request r;
    r.piece = 1;
    r.length = 1000;
    wire::cancel c;
    c.piece = 1;
    c.length = 1000;
    s.messages = {h,
                  wire::error_msg{0, 5, "bad"},
                  wire::keepalive{},
                  wire::list_request{"dir"},
                  l,
                  wire::open_request{1, {}, "file.bin"},
                  wire::manifest_msg{1, std::vector<uint8_t>(21 + 64, 7)},
                  wire::bitfield_msg{1, 3, {0xe0}},
                  wire::have{1, 2},
                  r,
                  c,
                  wire::close_msg{1}};
    for (size_t i = 0; i < s.messages.size(); ++i) {
        wire::encode(s.messages[i], s.bytes);
        // A PIECE after every few messages, blocks out of order.
        if (i % 4 == 3) {
            const uint32_t offset = static_cast<uint32_t>((2 - i / 4) * 1000);
            const wire::piece_header header{1, 0, offset};
            append_piece(s.bytes, header, std::span<const uint8_t>(blocks).subspan(offset, 1000));
            std::copy_n(blocks.begin() + offset, 1000, s.expected_buffer.begin() + offset);
            s.pieces.push_back(header);
        }
    }
    wire::encode(wire::bye{}, s.bytes);
    s.messages.push_back(wire::bye{});
    return s;
}

void expect_script_read(const script& s, fake_stream& in) {
    frame_reader reader;
    recorder messages;
    buffer_sink sink(3000);
    in.input = s.bytes;
    in.close_at_end = true;
    const auto result = pump_to_end(reader, in, messages, &sink);
    EXPECT_TRUE(result.closed);
    EXPECT_FALSE(result.error) << result.error.message();
    EXPECT_FALSE(reader.mid_frame());
    EXPECT_EQ(messages.decoded(), s.messages);
    EXPECT_EQ(sink.received, s.pieces);
    EXPECT_EQ(sink.lengths, std::vector<uint32_t>(s.pieces.size(), 1000));
    EXPECT_EQ(sink.buffer, s.expected_buffer);
}

TEST(FrameReader, OneByteAtATimeWithWouldBlockBetween) {
    fake_stream in;
    in.max_read_chunk = 1;
    in.would_block_between_reads = true;
    expect_script_read(mixed_script(), in);
}

TEST(FrameReader, RandomSplits) {
    for (uint64_t seed = 1; seed <= 30; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        fake_stream in(seed);
        in.max_read_chunk = 1 + seed * 37;
        in.random_read_chunks = true;
        in.would_block_between_reads = seed % 2 == 0;
        expect_script_read(mixed_script(), in);
    }
}

TEST(FrameReader, EverythingInOneRead) {
    fake_stream in;
    expect_script_read(mixed_script(), in);
}

TEST(FrameReader, LargePieceGoesStraightIntoTheSinkBuffer) {
    // Bigger than the staging buffer, so most of it is read directly into its destination.
    const auto data = test::pseudo_random_bytes(wire::max_block_size, 5);
    for (const size_t chunk : {size_t{1000}, size_t{70000}, SIZE_MAX}) {
        SCOPED_TRACE("chunk " + std::to_string(chunk));
        fake_stream in;
        append_piece(in.input, {3, 4, 0}, data);
        wire::encode(wire::have{3, 4}, in.input);
        in.max_read_chunk = chunk;
        in.would_block_between_reads = true;
        in.close_at_end = true;
        frame_reader reader;
        recorder messages;
        buffer_sink sink(data.size());
        const auto result = pump_to_end(reader, in, messages, &sink);
        EXPECT_FALSE(result.error) << result.error.message();
        EXPECT_TRUE(sink.buffer == data);
        ASSERT_EQ(sink.received.size(), 1u);
        EXPECT_EQ(sink.received[0], (wire::piece_header{3, 4, 0}));
        EXPECT_EQ(sink.lengths[0], wire::max_block_size);
        EXPECT_EQ(messages.decoded(), (std::vector<wire::message>{wire::have{3, 4}}));
    }
}

TEST(FrameReader, DiscardedPieceDataIsSkipped) {
    fake_stream in;
    append_piece(in.input, {1, 0, 0}, test::pseudo_random_bytes(100000, 1));
    wire::encode(wire::have{1, 7}, in.input);
    in.max_read_chunk = 333;
    in.would_block_between_reads = true;
    in.close_at_end = true;
    frame_reader reader;
    recorder messages;
    buffer_sink sink(10);
    sink.discard = true;
    const auto result = pump_to_end(reader, in, messages, &sink);
    EXPECT_FALSE(result.error) << result.error.message();
    EXPECT_EQ(sink.destination_calls, 1u);
    EXPECT_TRUE(sink.received.empty()) << "discarded data is never reported as received";
    EXPECT_EQ(sink.buffer, std::vector<uint8_t>(10, 0));
    EXPECT_EQ(messages.decoded(), (std::vector<wire::message>{wire::have{1, 7}}));
}

TEST(FrameReader, LargeManifestBodies) {
    // 70 KB (just over the staging buffer) one byte at a time, and 3.2 MB in random chunks.
    for (const uint32_t pieces : {2200u, 100000u}) {
        SCOPED_TRACE("pieces " + std::to_string(pieces));
        const wire::manifest_msg big{1,
                                     test::pseudo_random_bytes(21 + size_t{pieces} * 32, pieces)};
        fake_stream in(pieces);
        wire::encode(wire::keepalive{}, in.input);
        wire::encode(big, in.input);
        wire::encode(big, in.input);
        wire::encode(wire::have{1, 2}, in.input);
        in.max_read_chunk = pieces < 10000 ? 1 : 100000;
        in.random_read_chunks = pieces >= 10000;
        in.would_block_between_reads = true;
        in.close_at_end = true;
        frame_reader reader;
        recorder messages;
        const auto result = pump_to_end(reader, in, messages, nullptr);
        EXPECT_FALSE(result.error) << result.error.message();
        EXPECT_TRUE((messages.decoded() ==
                     (std::vector<wire::message>{wire::keepalive{}, big, big, wire::have{1, 2}})));
    }
}

TEST(FrameReader, BudgetBoundsOnePump) {
    fake_stream in;
    for (uint32_t piece = 0; piece < 1000; ++piece) wire::encode(wire::have{1, piece}, in.input);
    in.max_read_chunk = 100;
    in.close_at_end = true;
    frame_reader reader;
    recorder messages;
    const auto first = reader.pump(in, messages.handler(), nullptr, 1000);
    EXPECT_FALSE(first.closed);
    EXPECT_FALSE(first.error);
    EXPECT_GE(first.bytes, 1000u);
    EXPECT_LT(first.bytes, 1100u);
    EXPECT_EQ(messages.messages.size(), 1000u / 13)
        << "every whole frame read so far is dispatched";
    const auto rest = pump_to_end(reader, in, messages, nullptr, 1000);
    EXPECT_FALSE(rest.error);
    ASSERT_EQ(messages.messages.size(), 1000u);
    EXPECT_EQ(messages.decoded().back(), (wire::message{wire::have{1, 999}}));
}

TEST(FrameReader, MidFrameTracksPartialFrames) {
    std::vector<uint8_t> bytes;
    wire::encode(wire::have{1, 2}, bytes);
    frame_reader reader;
    recorder messages;
    EXPECT_FALSE(reader.mid_frame());
    fake_stream in;
    in.input.assign(bytes.begin(), bytes.begin() + 3);
    reader.pump(in, messages.handler(), nullptr, 1 << 20);
    EXPECT_TRUE(reader.mid_frame()) << "part of a header";
    in.input.insert(in.input.end(), bytes.begin() + 3, bytes.begin() + 9);
    reader.pump(in, messages.handler(), nullptr, 1 << 20);
    EXPECT_TRUE(reader.mid_frame()) << "part of a body";
    in.input.insert(in.input.end(), bytes.begin() + 9, bytes.end());
    reader.pump(in, messages.handler(), nullptr, 1 << 20);
    EXPECT_FALSE(reader.mid_frame());
    EXPECT_EQ(messages.messages.size(), 1u);
}

}  // namespace
}  // namespace xfer::net
