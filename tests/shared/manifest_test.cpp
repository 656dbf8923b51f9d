// Manifest maths and encoding: piece size choice, piece lengths, a byte-exact encoding, and a
// decoder that refuses every inconsistency. The content id is checked against OpenSSL directly.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <bit>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
constexpr uint64_t GiB = 1024 * MiB;
constexpr uint64_t TiB = 1024 * GiB;

std::string hex(const std::vector<uint8_t>& bytes) {
    return to_hex(bytes.data(), bytes.size());
}

manifest sample_manifest(uint64_t file_size, uint32_t piece_size) {
    manifest m;
    m.file_size = file_size;
    m.piece_size = piece_size;
    m.piece_hashes.resize(piece_count_for(file_size, piece_size));
    for (size_t piece = 0; piece < m.piece_hashes.size(); ++piece) {
        for (size_t i = 0; i < 32; ++i)
            m.piece_hashes[piece][i] = static_cast<uint8_t>(piece * 31 + i);
    }
    return m;
}

// A manifest encoding written field by field, so each field can be wrong on its own.
std::vector<uint8_t> raw_manifest(const char* magic, uint8_t version, uint64_t file_size,
                                  uint32_t piece_size, uint32_t piece_count, size_t hash_bytes) {
    std::vector<uint8_t> out;
    wire::byte_writer w(out);
    w.bytes(std::string_view(magic, 4));
    w.u8(version);
    w.u64(file_size);
    w.u32(piece_size);
    w.u32(piece_count);
    out.resize(out.size() + hash_bytes, 0x33);
    return out;
}

TEST(Manifest, PieceSizeForSmallFilesIsTheMinimum) {
    for (const uint64_t size : {uint64_t{0}, uint64_t{1}, 256 * KiB - 1, 256 * KiB, 256 * KiB + 1,
                                100 * MiB, 512 * MiB}) {
        EXPECT_EQ(choose_piece_size(size), min_piece_size) << size;
    }
}

TEST(Manifest, PieceSizeGrowsInPowersOfTwoUpToTheMaximum) {
    EXPECT_EQ(choose_piece_size(1 * GiB), 512 * KiB);
    EXPECT_EQ(choose_piece_size(4 * GiB), 2 * MiB);
    EXPECT_EQ(choose_piece_size(32 * GiB), max_piece_size);
    EXPECT_EQ(choose_piece_size(1 * TiB), max_piece_size);
    EXPECT_EQ(choose_piece_size(~uint64_t{0}), max_piece_size);
    uint32_t previous = 0;
    for (uint64_t size = 1; size < 64 * TiB; size = size * 3 / 2 + 1) {
        const uint32_t piece_size = choose_piece_size(size);
        EXPECT_TRUE(std::has_single_bit(piece_size)) << size;
        EXPECT_GE(piece_size, min_piece_size) << size;
        EXPECT_LE(piece_size, max_piece_size) << size;
        EXPECT_GE(piece_size, previous) << "never smaller for a larger file, at " << size;
        previous = piece_size;
        // Between the clamps it aims at about 2048 pieces.
        if (piece_size > min_piece_size && piece_size < max_piece_size) {
            const uint32_t pieces = piece_count_for(size, piece_size);
            EXPECT_GE(pieces, 1024u) << size;
            EXPECT_LE(pieces, 2049u) << size;
        }
    }
}

