// What the store tells discovery it holds: every indexed or open content in id order, each with
// its verified pieces, cut at the caller's limit (a discovery record carries a few hundred).
#include <algorithm>
#include <set>
#include <string>

#include "tests/shared/piece_store_fixture.hpp"

namespace xfer {
namespace {

using HeldContents = test::store_test;
constexpr uint64_t piece = min_piece_size;

void index_files(piece_store& store, test::sandbox& box, int count) {
    for (int index = 0; index < count; ++index) {
        const auto source = test::make_source(piece + index, 100 + index);
        box.write("store/f" + std::to_string(index), source.bytes);
        ASSERT_FALSE(store.index_file("f" + std::to_string(index)));
    }
}

TEST_F(HeldContents, EveryIndexedFileInIdOrderCutAtTheLimit) {
    auto store = open_store();
    ASSERT_NO_FATAL_FAILURE(index_files(*store, box_, 12));
    const auto all = store->held_contents(100);
    ASSERT_EQ(all.size(), 12u);
    std::set<std::string> paths;
    for (size_t index = 0; index < all.size(); ++index) {
        if (index > 0) {
            EXPECT_LT(all[index - 1].id, all[index].id);
        }
        EXPECT_EQ(all[index].pieces_had, all[index].piece_count);
        EXPECT_GE(all[index].piece_count, 1u);
        paths.insert(all[index].path);
    }
    EXPECT_EQ(paths.size(), 12u);
    EXPECT_TRUE(paths.contains("f0") && paths.contains("f11"));

    const auto first = store->held_contents(5);
    ASSERT_EQ(first.size(), 5u);
    for (size_t index = 0; index < first.size(); ++index) {
        EXPECT_EQ(first[index].id, all[index].id);
        EXPECT_EQ(first[index].path, all[index].path);
    }
    EXPECT_TRUE(store->held_contents(0).empty());
}

TEST_F(HeldContents, AContentBeingFetchedShowsTheVerifiedPiecesAmongTheIndexed) {
    auto store = open_store();
    ASSERT_NO_FATAL_FAILURE(index_files(*store, box_, 3));
    const auto source = test::make_source(3 * piece, 7);
    const auto entry =
        store->open_for_fetching("movie.bin", std::vector<uint8_t>(source.encoded), false);
    ASSERT_TRUE(entry) << entry.error().message();
    ASSERT_FALSE(store->write_piece(**entry, 1, source.piece(1)));

    const auto held = store->held_contents(100);
    ASSERT_EQ(held.size(), 4u);
    EXPECT_TRUE(std::is_sorted(held.begin(), held.end(),
                               [](const auto& a, const auto& b) { return a.id < b.id; }));
    const auto fetched = std::find_if(held.begin(), held.end(),
                                      [&](const auto& summary) { return summary.id == source.id; });
    ASSERT_NE(fetched, held.end());
    EXPECT_EQ(fetched->path, "movie.bin");
    EXPECT_EQ(fetched->pieces_had, 1u);
    EXPECT_EQ(fetched->piece_count, 3u);
}

}  // namespace
}  // namespace xfer
