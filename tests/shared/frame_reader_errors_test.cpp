// The frame reader refusing what it must: a bad header before any of its body is read, a close
// or an error mid-frame, PIECE data it has nowhere to put, and refusals by its handlers.
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

TEST(FrameReader, DestinationOfTheWrongSizeIsAnError) {
    fake_stream in;
    append_piece(in.input, {1, 0, 0}, test::pseudo_random_bytes(100, 1));
    in.close_at_end = true;
    frame_reader reader;
    recorder messages;
    buffer_sink sink(1000);
    sink.wrong_size = true;
    EXPECT_EQ(pump_to_end(reader, in, messages, &sink).error, errc::malformed_message);
}

TEST(FrameReader, PieceWithoutASinkIsUnexpected) {
    fake_stream in;
    append_piece(in.input, {1, 0, 0}, test::pseudo_random_bytes(100, 1));
    in.close_at_end = true;
    frame_reader reader;
    recorder messages;
    EXPECT_EQ(pump_to_end(reader, in, messages, nullptr).error, errc::unexpected_message);
}

TEST(FrameReader, SinkRefusalStopsThePump) {
    for (const size_t chunk : {size_t{7}, SIZE_MAX}) {
        fake_stream in;
        append_piece(in.input, {1, 0, 0}, test::pseudo_random_bytes(100, 1));
        wire::encode(wire::have{1, 7}, in.input);
        in.max_read_chunk = chunk;
        in.close_at_end = true;
        frame_reader reader;
        recorder messages;
        buffer_sink sink(1000);
        sink.refuse_blocks = true;
        EXPECT_EQ(pump_to_end(reader, in, messages, &sink).error, errc::hash_mismatch);
        EXPECT_TRUE(messages.messages.empty());
    }
}

// A header whose length is over its type's limit, followed by plenty of "body".
std::vector<uint8_t> oversized_frame(uint8_t type, uint32_t length) {
    std::vector<uint8_t> bytes = {
        static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
        static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), type};
    bytes.resize(bytes.size() + 100000, 0x41);
    return bytes;
}

TEST(FrameReader, BadHeaderIsRefusedBeforeAnyBodyByteIsRead) {
    const uint32_t manifest_max = wire::bounds_for(message_type::manifest)->max;
    const uint32_t piece_max = wire::bounds_for(message_type::piece)->max;
    const struct {
        uint8_t type;
        uint32_t length;
        errc expected;
    } cases[] = {
        {uint8_t(message_type::manifest), manifest_max + 1, errc::frame_too_large},
        {uint8_t(message_type::piece), piece_max + 1, errc::frame_too_large},
        {uint8_t(message_type::have), 0xffffffff, errc::frame_too_large},
        {uint8_t(message_type::have), 7, errc::frame_truncated},
        {uint8_t(message_type::piece), 12, errc::frame_truncated},
        {200, 10, errc::unknown_message},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE("type " + std::to_string(c.type) + " length " + std::to_string(c.length));
        fake_stream in;
        in.input = oversized_frame(c.type, c.length);
        in.max_read_chunk = 1;
        frame_reader reader;
        recorder messages;
        buffer_sink sink(10);
        const auto result = pump_to_end(reader, in, messages, &sink);
        EXPECT_EQ(result.error, c.expected);
        EXPECT_EQ(in.input_position, wire::frame_header_size) << "not one body byte was taken";
        EXPECT_EQ(in.read_calls, wire::frame_header_size);
        EXPECT_TRUE(messages.messages.empty());
        EXPECT_EQ(sink.destination_calls, 0u);
    }
}

TEST(FrameReader, BadHeaderAllocatesNothingForItsBody) {
    // Even when the socket already holds more bytes, nothing sized by the bad length is read or
    // reserved: reads stay within the fixed staging buffer.
    fake_stream in;
    in.input = oversized_frame(uint8_t(message_type::manifest), 0x7fffffff);
    frame_reader reader;
    recorder messages;
    const auto result = pump_to_end(reader, in, messages, nullptr);
    EXPECT_EQ(result.error, errc::frame_too_large);
    EXPECT_EQ(in.read_calls, 1u);
    EXPECT_LE(in.largest_read_request, 64u * 1024);
    EXPECT_TRUE(messages.messages.empty());
}

TEST(FrameReader, CloseMidFrameIsAnErrorAndAtABoundaryIsNot) {
    std::vector<uint8_t> bytes;
    std::vector<size_t> boundaries = {0};
    wire::encode(wire::have{1, 2}, bytes);
    boundaries.push_back(bytes.size());
    append_piece(bytes, {1, 0, 0}, test::pseudo_random_bytes(40, 3));
    boundaries.push_back(bytes.size());
    wire::encode(wire::list_request{"some/dir"}, bytes);
    boundaries.push_back(bytes.size());
    for (const size_t chunk : {size_t{1}, SIZE_MAX}) {
        for (size_t cut = 0; cut <= bytes.size(); ++cut) {
            SCOPED_TRACE("chunk " + std::to_string(chunk) + " cut " + std::to_string(cut));
            fake_stream in;
            in.input.assign(bytes.begin(), bytes.begin() + static_cast<long>(cut));
            in.max_read_chunk = chunk;
            in.close_at_end = true;
            frame_reader reader;
            recorder messages;
            buffer_sink sink(100);
            const auto result = pump_to_end(reader, in, messages, &sink);
            EXPECT_TRUE(result.closed);
            const bool at_boundary =
                std::find(boundaries.begin(), boundaries.end(), cut) != boundaries.end();
            if (at_boundary) {
                EXPECT_FALSE(result.error) << result.error.message();
            } else {
                EXPECT_EQ(result.error, errc::peer_closed);
            }
        }
    }
}

TEST(FrameReader, StreamErrorIsReported) {
    fake_stream in;
    wire::encode(wire::have{1, 2}, in.input);
    in.input.resize(in.input.size() + 3, 0);
    in.error_at_end = std::make_error_code(std::errc::connection_reset);
    frame_reader reader;
    recorder messages;
    const auto result = pump_to_end(reader, in, messages, nullptr);
    EXPECT_EQ(result.error, std::errc::connection_reset);
    EXPECT_EQ(messages.decoded(), (std::vector<wire::message>{wire::have{1, 2}}))
        << "what came before is delivered";
}

TEST(FrameReader, HandlerRefusalStopsDispatch) {
    fake_stream in;
    for (uint32_t piece = 0; piece < 3; ++piece) wire::encode(wire::have{1, piece}, in.input);
    in.close_at_end = true;
    frame_reader reader;
    recorder messages;
    messages.refuse_at = 1;
    EXPECT_EQ(pump_to_end(reader, in, messages, nullptr).error, errc::unexpected_message);
    EXPECT_EQ(messages.decoded(), (std::vector<wire::message>{wire::have{1, 0}}));
}
}  // namespace
}  // namespace xfer::net