TEST(Manifest, PieceCountAndLastPieceLength) {
    const uint32_t piece = min_piece_size;
    EXPECT_EQ(piece_count_for(0, piece), 0u);
    EXPECT_EQ(piece_count_for(1, piece), 1u);
    EXPECT_EQ(piece_count_for(piece - 1, piece), 1u);
    EXPECT_EQ(piece_count_for(piece, piece), 1u);
    EXPECT_EQ(piece_count_for(piece + 1, piece), 2u);
    EXPECT_EQ(piece_count_for(uint64_t{wire::max_pieces} * max_piece_size, max_piece_size),
              wire::max_pieces);

    EXPECT_EQ(sample_manifest(1, piece).piece_length(0), 1u);
    EXPECT_EQ(sample_manifest(piece - 1, piece).piece_length(0), piece - 1);
    EXPECT_EQ(sample_manifest(piece, piece).piece_length(0), piece);
    const auto two = sample_manifest(piece + 1, piece);
    EXPECT_EQ(two.piece_count(), 2u);
    EXPECT_EQ(two.piece_length(0), piece);
    EXPECT_EQ(two.piece_length(1), 1u);
    EXPECT_EQ(two.piece_offset(1), piece);
    EXPECT_EQ(two.piece_length(2), 0u) << "past the end";
    EXPECT_EQ(sample_manifest(0, piece).piece_count(), 0u);

    manifest huge;
    huge.file_size = 2 * TiB - 5;
    huge.piece_size = max_piece_size;
    EXPECT_EQ(huge.piece_offset(131071), 131071ull * max_piece_size) << "offsets are 64-bit";
    EXPECT_EQ(huge.piece_length(131071), max_piece_size - 5);
}

TEST(Manifest, EncodingBytes) {
    manifest m;
    m.file_size = 0x0102030405;
    m.piece_size = 256 * KiB;
    m.piece_hashes.assign(2, {});
    m.piece_hashes[0].fill(0x11);
    m.piece_hashes[1].fill(0x22);
    // Not consistent (size vs count) but encode writes what it is given.
    EXPECT_EQ(hex(encode_manifest(m)),
              "58464d46"  // "XFMF"
              "01"
              "0000000102030405"
              "00040000"
              "00000002" +
                  std::string(64, '1') + std::string(64, '2'));
    EXPECT_EQ(manifest_header_size, 21u);
}

TEST(Manifest, RoundTrips) {
    for (const uint64_t size : {uint64_t{0}, uint64_t{1}, 256 * KiB, 256 * KiB + 1, 10 * MiB + 3}) {
        const auto m = sample_manifest(size, choose_piece_size(size));
        const auto decoded = decode_manifest(encode_manifest(m));
        ASSERT_TRUE(decoded) << size;
        EXPECT_EQ(*decoded, m);
    }
    // The largest manifest there can be.
    const auto largest =
        sample_manifest(uint64_t{wire::max_pieces} * max_piece_size, max_piece_size);
    const auto decoded = decode_manifest(encode_manifest(largest));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->piece_count(), wire::max_pieces);
}

TEST(Manifest, ContentIdIsTheSha256OfTheEncoding) {
    const auto encoded = encode_manifest(sample_manifest(3 * MiB + 7, min_piece_size));
    content_id expected{};
    unsigned int length = 0;
    ASSERT_EQ(
        EVP_Digest(encoded.data(), encoded.size(), expected.data(), &length, EVP_sha256(), nullptr),
        1);
    ASSERT_EQ(length, 32u);
    EXPECT_EQ(content_id_of(encoded), expected);
    // Any change to the manifest is another content.
    auto changed = encoded;
    changed.back() ^= 1;
    EXPECT_NE(content_id_of(changed), expected);
}

void expect_invalid(const std::vector<uint8_t>& bytes, const char* why) {
    const auto decoded = decode_manifest(bytes);
    ASSERT_FALSE(decoded) << why;
    EXPECT_EQ(decoded.error(), errc::manifest_invalid) << why;
}

TEST(Manifest, DecodeAcceptsTheRawFormOfAValidManifest) {
    const auto decoded = decode_manifest(raw_manifest("XFMF", 1, 256 * KiB + 1, 256 * KiB, 2, 64));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->piece_count(), 2u);
}

TEST(Manifest, DecodeRejectsBadMagicAndVersion) {
    expect_invalid(raw_manifest("XFMG", 1, 1, 256 * KiB, 1, 32), "magic");
    expect_invalid(raw_manifest("XFER", 1, 1, 256 * KiB, 1, 32), "a hello is not a manifest");
    expect_invalid(raw_manifest("XFMF", 0, 1, 256 * KiB, 1, 32), "version 0");
    expect_invalid(raw_manifest("XFMF", 2, 1, 256 * KiB, 1, 32), "version 2");
}

