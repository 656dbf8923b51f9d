// The verified-pieces bitfield: bit operations at word and byte edges, the wire form (piece 0 =
// MSB of byte 0, spare bits zero), and exact counts under concurrent setters.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "shared/store/piece_bitfield.hpp"

namespace xfer {
namespace {

TEST(PieceBitfield, SetTestCountAtEverySize) {
    for (const uint32_t size : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 65u, 130u}) {
        SCOPED_TRACE("size " + std::to_string(size));
        piece_bitfield bits(size);
        EXPECT_EQ(bits.size(), size);
        EXPECT_EQ(bits.count(), 0u);
        EXPECT_EQ(bits.all(), size == 0);
        for (uint32_t piece = 0; piece < size; ++piece) {
            EXPECT_FALSE(bits.test(piece));
            EXPECT_TRUE(bits.set(piece)) << "newly set";
            EXPECT_FALSE(bits.set(piece)) << "already set";
            EXPECT_TRUE(bits.test(piece));
            EXPECT_EQ(bits.count(), piece + 1);
        }
        EXPECT_TRUE(bits.all());
        EXPECT_FALSE(bits.test(size)) << "out of range reads false";
        EXPECT_FALSE(bits.set(size)) << "out of range is never set";
        EXPECT_FALSE(bits.set(0xffffffff));
        EXPECT_EQ(bits.count(), size);
    }
}

TEST(PieceBitfield, WireFormIsMsbFirstWithZeroSpareBits) {
    piece_bitfield bits(10);
    EXPECT_EQ(bits.to_bytes(), (std::vector<uint8_t>{0x00, 0x00}));
    bits.set(0);
    bits.set(7);
    bits.set(9);
    EXPECT_EQ(bits.to_bytes(), (std::vector<uint8_t>{0x81, 0x40}));
    for (uint32_t piece = 0; piece < 10; ++piece) bits.set(piece);
    EXPECT_EQ(bits.to_bytes(), (std::vector<uint8_t>{0xff, 0xc0}));
    EXPECT_TRUE(piece_bitfield(0).to_bytes().empty());
    EXPECT_EQ(piece_bitfield(8).to_bytes().size(), 1u);
    EXPECT_EQ(piece_bitfield(65).to_bytes().size(), 9u);
}

TEST(PieceBitfield, SetFromBytesIgnoresSpareBitsAndShortInput) {
    piece_bitfield bits(10);
    bits.set_from_bytes(std::vector<uint8_t>{0x81, 0x7f});  // pieces 0, 7, 9 and spare bits 10..15
    EXPECT_EQ(bits.count(), 3u);
    EXPECT_TRUE(bits.test(0));
    EXPECT_TRUE(bits.test(7));
    EXPECT_TRUE(bits.test(9));
    EXPECT_EQ(bits.to_bytes(), (std::vector<uint8_t>{0x81, 0x40}));

    piece_bitfield short_input(20);
    short_input.set_from_bytes(std::vector<uint8_t>{0xff});
    EXPECT_EQ(short_input.count(), 8u) << "bytes that are not there set nothing";

    piece_bitfield merged(10);
    merged.set(1);
    merged.set_from_bytes(std::vector<uint8_t>{0xc0, 0x00, 0xff});  // an extra byte is ignored
    EXPECT_EQ(merged.count(), 2u) << "set_from_bytes adds; piece 1 is not counted twice";
}

TEST(PieceBitfield, RoundTripsThroughBytes) {
    piece_bitfield original(131);
    for (uint32_t piece = 0; piece < 131; piece += 3) original.set(piece);
    piece_bitfield copy(131);
    copy.set_from_bytes(original.to_bytes());
    EXPECT_EQ(copy.to_bytes(), original.to_bytes());
    EXPECT_EQ(copy.count(), original.count());
}

TEST(PieceBitfield, ConcurrentSettersCountEachPieceOnce) {
    // Receiver and bus threads set bits at once; overlapping ranges must still count exactly.
    constexpr uint32_t pieces = 20000;
    piece_bitfield bits(pieces);
    std::vector<uint32_t> newly_set(4, 0);
    {
        std::vector<std::jthread> threads;
        for (uint32_t t = 0; t < 4; ++t) {
            threads.emplace_back([&bits, &newly_set, t] {
                for (uint32_t piece = (t % 2) * (pieces / 4); piece < pieces; ++piece)
                    newly_set[t] += bits.set(piece);
            });
        }
    }
    EXPECT_EQ(bits.count(), pieces);
    EXPECT_TRUE(bits.all());
    EXPECT_EQ(newly_set[0] + newly_set[1] + newly_set[2] + newly_set[3], pieces);
}

}  // namespace
}  // namespace xfer
