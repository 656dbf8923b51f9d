// The tree writer's per-entry counts: every count reads back as set (on both sides of the one
// byte's limit), counting off ends at zero exactly once, the truncate mark is kept apart from
// the count, and the whole stays about one byte an entry.
#include <gtest/gtest.h>

#include "shared/store/file_piece_counts.hpp"

namespace xfer {
namespace {

TEST(FilePieceCounts, EveryCountReadsBackAsSet) {
    const uint32_t counts[] = {0, 1, 2, 125, 126, 127, 128, 255, 4096, 1'000'000, UINT32_MAX};
    file_piece_counts left(std::size(counts));
    for (uint32_t entry = 0; entry < std::size(counts); ++entry) left.set(entry, counts[entry]);
    for (uint32_t entry = 0; entry < std::size(counts); ++entry)
        EXPECT_EQ(left.left(entry), counts[entry]) << entry;
    EXPECT_FALSE(left.all_written());
}

TEST(FilePieceCounts, CountingOffAcrossTheByteLimitEndsAtZeroOnce) {
    file_piece_counts left(3);
    left.set(0, 130);
    left.set(1, 1);
    left.mark_truncate(0);
    for (uint32_t written = 1; written < 130; ++written) {
        ASSERT_FALSE(left.count_off(0)) << written;
        EXPECT_EQ(left.left(0), 130 - written);
    }
    EXPECT_TRUE(left.needs_truncate(0));
    EXPECT_FALSE(left.all_written());
    EXPECT_TRUE(left.count_off(0));
    EXPECT_EQ(left.left(0), 0u);
    EXPECT_TRUE(left.needs_truncate(0));
    EXPECT_FALSE(left.all_written());
    EXPECT_TRUE(left.count_off(1));
    EXPECT_FALSE(left.needs_truncate(1));
    EXPECT_FALSE(left.needs_truncate(2));
    EXPECT_TRUE(left.all_written());
}

TEST(FilePieceCounts, TheTruncateMarkKeepsTheCount) {
    file_piece_counts left(2);
    left.set(0, 5);
    left.set(1, 500);
    left.mark_truncate(0);
    left.mark_truncate(1);
    EXPECT_EQ(left.left(0), 5u);
    EXPECT_EQ(left.left(1), 500u);
    left.set(1, 3);  // from the map back into the byte
    EXPECT_EQ(left.left(1), 3u);
    EXPECT_TRUE(left.needs_truncate(1));
}

TEST(FilePieceCounts, AboutOneByteAnEntry) {
    file_piece_counts left(1'000'000);
    for (uint32_t entry = 0; entry < 1'000'000; ++entry) left.set(entry, 1 + entry % 3);
    left.set(17, 10'000);  // one large file
    EXPECT_LE(left.bytes_used(), 1'000'000u + 1024);
}

}  // namespace
}  // namespace xfer
