// The frame header and the one table of legal body lengths: every bound, both sides of it.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::wire {
namespace {

struct expected_bounds {
    message_type type;
    uint32_t min;
    uint32_t max;
};

// Written out from the layouts in messages.hpp, independently of frame.cpp's arithmetic.
const std::vector<expected_bounds>& documented_bounds() {
    static const std::vector<expected_bounds> table = {
        // magic, version, id, features, port, host_len, host; then site_len and site (--site)
        {message_type::hello, 30, 30 + 1024 + 2 + 64},
        {message_type::error, 8, 8 + 1024},  // handle, code, text_len
        {message_type::keepalive, 0, 0},
        {message_type::bye, 0, 0},
        {message_type::list, 2, 2 + 4096},                   // path_len
        {message_type::listing, 5, 1024 * 1024},             // flags, count
        {message_type::open, 38, 38 + 4096 + 1},             // handle, content id, path_len, flags
        {message_type::manifest, 21, 4 + 64 * 1024 * 1024},  // handle, smallest tree header
        {message_type::bitfield, 8, 8 + 131072 / 8},         // handle, piece_count
        {message_type::have, 8, 8},
        {message_type::request, 16, 16},
        {message_type::piece, 13, 12 + 1024 * 1024},  // prefix and at least one data byte
        {message_type::cancel, 16, 16},
        {message_type::close, 4, 4},
        {message_type::peers, 6, 6 + 64 * (2 + 2 + 255)},  // handle, count; entries: port, host
        {message_type::decline, 8, 8},                     // handle, piece
        {message_type::manifest_head, 25, 8 + 64 * 1024 * 1024},  // handle, known, tree header
        {message_type::manifest_hashes, 8 + 32, 8 + 4096 * 32},   // handle, first, 1..4096 hashes
        {message_type::pair_init, 34, 97},                        // Ya, name_len, name 1..64
        {message_type::pair_reply, 1, 162},    // status alone, or Yb, name_len, name, tag_b
        {message_type::pair_confirm, 64, 64},  // tag_a
    };
    return table;
}

std::error_code check(uint8_t type, uint32_t length, frame_header& out) {
    uint8_t raw[frame_header_size] = {
        static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
        static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), type};
    return validate_header(raw, out);
}

TEST(WireFrame, BoundsTableMatchesTheDocumentedLayouts) {
    for (const auto& expected : documented_bounds()) {
        const auto bounds = bounds_for(expected.type);
        ASSERT_TRUE(bounds) << "type " << int(expected.type);
        EXPECT_EQ(bounds->min, expected.min) << "type " << int(expected.type);
        EXPECT_EQ(bounds->max, expected.max) << "type " << int(expected.type);
    }
}

TEST(WireFrame, EveryTypeAcceptsItsMinimumAndMaximum) {
    for (const auto& expected : documented_bounds()) {
        for (const uint32_t length : {expected.min, expected.max}) {
            frame_header header{};
            EXPECT_FALSE(check(static_cast<uint8_t>(expected.type), length, header))
                << "type " << int(expected.type) << " length " << length;
            EXPECT_EQ(header.type, expected.type);
            EXPECT_EQ(header.length, length);
        }
    }
}

TEST(WireFrame, OneByteBelowTheMinimumIsTruncated) {
    for (const auto& expected : documented_bounds()) {
        if (expected.min == 0) continue;
        frame_header header{};
        EXPECT_EQ(check(static_cast<uint8_t>(expected.type), expected.min - 1, header),
                  errc::frame_truncated)
            << "type " << int(expected.type);
        EXPECT_EQ(check(static_cast<uint8_t>(expected.type), 0, header), errc::frame_truncated)
            << "type " << int(expected.type);
    }
}

TEST(WireFrame, OneByteAboveTheMaximumIsTooLarge) {
    for (const auto& expected : documented_bounds()) {
        frame_header header{};
        EXPECT_EQ(check(static_cast<uint8_t>(expected.type), expected.max + 1, header),
                  errc::frame_too_large)
            << "type " << int(expected.type);
        EXPECT_EQ(check(static_cast<uint8_t>(expected.type), 0xffffffff, header),
                  errc::frame_too_large)
            << "type " << int(expected.type);
    }
}

TEST(WireFrame, UnknownTypesAreRejectedWhateverTheLength) {
    std::vector<bool> known(256, false);
    for (const auto& expected : documented_bounds())
        known[static_cast<uint8_t>(expected.type)] = true;
    for (int type = 0; type < 256; ++type) {
        if (known[type]) continue;
        frame_header header{};
        for (const uint32_t length : {0u, 8u, 0xffffffffu}) {
            EXPECT_EQ(check(static_cast<uint8_t>(type), length, header), errc::unknown_message)
                << "type " << type << " length " << length;
        }
        EXPECT_FALSE(bounds_for(static_cast<message_type>(type))) << "type " << type;
    }
}

TEST(WireFrame, LengthIsBigEndian) {
    const uint8_t raw[frame_header_size] = {0x00, 0x00, 0x01, 0x02,
                                            static_cast<uint8_t>(message_type::listing)};
    frame_header header{};
    ASSERT_FALSE(validate_header(raw, header));
    EXPECT_EQ(header.length, 0x0102u);
    EXPECT_EQ(header.type, message_type::listing);
}

TEST(WireFrame, LimitsAreConsistentWithEachOther) {
    // A full-size file manifest and a full bitfield must fit their frames.
    EXPECT_GE(bounds_for(message_type::manifest)->max, 4 + 21 + max_pieces * 32);
    EXPECT_EQ(bounds_for(message_type::bitfield)->max - 8, (max_pieces + 7) / 8);
    // A REQUEST may ask for up to max_block_size, and the PIECE answering it must fit.
    EXPECT_EQ(bounds_for(message_type::piece)->max, piece_prefix_size + max_block_size);
    EXPECT_LE(block_size, max_block_size);
}

}  // namespace
}  // namespace xfer::wire
