// The ranges a served tree's block becomes: the bytes of the files, in order, and no descriptor
// held per small file (a block of tiny files once held one per file until sent, and a
// 999,000-entry tree ran the sender out of descriptors). read_piece gives the same bytes.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "shared/core/fd.hpp"
#include "shared/store/block_ranges.hpp"
#include "shared/store/tree_reader.hpp"
#include "shared/tree/tree_scanner.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer {
namespace {

namespace fs = std::filesystem;

size_t open_descriptors() {
    size_t count = 0;
    for ([[maybe_unused]] const auto& fd : fs::directory_iterator("/proc/self/fd")) ++count;
    return count;
}

class TreeReaderRanges : public ::testing::Test {
  protected:
    void SetUp() override {
        for (int file = 0; file < 600; ++file) {
            const auto bytes = test::pseudo_random_bytes(1 + file % 100, file + 1);
            box_.write(fs::path("root/tiny") / ("f" + std::to_string(1000 + file)), bytes);
        }
        box_.write("root/wide", test::pseudo_random_bytes(200 * 1024, 7));
        auto root = unique_fd(::open((box_ / "root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        auto scanned = tree::scan_tree(root.get(), {});
        ASSERT_TRUE(scanned);
        for (const auto& e : scanned->manifest.entries) {
            if (e.kind != tree::entry_kind::file) continue;
            const auto bytes = box_.read(fs::path("root") / e.path);
            all_.insert(all_.end(), bytes.begin(), bytes.end());
        }
        ASSERT_LE(all_.size(), 256u * 1024) << "the test wants one piece";
        reader_.emplace(std::move(root), std::move(scanned->manifest));
    }

    test::sandbox box_;
    std::vector<uint8_t> all_;  // every file's bytes in entry order
    std::optional<tree_reader> reader_;
};

TEST_F(TreeReaderRanges, ABlockOfManySmallFilesHoldsNoDescriptorPerFile) {
    const size_t before = open_descriptors();
    std::vector<file_range> ranges;
    ASSERT_FALSE(reader_->read_ranges(0, 0, static_cast<uint32_t>(all_.size()), ranges));
    EXPECT_LT(open_descriptors(), before + 4) << "descriptors held while the block waits";

    std::vector<uint8_t> sent;
    size_t held_open = 0;
    for (const auto& range : ranges) {
        if (range.data != nullptr) {
            sent.insert(sent.end(), range.data, range.data + range.length);
            continue;
        }
        ++held_open;
        EXPECT_GE(range.length, small_range_bytes);
        std::vector<uint8_t> bytes(range.length);
        ASSERT_EQ(::pread(range.fd, bytes.data(), bytes.size(), static_cast<off_t>(range.offset)),
                  static_cast<ssize_t>(bytes.size()));
        sent.insert(sent.end(), bytes.begin(), bytes.end());
    }
    EXPECT_EQ(held_open, 1u) << "only the 200 KiB file goes out with sendfile";
    EXPECT_LE(ranges.size(), 3u) << "neighbouring small files share one range";
    EXPECT_EQ(sent, all_);
}

TEST_F(TreeReaderRanges, ABlockInTheMiddleOfThePieceHasItsBytes) {
    std::vector<file_range> ranges;
    ASSERT_FALSE(reader_->read_ranges(0, 1000, 70'000, ranges));
    std::vector<uint8_t> sent;
    for (const auto& range : ranges) {
        if (range.data != nullptr) {
            sent.insert(sent.end(), range.data, range.data + range.length);
        } else {
            std::vector<uint8_t> bytes(range.length);
            ASSERT_EQ(
                ::pread(range.fd, bytes.data(), bytes.size(), static_cast<off_t>(range.offset)),
                static_cast<ssize_t>(bytes.size()));
            sent.insert(sent.end(), bytes.begin(), bytes.end());
        }
    }
    EXPECT_EQ(sent, std::vector<uint8_t>(all_.begin() + 1000, all_.begin() + 71'000));
}

TEST_F(TreeReaderRanges, ReadPieceGivesTheFilesBytes) {
    std::vector<uint8_t> piece(all_.size());
    ASSERT_FALSE(read_piece(*reader_, 0, piece));
    EXPECT_EQ(piece, all_);
}

TEST_F(TreeReaderRanges, AFileShorterThanItsEntryIsContentChanged) {
    ::truncate((box_ / "root/tiny/f1000").c_str(), 0);
    std::vector<file_range> ranges;
    EXPECT_TRUE(reader_->read_ranges(0, 0, static_cast<uint32_t>(all_.size()), ranges));
}

}  // namespace
}  // namespace xfer
