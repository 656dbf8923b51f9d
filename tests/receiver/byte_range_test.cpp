// `--range START:END`: parsing (bytes, percent, open ends, errors) and conversion to whole
// pieces, always rounding outwards so every requested byte is fetched.
#include <gtest/gtest.h>

#include "receiver/byte_range.hpp"
#include "shared/store/content_entry.hpp"

namespace xfer::receiver {
namespace {

byte_range parsed(std::string_view text) {
    const auto range = parse_byte_range(text);
    EXPECT_TRUE(range) << text << ": " << (range ? "" : range.error());
    return range ? *range : byte_range{};
}

piece_span pieces(std::string_view text, uint64_t file_size, uint32_t piece_size) {
    return to_pieces(parsed(text), file_size, piece_size);
}

void expect_span(piece_span span, uint32_t first, uint32_t last, const std::string& why) {
    EXPECT_EQ(span.first, first) << why;
    EXPECT_EQ(span.last, last) << why;
}

TEST(ByteRange, ParsesBytesPercentAndOpenEnds) {
    const auto a = parsed("0:50%");
    EXPECT_EQ(a.start.value, 0);
    EXPECT_FALSE(a.start.percent);
    EXPECT_EQ(a.end.value, 50);
    EXPECT_TRUE(a.end.percent);
    const auto b = parsed("1048576:2097152");
    EXPECT_EQ(b.start.value, 1048576);
    EXPECT_EQ(b.end.value, 2097152);
    EXPECT_FALSE(b.end.percent);
    const auto from_start = parsed(":50%");
    EXPECT_EQ(from_start.start.value, 0);
    const auto to_end = parsed("50%:");
    EXPECT_EQ(to_end.end.value, 100);
    EXPECT_TRUE(to_end.end.percent);
    const auto whole = parsed(":");
    EXPECT_EQ(whole.start.value, 0);
    EXPECT_EQ(whole.end.value, 100);
    EXPECT_TRUE(whole.end.percent);
    EXPECT_EQ(parsed("12.5%:87.5%").start.value, 12.5);
}

TEST(ByteRange, RejectsMalformedRanges) {
    for (const std::string_view text :
         {"",        "50%",   "abc",    "1:2:3", "a:1",     "1:b",     "-1:5",    "0:-5",
          "0:101%",  "%:5",   "1%%:2%", "5:3",   "50%:50%", "60%:40%", " 1:2",    "1:2 ",
          "0x10:20", "nan:1", "0:nan",  "0:inf", "inf:",    "0:1e400", "1e999%:", "0:nan%"}) {
        EXPECT_FALSE(parse_byte_range(text)) << "'" << text << "'";
    }
}

TEST(ByteRange, ErrorsSayWhatIsWrong) {
    EXPECT_NE(parse_byte_range("50").error().find("START:END"), std::string::npos);
    EXPECT_NE(parse_byte_range("x:1").error().find("'x'"), std::string::npos);
    EXPECT_NE(parse_byte_range("5:3").error().find("empty"), std::string::npos);
}

TEST(ByteRange, WholeFileIsEveryPiece) {
    expect_span(pieces(":", 10 * 100 + 1, 100), 0, 11, "whole");
    expect_span(pieces("0:100%", 1000, 100), 0, 10, "0:100%");
    expect_span(pieces("0%:", 1000, 100), 0, 10, "0%:");
}

TEST(ByteRange, BytesRoundOutToWholePieces) {
    expect_span(pieces("0:100", 1000, 100), 0, 1, "exactly one piece");
    expect_span(pieces("0:101", 1000, 100), 0, 2, "one byte into the next piece");
    expect_span(pieces("99:101", 1000, 100), 0, 2, "straddling a boundary");
    expect_span(pieces("100:200", 1000, 100), 1, 2, "aligned");
    expect_span(pieces("150:160", 1000, 100), 1, 2, "inside one piece");
    expect_span(pieces("950:5000", 1000, 100), 9, 10, "end past the file is the file's end");
    expect_span(pieces("0:1", 1, 100), 0, 1, "a one-byte file");
}

TEST(ByteRange, PercentRoundsOutToWholePieces) {
    expect_span(pieces("0:50%", 1000, 100), 0, 5, "half, aligned");
    expect_span(pieces("50%:", 1000, 100), 5, 10, "second half");
    expect_span(pieces("25%:75%", 1000, 300), 0, 3, "250..750 touches pieces 0, 1 and 2");
    // 35% of 10 bytes is byte 3.5: the piece holding byte 3 must be included, not skipped.
    expect_span(pieces("35%:", 10, 4), 0, 3, "a fractional start rounds down");
    // 14% of 10 bytes ends at byte 1.4: byte 1 is partly in range, so piece 1 is fetched too.
    expect_span(pieces(":14%", 10, 1), 0, 2, "a fractional end rounds up");
    expect_span(pieces("0:10.5", 100, 10), 0, 2, "fractional bytes round out as well");
    expect_span(pieces("33.3%:66.7%", 3 * 1024 * 1024, 1024 * 1024), 0, 3,
                "thirds of a 3-piece file");
}

TEST(ByteRange, MixedUnits) {
    expect_span(pieces("100:50%", 1000, 100), 1, 5, "bytes to percent");
    expect_span(pieces("10%:500", 1000, 100), 1, 5, "percent to bytes");
    // Start past end (only knowable once the size is): an empty span, never a wrapped one.
    const auto inverted = pieces("900:10%", 1000, 100);
    EXPECT_LE(inverted.first, inverted.last);
    EXPECT_LE(inverted.last, 10u);
}

TEST(ByteRange, EmptyFile) {
    expect_span(pieces(":", 0, 256 * 1024), 0, 0, "nothing to fetch");
    expect_span(pieces("10:20", 0, 256 * 1024), 0, 0, "bytes past an empty file");
}

TEST(ByteRange, HugeFiles) {
    const uint64_t size = uint64_t{1} << 40;  // 1 TiB
    const uint32_t piece = 16 * 1024 * 1024;
    expect_span(pieces("50%:", size, piece), 32768, 65536, "second half of 1 TiB");
    expect_span(pieces("0:1099511627776", size, piece), 0, 65536, "all of it in bytes");
    expect_span(pieces("0:99999999999999999999", size, piece), 0, 65536, "bytes far past the end");
}

TEST(VerifiedBytes, CountsOnlyVerifiedPiecesInsideTheSpanIncludingAShortLastPiece) {
    manifest layout;
    layout.piece_size = min_piece_size;
    layout.file_size = 3 * uint64_t{min_piece_size} + 100;  // pieces 0..2 full, piece 3: 100 bytes
    layout.piece_hashes.resize(4);
    content_entry entry(content_id{}, layout, {}, "f", unique_fd{});
    entry.have.set(1);
    entry.have.set(3);
    EXPECT_EQ(verified_bytes(entry, {0, 4}), uint64_t{min_piece_size} + 100);
    EXPECT_EQ(verified_bytes(entry, {0, 2}), uint64_t{min_piece_size});
    EXPECT_EQ(verified_bytes(entry, {2, 3}), 0u);
}

}  // namespace
}  // namespace xfer::receiver
