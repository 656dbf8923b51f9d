// Hashing real files: each piece's SHA-256 from hash_file and hash_piece_on_disk must equal an
// independent computation with OpenSSL EVP over the same bytes, at every size boundary.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <span>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/manifest/file_hasher.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/wire/frame.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer {
namespace {

sha256_digest evp_sha256(std::span<const uint8_t> data) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    sha256_digest digest{};
    unsigned int length = 0;
    EXPECT_EQ(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr), 1);
    EXPECT_EQ(EVP_DigestUpdate(ctx.get(), data.data(), data.size()), 1);
    EXPECT_EQ(EVP_DigestFinal_ex(ctx.get(), digest.data(), &length), 1);
    EXPECT_EQ(length, 32u);
    return digest;
}

// The hashes a correct hasher must produce for `bytes` cut into `piece_size` pieces.
std::vector<sha256_digest> expected_hashes(const std::vector<uint8_t>& bytes, uint32_t piece_size) {
    std::vector<sha256_digest> hashes;
    for (size_t offset = 0; offset < bytes.size(); offset += piece_size) {
        const size_t length = std::min<size_t>(piece_size, bytes.size() - offset);
        hashes.push_back(evp_sha256(std::span<const uint8_t>(bytes).subspan(offset, length)));
    }
    return hashes;
}

unique_fd open_read(const std::filesystem::path& path) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_TRUE(fd) << path;
    return fd;
}

TEST(FileHasher, EveryPieceMatchesAnIndependentSha256) {
    const uint64_t piece = min_piece_size;
    test::sandbox box;
    for (const uint64_t size :
         {uint64_t{0}, uint64_t{1}, piece - 1, piece, piece + 1, 3 * piece + 5}) {
        const auto bytes = test::pseudo_random_bytes(size, size + 1);
        const auto fd = open_read(box.write("file-" + std::to_string(size), bytes));
        const auto expected = expected_hashes(bytes, min_piece_size);
        for (const unsigned threads : {1u, 2u, 0u}) {
            SCOPED_TRACE("size " + std::to_string(size) + ", threads " + std::to_string(threads));
            const auto m = hash_file(fd.get(), size, threads);
            ASSERT_TRUE(m) << m.error().message();
            EXPECT_EQ(m->file_size, size);
            EXPECT_EQ(m->piece_size, min_piece_size);
            EXPECT_EQ(m->piece_hashes, expected);
            for (uint32_t index = 0; index < m->piece_count(); ++index) {
                const auto digest = hash_piece_on_disk(fd.get(), *m, index);
                ASSERT_TRUE(digest);
                EXPECT_EQ(*digest, expected[index]) << "piece " << index;
            }
        }
    }
}

TEST(FileHasher, EmptyFileHasNoPiecesAndAStableContentId) {
    test::sandbox box;
    const auto fd = open_read(box.write("empty", std::string_view()));
    const auto m = hash_file(fd.get(), 0, 2);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->piece_count(), 0u);
    EXPECT_EQ(encode_manifest(*m).size(), manifest_header_size);
    EXPECT_EQ(content_id_of(encode_manifest(*m)), content_id_of(encode_manifest(manifest{})));
}

TEST(FileHasher, ManyPiecesOnTwoThreads) {
    // Enough pieces that both workers take several, in whatever order they race to.
    test::sandbox box;
    const auto bytes = test::pseudo_random_bytes(17 * min_piece_size + 1234, 77);
    const auto fd = open_read(box.write("many", bytes));
    const auto m = hash_file(fd.get(), bytes.size(), 2);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->piece_hashes, expected_hashes(bytes, min_piece_size));
    const auto single = hash_file(fd.get(), bytes.size(), 1);
    ASSERT_TRUE(single);
    EXPECT_EQ(encode_manifest(*m), encode_manifest(*single)) << "threads never change the manifest";
}

TEST(FileHasher, PieceOnDiskSeesChanges) {
    test::sandbox box;
    auto bytes = test::pseudo_random_bytes(2 * min_piece_size + 10, 3);
    const auto path = box.write("file", bytes);
    const auto fd = open_read(path);
    const auto m = hash_file(fd.get(), bytes.size(), 1);
    ASSERT_TRUE(m);
    // Change one byte of piece 1 in place.
    {
        unique_fd writer(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        const uint8_t changed = static_cast<uint8_t>(bytes[min_piece_size + 5] ^ 0xff);
        ASSERT_EQ(::pwrite(writer.get(), &changed, 1, min_piece_size + 5), 1);
    }
    EXPECT_EQ(*hash_piece_on_disk(fd.get(), *m, 0), m->piece_hashes[0]);
    EXPECT_NE(*hash_piece_on_disk(fd.get(), *m, 1), m->piece_hashes[1]);
    EXPECT_EQ(*hash_piece_on_disk(fd.get(), *m, 2), m->piece_hashes[2]);
}

TEST(FileHasher, AFileShorterThanItsSizeIsReportedChanged) {
    test::sandbox box;
    const auto bytes = test::pseudo_random_bytes(min_piece_size + 100, 4);
    const auto fd = open_read(box.write("file", bytes));
    const auto m = hash_file(fd.get(), bytes.size() + 1, 2);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error(), errc::content_changed);

    const auto good = hash_file(fd.get(), bytes.size(), 1);
    ASSERT_TRUE(good);
    ASSERT_EQ(::truncate((box / "file").c_str(), min_piece_size + 50), 0);
    const auto last = hash_piece_on_disk(fd.get(), *good, 1);
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error(), errc::content_changed);
}

TEST(FileHasher, StopFlagCancels) {
    test::sandbox box;
    const auto bytes = test::pseudo_random_bytes(4 * min_piece_size, 5);
    const auto fd = open_read(box.write("file", bytes));
    const std::atomic<bool> stop{true};
    for (const unsigned threads : {1u, 2u}) {
        const auto m = hash_file(fd.get(), bytes.size(), threads, &stop);
        ASSERT_FALSE(m);
        EXPECT_EQ(m.error(), errc::cancelled);
    }
    const std::atomic<bool> keep_going{false};
    EXPECT_TRUE(hash_file(fd.get(), bytes.size(), 2, &keep_going));
}

TEST(FileHasher, AFileTooLargeForAManifestIsRefusedBeforeHashing) {
    // Over max_pieces pieces of the largest size: no manifest can describe it, so hours of
    // hashing must not come first. The descriptor is never read (an empty file would report
    // content_changed at the first read instead).
    test::sandbox box;
    const auto fd = open_read(box.write("empty", std::string_view()));
    const uint64_t too_big = uint64_t{wire::max_pieces} * max_piece_size + 1;
    const auto m = hash_file(fd.get(), too_big, 2);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error(), std::errc::file_too_large);
}

TEST(FileHasher, ReadErrorIsReported) {
    test::sandbox box;
    // A directory opened for reading: pread fails with EISDIR.
    const auto fd = open_read(box.path());
    const auto m = hash_file(fd.get(), 10, 1);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error(), std::errc::is_a_directory);
}

}  // namespace
}  // namespace xfer
