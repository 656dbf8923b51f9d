// xfer's one byte codec: exact big-endian bytes into both buffer kinds, reads that never pass the
// end of their input, and a failure that stays (no later field read from a shifted offset).
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "shared/wire/byte_io.hpp"

namespace xfer::wire {
namespace {

void write_sample(byte_writer& w) {
    w.u8(0x01);
    w.u16(0x0203);
    w.u32(0x04050607);
    w.u64(0x08090a0b0c0d0e0fULL);
    w.bytes(std::array<uint8_t, 2>{0xaa, 0xbb});
    w.bytes(std::string_view("hi"));
    w.string16("xyz");
}

const std::vector<uint8_t> sample_bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                           0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0xaa,
                                           0xbb, 'h',  'i',  0x00, 0x03, 'x',  'y',  'z'};

TEST(ByteIo, WritesBigEndianBytesExactly) {
    std::vector<uint8_t> out;
    byte_writer w(out);
    write_sample(w);
    EXPECT_EQ(out, sample_bytes);
    EXPECT_EQ(w.size(), sample_bytes.size());
}

TEST(ByteIo, StringAndVectorBuffersGetTheSameBytes) {
    std::string out;
    byte_writer w(out);
    write_sample(w);
    EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), sample_bytes);
    w.patch_u32(1, 0xdeadbeef);
    EXPECT_EQ(static_cast<uint8_t>(out[1]), 0xde);
    EXPECT_EQ(static_cast<uint8_t>(out[4]), 0xef);
    EXPECT_EQ(static_cast<uint8_t>(out[5]), 0x06) << "patch writes exactly four bytes";
}

TEST(ByteIo, PatchOverwritesALengthInPlace) {
    std::vector<uint8_t> out;
    byte_writer w(out);
    w.u32(0);
    w.u8(9);
    w.patch_u32(0, 0x01020304);
    EXPECT_EQ(out, (std::vector<uint8_t>{1, 2, 3, 4, 9}));
}

TEST(ByteIo, ReadsBackWhatWasWritten) {
    byte_reader r(sample_bytes);
    EXPECT_EQ(r.u8(), 0x01);
    uint16_t u16 = 0;
    EXPECT_TRUE(r.u16(u16));
    EXPECT_EQ(u16, 0x0203);
    EXPECT_EQ(r.u32(), 0x04050607u);
    EXPECT_EQ(r.u64(), 0x08090a0b0c0d0e0fULL);
    std::array<uint8_t, 2> two{};
    EXPECT_TRUE(r.bytes(two));
    EXPECT_EQ(two, (std::array<uint8_t, 2>{0xaa, 0xbb}));
    EXPECT_EQ(r.text_view(2), "hi");
    std::string text;
    EXPECT_TRUE(r.string16(text, 3));
    EXPECT_EQ(text, "xyz");
    EXPECT_TRUE(r.complete());
}

TEST(ByteIo, ReadsFromAStringView) {
    const std::string input("\x00\x00\x01\x00rest", 8);
    byte_reader r(std::string_view{input});
    EXPECT_EQ(r.u32(), 256u);
    EXPECT_EQ(r.text_view(r.remaining()), "rest");
    EXPECT_TRUE(r.complete());
}

TEST(ByteIo, EveryReadIsBoundedByTheInput) {
    const std::vector<uint8_t> seven(7, 0xff);
    {
        byte_reader r(seven);
        uint64_t value = 1;
        EXPECT_FALSE(r.u64(value));
        EXPECT_EQ(value, 1u) << "a failed read leaves its field alone";
    }
    {
        byte_reader r(seven);
        std::array<uint8_t, 8> eight{};
        EXPECT_FALSE(r.bytes(eight));
        EXPECT_EQ(eight, (std::array<uint8_t, 8>{})) << "no partial copy";
    }
    {
        byte_reader r(seven);
        EXPECT_TRUE(r.take(8).empty());
        EXPECT_FALSE(r.ok());
    }
    {
        byte_reader r(seven);
        EXPECT_TRUE(r.text_view(7).size() == 7);
        EXPECT_TRUE(r.complete());
        EXPECT_EQ(r.u8(), 0) << "nothing is read past the end";
        EXPECT_FALSE(r.ok());
    }
}

TEST(ByteIo, String16IsBoundedByItsLimitAndTheInput) {
    const std::vector<uint8_t> five = {0x00, 0x03, 'a', 'b', 'c'};
    std::string text;
    byte_reader over_limit(five);
    EXPECT_FALSE(over_limit.string16(text, 2)) << "a length over the caller's bound is refused";
    EXPECT_FALSE(over_limit.ok());
    const std::vector<uint8_t> short_body = {0x00, 0x04, 'a', 'b', 'c'};
    byte_reader truncated(short_body);
    EXPECT_FALSE(truncated.string16(text, 100));
    EXPECT_TRUE(text.empty());
}

TEST(ByteIo, FailureIsSticky) {
    const std::vector<uint8_t> three = {0x00, 0x01, 0x02};
    byte_reader r(three);
    EXPECT_EQ(r.u32(), 0u);
    EXPECT_FALSE(r.ok());
    // Two bytes would fit at offset 0, but after a failure nothing is read.
    EXPECT_EQ(r.u16(), 0);
    uint8_t one = 7;
    EXPECT_FALSE(r.u8(one));
    EXPECT_EQ(one, 7);
    EXPECT_TRUE(r.take(0).empty());
    EXPECT_FALSE(r.complete());
}

TEST(ByteIo, ADecoderCanRejectAFieldAndEveryLaterReadFails) {
    const std::vector<uint8_t> two = {0x01, 0x02};
    byte_reader r(two);
    EXPECT_EQ(r.u8(), 1);
    EXPECT_FALSE(r.fail());
    EXPECT_EQ(r.u8(), 0) << "the byte that is there is not read after fail()";
    EXPECT_FALSE(r.ok());
}

TEST(ByteIo, CompleteRequiresEveryByteConsumed) {
    const std::vector<uint8_t> two = {0x01, 0x02};
    byte_reader r(two);
    EXPECT_EQ(r.u8(), 1);
    EXPECT_TRUE(r.ok());
    EXPECT_FALSE(r.complete()) << "one byte left over";
    EXPECT_EQ(r.remaining(), 1u);
    EXPECT_EQ(r.u8(), 2);
    EXPECT_TRUE(r.complete());
}

}  // namespace
}  // namespace xfer::wire
