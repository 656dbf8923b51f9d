// The compact entry table: every field of every kind back as given (hostile values too), across
// restarts, by index and by iteration alike; its size for a million small files; and the bound
// it puts on what a manifest of long shared paths costs once decoded.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "shared/tree/tree_manifest.hpp"
#include "tests/shared/tree_fixture.hpp"

namespace xfer::tree {
namespace {

using test::dir;
using test::file;
using test::link;
using test::make_tree;

// Entries that exercise every field: kinds, modes, mtimes going back and forth (negative
// deltas), sizes up to 64 bits, targets, and values only a hostile manifest has.
std::vector<entry> varied(size_t count) {
    std::vector<entry> out;
    for (size_t i = 0; i < count; ++i) {
        entry e;
        e.path = "d" + std::to_string(i / 7) + "/name-" + std::to_string(i);
        e.kind = static_cast<entry_kind>(1 + i % 3);
        e.mode = static_cast<uint32_t>(i * 2654435761u);  // beyond 01777: kept for validate()
        e.mtime_ns = (i % 2 ? -1 : 1) * static_cast<int64_t>(i * 1'000'000'007ull);
        e.size = i % 5 == 0 ? ~uint64_t{0} - i : i;
        if (i % 4 == 0) e.link_target = std::string(i % 50, 'x') + "/t";
        out.push_back(std::move(e));
    }
    out.push_back(entry{});  // empty path, zero everything
    out.push_back({"", static_cast<entry_kind>(200), UINT32_MAX, INT64_MIN, UINT64_MAX, ""});
    out.push_back(
        {std::string(5000, 'p'), entry_kind::symlink, 0, INT64_MAX, 0, std::string(5000, 't')});
    return out;
}

TEST(TreeEntryTable, GivesBackEveryEntryByIndexAndByIteration) {
    const auto entries = varied(1000);
    const entry_table table(entries);
    ASSERT_EQ(table.size(), entries.size());
    for (size_t i = 0; i < entries.size(); ++i) ASSERT_EQ(table[i], entries[i]) << i;
    EXPECT_EQ(table.to_vector(), entries);
    EXPECT_EQ(table.back(), entries.back());
    // An iterator started anywhere (mid-run or on a restart) walks on correctly.
    for (size_t start : {size_t{0}, size_t{1}, entry_table::restart_interval - 1,
                         entry_table::restart_interval, size_t{777}}) {
        size_t index = start;
        for (auto it = std::next(table.begin(), static_cast<std::ptrdiff_t>(start));
             it != table.end(); ++it, ++index) {
            ASSERT_EQ(*it, entries[index]) << start << " " << index;
        }
        EXPECT_EQ(index, entries.size());
    }
}

TEST(TreeEntryTable, AppendingMatchesBuildingAtOnceAndComparesByContent) {
    const auto entries = varied(100);
    entry_table appended;
    for (const auto& e : entries) appended.push_back(e);
    EXPECT_EQ(appended, entry_table(entries));
    auto changed = entries;
    changed[50].mtime_ns += 1;
    EXPECT_FALSE(appended == entry_table(changed));
    changed = entries;
    changed.pop_back();
    EXPECT_FALSE(appended == entry_table(changed));
    appended.clear();
    EXPECT_TRUE(appended.empty());
    EXPECT_EQ(appended.begin(), appended.end());
    EXPECT_EQ(appended.heap_bytes(), 0u);
}

TEST(TreeEntryTable, AMillionSmallFilesTakeAboutTheirEncoding) {
    entry_table table;
    table.reserve(1'000'000, 14);
    for (int d = 0; d < 1000; ++d) {
        const std::string directory = "d" + std::to_string(1000 + d);
        table.push_back(dir(directory));
        for (int f = 0; f < 999; ++f) {
            auto e = file(directory + "/f" + std::to_string(1000 + f), 1);
            e.mtime_ns += int64_t{d * 999 + f} * 12'345;  // files written one after the other
            table.push_back(e);
        }
    }
    ASSERT_EQ(table.size(), 1'000'000u);
    // A std::vector<entry> took 88 bytes an entry (plus heap strings for long paths).
    EXPECT_LT(table.heap_bytes(), size_t{16} * 1'000'000);
    EXPECT_EQ(table[999'999].path, "d1999/f1998");
    EXPECT_EQ(table[1000].path, "d1001");
    EXPECT_EQ(table[1000].kind, entry_kind::directory);
}

// 4,000-byte paths that share all but their last bytes cost a few bytes each on the wire; they
// used to cost their full length each once decoded (2,000,000 of them: 8 GB). Now at most a
// restart's full path more per restart_interval entries.
TEST(TreeEntryTable, ADecodedManifestOfLongSharedPathsStaysBounded) {
    std::vector<entry> entries;
    std::string deep;
    while (deep.size() < 3900) {
        deep += (deep.empty() ? "" : "/") + std::string(200, 'a' + entries.size() % 26);
        entries.push_back(dir(deep));
    }
    constexpr size_t files = 10'000;  // 39 MB of paths in the vector built here
    for (size_t i = 0; i < files; ++i)
        entries.push_back(file(deep + "/" + std::to_string(100'000 + i), 0));
    const auto m = make_tree(std::move(entries));
    ASSERT_FALSE(validate(m));
    const auto encoded = encode_tree_manifest(m);
    const auto decoded = decode_tree_manifest(encoded);
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(decoded->entries, m.entries);
    const size_t expanded = files * deep.size();
    // What it holds (the encoding, a full path per restart, two more bytes an entry), with
    // room for the buffer's doubling.
    const size_t restarts = files / entry_table::restart_interval + 1;
    const size_t bound = 2 * (encoded.size() + restarts * 4096 + files * 2);
    EXPECT_LT(decoded->entries.heap_bytes(), bound);
    EXPECT_LT(decoded->entries.heap_bytes(), expanded / 5);
}

}  // namespace
}  // namespace xfer::tree
