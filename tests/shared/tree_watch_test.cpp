// A served tree's warm OPEN (piece_store::open_for_serving of a directory): an unchanged tree
// watched since its last scan is served again without a scan, and every kind of change to it
// (bytes rewritten in place, a file grown, touched, chmod'ed, added, removed or renamed, a
// subdirectory replaced, the tree itself replaced) makes the next OPEN scan and serve the new
// tree. Serving it (reading its files) is not a change.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "shared/store/content_files.hpp"
#include "tests/shared/piece_store_fixture.hpp"
#include "tests/support/tree_fixtures.hpp"

namespace xfer {
namespace {

namespace fs = std::filesystem;
using TreeWatch = test::store_test;

void make_share(const fs::path& tree) {
    test::write_text(tree / "a.txt", "alpha");
    test::write_text(tree / "sub/b.txt", std::string(70'000, 'b'));
    test::write_text(tree / "sub/deeper/c.txt", "gamma");
}

// Every piece of the served tree read as a sender would.
void read_everything(content_entry& entry) {
    for (uint32_t piece = 0; piece < entry.manifest.piece_count(); ++piece) {
        std::vector<uint8_t> bytes(entry.manifest.piece_length(piece));
        ASSERT_FALSE(read_piece(*entry.files, piece, bytes));
    }
}

TEST_F(TreeWatch, AnUnchangedTreeIsServedAgainWithoutAScan) {
    make_share(root() / "t");
    auto store = open_store();
    auto first = store->open_for_serving("t", std::nullopt);
    ASSERT_TRUE(first) << first.error().message();
    EXPECT_EQ(store->tree_scans(), 1u);
    read_everything(**first);
    first->reset();  // nobody serves it between the two fetches
    auto second = store->open_for_serving("t/", std::nullopt);
    ASSERT_TRUE(second) << second.error().message();
    EXPECT_EQ(store->tree_scans(), 1u) << "an unchanged, watched tree was scanned again";
    const auto id = (*second)->id;
    auto third = store->open_for_serving("t", std::nullopt);
    ASSERT_TRUE(third);
    EXPECT_EQ((*third)->id, id);
    EXPECT_EQ(store->tree_scans(), 1u);
}

TEST_F(TreeWatch, EveryKindOfChangeMakesTheNextOpenScanTheNewTree) {
    const auto tree = root() / "t";
    make_share(tree);
    auto store = open_store();
    auto opened = store->open_for_serving("t", std::nullopt);
    ASSERT_TRUE(opened) << opened.error().message();
    auto id = (*opened)->id;
    const std::vector<std::pair<std::string, std::function<void()>>> changes{
        {"rewritten in place, same size",
         [&] {
             std::fstream f(tree / "a.txt", std::ios::in | std::ios::out | std::ios::binary);
             f.write("ALPHA", 5);
         }},
        {"grown", [&] { std::ofstream(tree / "sub/b.txt", std::ios::app) << "more"; }},
        {"touched", [&] { test::set_mtime(tree / "sub/deeper/c.txt", 1'500'000'000, 7); }},
        {"chmod", [&] { fs::permissions(tree / "a.txt", fs::perms::owner_read); }},
        {"added", [&] { test::write_text(tree / "sub/deeper/new.txt", "new"); }},
        {"removed", [&] { fs::remove(tree / "sub/deeper/new.txt"); }},
        {"renamed", [&] { fs::rename(tree / "sub/b.txt", tree / "sub/b2.txt"); }},
        {"subdirectory replaced",
         [&] {
             fs::rename(tree / "sub/deeper", root() / "deeper-away");
             test::write_text(tree / "sub/deeper/c.txt", "gamma");
         }},
        {"the tree replaced", [&] {
             fs::rename(tree, root() / "t-old");
             make_share(tree);
             test::write_text(tree / "extra", "x");
         }}};
    for (const auto& [what, change] : changes) {
        const auto scans = store->tree_scans();
        change();
        auto again = store->open_for_serving("t", std::nullopt);
        ASSERT_TRUE(again) << what << ": " << again.error().message();
        EXPECT_EQ(store->tree_scans(), scans + 1) << what << ": not scanned again";
        EXPECT_NE((*again)->id, id) << what << ": served the old manifest";
        id = (*again)->id;
        read_everything(**again);
    }
}

}  // namespace
}  // namespace xfer
