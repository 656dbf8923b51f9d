// hash_tree_pieces on real files: each piece's digest equals SHA-256 of the right slice of the
// concatenated files, pieces arrive in order, and a file that changes while it is hashed (size,
// content with a new mtime, a symlink in its place) or a cancel stops it with the right error.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/tree/tree_hasher.hpp"
#include "shared/tree/tree_scanner.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::tree {
namespace {

namespace fs = std::filesystem;

class TreeHasher : public ::testing::Test {
  protected:
    void SetUp() override {
        // Files of every shape around the 256 KiB pieces: tiny, empty, exactly one piece,
        // several pieces, and an odd tail.
        add("a/one", test::pseudo_random_bytes(100, 1));
        add("a/empty", {});
        add("a/piece", test::pseudo_random_bytes(256 * 1024, 2));
        add("b/big", test::pseudo_random_bytes(3 * 256 * 1024 + 17, 3));
        add("c", test::pseudo_random_bytes(5000, 4));
        fs::create_symlink("c", box_ / "root" / "link");
        root_ = unique_fd(::open((box_ / "root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        auto scanned = scan_tree(root_.get(), {});
        ASSERT_TRUE(scanned);
        manifest_ = scanned->manifest;
    }
    void add(const std::string& relative, const std::vector<uint8_t>& bytes) {
        box_.write(fs::path("root") / relative, bytes);
    }
    // The concatenation of the files in entry order, cut into pieces, hashed directly.
    std::vector<sha256_digest> expected_hashes() const {
        std::vector<uint8_t> all;
        for (const auto& e : manifest_.entries) {
            if (e.kind != entry_kind::file) continue;
            const auto bytes = box_.read(fs::path("root") / e.path);
            all.insert(all.end(), bytes.begin(), bytes.end());
        }
        std::vector<sha256_digest> hashes;
        for (size_t offset = 0; offset < all.size(); offset += manifest_.piece_size) {
            const size_t length = std::min<size_t>(manifest_.piece_size, all.size() - offset);
            hashes.push_back(sha256({all.data() + offset, length}));
        }
        return hashes;
    }
    std::error_code hash(std::vector<sha256_digest>& out,
                         const std::function<void(uint32_t)>& after_piece = {}) {
        return hash_tree_pieces(root_.get(), manifest_, cancelled_,
                                [&](uint32_t index, const sha256_digest& digest) {
                                    EXPECT_EQ(index, out.size()) << "pieces out of order";
                                    out.push_back(digest);
                                    if (after_piece) after_piece(index);
                                });
    }

    test::sandbox box_;
    unique_fd root_;
    tree_manifest manifest_;
    std::atomic<bool> cancelled_{false};
};

TEST_F(TreeHasher, HashesPiecesAcrossFileBoundaries) {
    std::vector<sha256_digest> hashes;
    ASSERT_FALSE(hash(hashes));
    EXPECT_EQ(hashes.size(), manifest_.piece_count());
    EXPECT_EQ(hashes.size(), 5u);
    EXPECT_EQ(hashes, expected_hashes());
    manifest_.piece_hashes = hashes;
    EXPECT_TRUE(decode_tree_manifest(encode_tree_manifest(manifest_)));
}

TEST_F(TreeHasher, AnEmptyTreeHasNoPieces) {
    manifest_.entries.clear();
    std::vector<sha256_digest> hashes;
    EXPECT_FALSE(hash(hashes));
    EXPECT_TRUE(hashes.empty());
}

TEST_F(TreeHasher, AFileThatGrowsDuringHashingIsContentChanged) {
    std::vector<sha256_digest> hashes;
    // Piece 2 lies inside "b/big": grow the file after its bytes were read, before its end
    // is checked.
    const auto ec = hash(hashes, [&](uint32_t index) {
        if (index == 2) std::ofstream(box_ / "root/b/big", std::ios::app) << "more";
    });
    EXPECT_EQ(ec, errc::content_changed);
    EXPECT_EQ(hashes.size(), 4u);  // pieces 0-3 were cut from what was read; not the tail
}

TEST_F(TreeHasher, AFileThatShrinksDuringHashingIsContentChanged) {
    std::vector<sha256_digest> hashes;
    const auto ec = hash(hashes, [&](uint32_t index) {
        if (index == 0) {
            ASSERT_EQ(::truncate((box_ / "root/b/big").c_str(), 10), 0);
        }
    });
    EXPECT_EQ(ec, errc::content_changed);
}

TEST_F(TreeHasher, AFileRewrittenSinceTheScanIsContentChanged) {
    // Same size, new bytes, new mtime.
    const timespec times[2] = {{0, UTIME_NOW}, {1'000'000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (box_ / "root/c").c_str(), times, 0), 0);
    std::vector<sha256_digest> hashes;
    EXPECT_EQ(hash(hashes), errc::content_changed);
}

TEST_F(TreeHasher, ADirectoryReplacedByASymlinkIsNotFollowed) {
    fs::rename(box_ / "root/b", box_ / "elsewhere");
    fs::create_directory_symlink("../elsewhere", box_ / "root/b");
    std::vector<sha256_digest> hashes;
    EXPECT_EQ(hash(hashes), errc::content_changed);
}

TEST_F(TreeHasher, AMissingFileIsContentChanged) {
    fs::remove(box_ / "root/c");
    std::vector<sha256_digest> hashes;
    EXPECT_EQ(hash(hashes), errc::content_changed);
}

TEST_F(TreeHasher, StopsWhenCancelled) {
    std::vector<sha256_digest> hashes;
    const auto ec = hash(hashes, [&](uint32_t index) {
        if (index == 1) cancelled_ = true;
    });
    EXPECT_EQ(ec, errc::cancelled);
    EXPECT_EQ(hashes.size(), 2u);
}

}  // namespace
}  // namespace xfer::tree
