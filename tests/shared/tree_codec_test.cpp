// The tree manifest's bytes: round trip, the exact header, canonical encoding, every structural
// rejection (bad magic, counts, truncation, trailing bytes), and a million entries in bounded
// space.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "tests/shared/tree_fixture.hpp"

namespace xfer::tree {
namespace {

using test::dir;
using test::file;
using test::link;
using test::make_tree;

tree_manifest sample() {
    return make_tree({dir("docs"), file("docs/a.txt", 5), dir("docs/empty"),
                      link("docs/latest", "a.txt"), file("docs/z.bin", 600'000, 0600),
                      dir("photos", 0700), file("photos/\xc3\xa9t\xc3\xa9.jpg", 0),
                      file("readme", 3, 01644)});
}

std::error_code decode_error(const std::vector<uint8_t>& bytes) {
    const auto decoded = decode_tree_manifest(bytes);
    EXPECT_FALSE(decoded.has_value());
    return decoded ? std::error_code{} : decoded.error();
}

TEST(TreeCodec, RoundTripsEveryKindAndField) {
    const auto m = sample();
    ASSERT_FALSE(validate(m));
    const auto bytes = encode_tree_manifest(m);
    const auto decoded = decode_tree_manifest(bytes);
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(*decoded, m);
    EXPECT_EQ(encode_tree_manifest(*decoded), bytes);
    EXPECT_EQ(decoded->total_file_bytes(), 600'008u);
    EXPECT_EQ(decoded->piece_count(), 3u);
}

TEST(TreeCodec, HeaderIsMagicVersionPieceSizeAndCounts) {
    const auto bytes = encode_tree_manifest(sample());
    const std::vector<uint8_t> header{'X', 'F', 'T', 'R', 1, 0, 4, 0, 0, 0, 0, 0, 8, 0, 0, 0, 3};
    ASSERT_GE(bytes.size(), header.size());
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 17), header);
    EXPECT_TRUE(looks_like_tree_manifest(bytes));
    manifest file_manifest;
    EXPECT_FALSE(looks_like_tree_manifest(encode_manifest(file_manifest)));
}

TEST(TreeCodec, EntryBytesArePrefixCompressedVarints) {
    // "a" (dir), then "a/b" (file of 300 bytes): the second shares "a" with the first.
    const auto bytes = encode_tree_manifest(make_tree({dir("a", 0755), file("a/b", 300, 0644)}));
    const auto first_mtime_zigzag_bytes = 9;  // 1.7e18 ns doubled needs 9 groups of 7 bits
    std::vector<uint8_t> second;
    // kind 2, shared 1, suffix 2 "/b", mode 0644 = 420 = 0xa4 0x03, mtime delta 123456789
    // zigzag = 246913578 = 0xaa 0xb4 0xde 0x75, size 300 = 0xac 0x02
    second = {2, 1, 2, '/', 'b', 0xa4, 0x03, 0xaa, 0xb4, 0xde, 0x75, 0xac, 0x02};
    const size_t first_size = 1 + 1 + 1 + 1 + 2 + first_mtime_zigzag_bytes;
    ASSERT_EQ(bytes.size(), 17 + first_size + second.size() + 32);
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 17 + first_size, bytes.end() - 32), second);
}