TEST(Manifest, DecodeRejectsPieceSizesOutOfRangeOrNotAPowerOfTwo) {
    for (const uint32_t piece_size :
         {0u, 1u, 128u * 1024, 256u * 1024 - 1, 384u * 1024, 256u * 1024 + 1, 3u * 1024 * 1024,
          32u * 1024 * 1024, 0x80000000u, 0xffffffffu}) {
        const uint32_t count = piece_size == 0 ? 1 : piece_count_for(1000000, piece_size);
        expect_invalid(raw_manifest("XFMF", 1, 1000000, piece_size, count, size_t{count} * 32),
                       "piece size");
    }
    for (uint32_t piece_size = min_piece_size; piece_size <= max_piece_size; piece_size *= 2) {
        const uint32_t count = piece_count_for(1000000, piece_size);
        EXPECT_TRUE(decode_manifest(
            raw_manifest("XFMF", 1, 1000000, piece_size, count, size_t{count} * 32)))
            << piece_size;
    }
}

TEST(Manifest, DecodeRejectsACountThatDoesNotMatchTheSize) {
    const uint32_t piece = 256 * KiB;
    expect_invalid(raw_manifest("XFMF", 1, piece + 1, piece, 1, 32), "one piece short");
    expect_invalid(raw_manifest("XFMF", 1, piece + 1, piece, 3, 96), "one piece too many");
    expect_invalid(raw_manifest("XFMF", 1, 0, piece, 1, 32), "an empty file has no pieces");
    expect_invalid(raw_manifest("XFMF", 1, 1, piece, 0, 0), "a non-empty file has pieces");
    EXPECT_TRUE(decode_manifest(raw_manifest("XFMF", 1, 0, piece, 0, 0)));
}

TEST(Manifest, DecodeRejectsMissingAndTrailingHashBytes) {
    const uint32_t piece = 256 * KiB;
    expect_invalid(raw_manifest("XFMF", 1, 2 * piece, piece, 2, 63), "a hash byte missing");
    expect_invalid(raw_manifest("XFMF", 1, 2 * piece, piece, 2, 65), "a trailing byte");
    expect_invalid(raw_manifest("XFMF", 1, 2 * piece, piece, 2, 96), "a trailing hash");
    const auto good = encode_manifest(sample_manifest(5 * piece + 9, piece));
    for (size_t length = 0; length < good.size(); ++length) {
        EXPECT_FALSE(decode_manifest(std::span<const uint8_t>(good).first(length)))
            << "cut to " << length;
    }
}

TEST(Manifest, DecodeRejectsAbsurdSizes) {
    // More pieces than the protocol carries, even with the largest pieces.
    const uint64_t too_big = uint64_t{wire::max_pieces} * max_piece_size + 1;
    expect_invalid(raw_manifest("XFMF", 1, too_big, max_piece_size, wire::max_pieces + 1, 0),
                   "over max_pieces");
    expect_invalid(raw_manifest("XFMF", 1, too_big, max_piece_size, 1, 32),
                   "size far beyond its one piece");
    // Sizes where ceil(size / piece_size) overflows 32 bits (or the sum overflows 64).
    expect_invalid(raw_manifest("XFMF", 1, ~uint64_t{0}, max_piece_size, 0, 0),
                   "UINT64_MAX, no pieces");
    expect_invalid(raw_manifest("XFMF", 1, ~uint64_t{0}, max_piece_size, 0xffffffff, 0),
                   "UINT64_MAX");
    expect_invalid(
        raw_manifest("XFMF", 1, (uint64_t{1} << 32) * min_piece_size, min_piece_size, 0, 0),
        "count that wraps to zero in 32 bits");
    expect_invalid(raw_manifest("XFMF", 1, 1, min_piece_size, 0xffffffff, 32),
                   "huge count, one hash");
}

}  // namespace
}  // namespace xfer