// An encoding is kept for as long as its tree is served or fetched: it holds about its own size,
// whether its names are short (the reserve's guess was 24 bytes an entry) or long (grown).
TEST(TreeCodec, AnEncodingHoldsAboutItsOwnSize) {
    for (const size_t name_length : {1, 200}) {
        std::vector<entry> entries{dir("d")};
        for (int i = 0; i < 20'000; ++i)
            entries.push_back(
                file("d/" + std::string(name_length, 'n') + std::to_string(100'000 + i), 1));
        const auto encoded = encode_tree_manifest(make_tree(std::move(entries)));
        EXPECT_LE(encoded.capacity(), encoded.size() + encoded.size() / 8) << name_length;
        EXPECT_TRUE(decode_tree_manifest(encoded)) << name_length;
    }
}

TEST(TreeCodec, EmptyTreeRoundTrips) {
    const auto m = make_tree({});
    const auto decoded = decode_tree_manifest(encode_tree_manifest(m));
    ASSERT_TRUE(decoded);
    EXPECT_TRUE(decoded->entries.empty());
    EXPECT_EQ(decoded->piece_count(), 0u);
}

TEST(TreeCodec, RejectsBadMagicVersionAndPieceSize) {
    auto bytes = encode_tree_manifest(sample());
    auto bad = bytes;
    bad[3] = 'F';
    EXPECT_EQ(decode_error(bad), errc::manifest_invalid);
    bad = bytes;
    bad[4] = 2;
    EXPECT_EQ(decode_error(bad), errc::manifest_invalid);
    auto m = sample();
    m.piece_size = 300'000;  // not a power of two
    EXPECT_EQ(decode_error(encode_tree_manifest(m)), errc::manifest_invalid);
    m.piece_size = 128 * 1024;  // below the smallest piece
    EXPECT_EQ(decode_error(encode_tree_manifest(m)), errc::manifest_invalid);
}

TEST(TreeCodec, RejectsEveryTruncationAndTrailingBytes) {
    const auto bytes = encode_tree_manifest(sample());
    for (size_t length = 0; length < bytes.size(); ++length) {
        const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + length);
        EXPECT_FALSE(decode_tree_manifest(cut)) << "accepted " << length << " bytes";
    }
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_EQ(decode_error(longer), errc::manifest_invalid);
}

TEST(TreeCodec, RejectsPieceCountThatDisagreesWithTheBytes) {
    auto m = sample();
    m.piece_hashes.pop_back();  // two hashes for three pieces' worth of bytes
    EXPECT_EQ(decode_error(encode_tree_manifest(m)), errc::manifest_invalid);
    m = sample();
    m.piece_hashes.push_back({});
    EXPECT_EQ(decode_error(encode_tree_manifest(m)), errc::manifest_invalid);
    m = sample();
    m.piece_hashes.clear();  // "not hashed yet" is fine for validate(), never on the wire
    EXPECT_FALSE(validate(m));
    EXPECT_EQ(decode_error(encode_tree_manifest(m)), errc::manifest_invalid);
}

TEST(TreeCodec, RejectsCountsBeyondTheBytesBeforeAllocating) {
    auto bytes = encode_tree_manifest(make_tree({}));
    // entry_count = 1,999,999 with no entry bytes: refused on the size check, not after
    // reserving two million entries.
    bytes[9] = 0x00, bytes[10] = 0x1e, bytes[11] = 0x84, bytes[12] = 0x7f;
    EXPECT_EQ(decode_error(bytes), errc::manifest_invalid);
    bytes[9] = 0x7f, bytes[10] = 0xff, bytes[11] = 0xff, bytes[12] = 0xff;
    EXPECT_EQ(decode_error(bytes), errc::tree_too_large);
    bytes = encode_tree_manifest(make_tree({}));
    bytes[16] = 0xff;  // 255 hashes that are not there
    EXPECT_EQ(decode_error(bytes), errc::manifest_invalid);
    bytes[13] = 0x7f;  // a piece count beyond max_pieces
    EXPECT_EQ(decode_error(bytes), errc::manifest_invalid);
}

TEST(TreeCodec, RejectsNonCanonicalEncodings) {
    // One directory "a": kind 1, shared 0, suffix 1 "a", mode 0755 (0xed 0x03), mtime 0 (0x00).
    const std::vector<uint8_t> header{'X', 'F', 'T', 'R', 1, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    auto with = [&](std::vector<uint8_t> body) {
        auto bytes = header;
        bytes.insert(bytes.end(), body.begin(), body.end());
        return bytes;
    };
    ASSERT_TRUE(decode_tree_manifest(with({1, 0, 1, 'a', 0xed, 0x03, 0x00})));
    // The same value as an overlong varint.
    EXPECT_EQ(decode_error(with({1, 0, 1, 'a', 0xed, 0x83, 0x00, 0x00})), errc::manifest_invalid);
    EXPECT_EQ(decode_error(with({1, 0x80, 0x00, 1, 'a', 0xed, 0x03, 0x00})),
              errc::manifest_invalid);
    // A shared prefix longer than the previous path (there is none).
    EXPECT_EQ(decode_error(with({1, 1, 1, 'a', 0xed, 0x03, 0x00})), errc::manifest_invalid);
    // An unknown kind.
    EXPECT_EQ(decode_error(with({4, 0, 1, 'a', 0xed, 0x03, 0x00})), errc::tree_entry_invalid);
    // Setuid in the mode.
    EXPECT_EQ(decode_error(with({1, 0, 1, 'a', 0xed, 0x13, 0x00})), errc::tree_entry_invalid);
}

TEST(TreeCodec, RejectsASharedPrefixShorterThanTheLongestCommonOne) {
    auto bytes = encode_tree_manifest(make_tree({dir("a"), dir("a/b")}));
    // The second entry's shared = 1 ("a") and suffix "/b"; rewrite as shared 0, suffix "a/b":
    // the same path, but not the encoding encode() makes.
    const std::vector<uint8_t> canonical{1, 1, 2, '/', 'b'};
    auto at = std::search(bytes.begin(), bytes.end(), canonical.begin(), canonical.end());
    ASSERT_NE(at, bytes.end());
    const std::vector<uint8_t> longhand{1, 0, 3, 'a', '/', 'b'};
    at = bytes.erase(at, at + 5);
    bytes.insert(at, longhand.begin(), longhand.end());
    EXPECT_EQ(decode_error(bytes), errc::manifest_invalid);
}

TEST(TreeCodec, RejectsPathAndTargetLengthsBeyondTheBounds) {
    const std::string long_name(200, 'n');
    std::string deep;
    std::vector<entry> entries;
    while (deep.size() + 1 + long_name.size() <= max_path_length) {
        deep += (deep.empty() ? "" : "/") + long_name;
        entries.push_back(dir(deep));
    }
    entries.push_back(file(deep + "/" + long_name, 1));  // > 4096 bytes
    EXPECT_EQ(decode_error(encode_tree_manifest(make_tree(entries))), errc::tree_path_invalid);
    EXPECT_EQ(decode_error(encode_tree_manifest(make_tree({link("l", std::string(4097, 'x'))}))),
              errc::tree_entry_invalid);
}

TEST(TreeCodec, AMillionEntriesEncodeCompactlyAndDecode) {
    std::vector<entry> entries;
    entries.reserve(1'000'000);
    int64_t mtime = 1'700'000'000'000'000'000;
    for (int d = 0; d < 1000; ++d) {
        entries.push_back(dir("d" + std::to_string(1000 + d)));
        for (int f = 0; f < 999; ++f) {
            auto e =
                file(entries.back().path.substr(0, 5) + "/f" + std::to_string(100000 + f), 4096);
            e.mtime_ns = mtime += 1'234'567;
            entries.push_back(std::move(e));
        }
    }
    ASSERT_EQ(entries.size(), 1'000'000u);
    auto m = make_tree(std::move(entries), 2 * 1024 * 1024);
    ASSERT_FALSE(validate(m));
    const auto bytes = encode_tree_manifest(m);
    const size_t hash_bytes = m.piece_hashes.size() * 32;
    EXPECT_LE(bytes.size() - hash_bytes, 1'000'000u * 16) << "bytes per entry above 16";
    const auto decoded = decode_tree_manifest(bytes);
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(decoded->entries.size(), 1'000'000u);
    EXPECT_EQ(decoded->entries.back(), m.entries.back());
    EXPECT_EQ(decoded->piece_hashes, m.piece_hashes);
}

}  // namespace
}  // namespace xfer::tree
