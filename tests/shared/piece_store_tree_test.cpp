// Fetching a tree into the store: pieces that span files written in any order, the staging
// directory, completion into OUTDIR/NAME, resume of a half-written tree, and hostile manifests
// refused before anything is created.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <random>
#include <thread>

#include "shared/core/aligned_bytes.hpp"
#include "shared/core/error.hpp"
#include "shared/core/fd.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/store/direct_write.hpp"
#include "shared/tree/tree.hpp"
#include "tests/shared/piece_store_fixture.hpp"
#include "tests/shared/tree_fixture.hpp"

namespace xfer {
namespace {

namespace fs = std::filesystem;
using TreeStore = test::store_test;
using tree::test::dir;
using tree::test::file;
using tree::test::link;

// A tree manifest of `entries` whose files hold deterministic bytes, with real piece hashes.
struct tree_source {
    tree::tree_manifest manifest;
    std::vector<uint8_t> bytes;  // every file's bytes end to end
    std::vector<uint8_t> encoded;

    std::span<const uint8_t> piece(uint32_t index) const {
        const uint64_t offset = uint64_t{index} * manifest.piece_size;
        return std::span<const uint8_t>(bytes).subspan(
            offset, std::min<uint64_t>(manifest.piece_size, bytes.size() - offset));
    }
};

tree_source make_tree_source(std::vector<tree::entry> entries) {
    tree_source s;
    s.manifest = tree::test::make_tree(std::move(entries));
    s.bytes = test::pseudo_random_bytes(s.manifest.total_file_bytes(), 5);
    for (uint32_t index = 0; index < s.manifest.piece_count(); ++index)
        s.manifest.piece_hashes[index] = sha256(s.piece(index));
    s.encoded = tree::encode_tree_manifest(s.manifest);
    return s;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<tree::entry> small_tree() {
    return {dir("a"),
            file("a/one", 300'000),
            file("a/two", 5),
            dir("a/z", 0700),
            file("b", 600'000, 0600),
            file("empty", 0),
            link("to-one", "a/one")};
}

TEST_F(TreeStore, PiecesInAnyOrderMakeTheTreeAppearOnlyAtTheEnd) {
    auto store = open_store();
    const auto source = make_tree_source(small_tree());
    auto entry = store->open_for_fetching("t", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    ASSERT_TRUE((*entry)->is_tree());
    EXPECT_TRUE(fs::is_directory(root() / ".t.xfer-part/a/z"));
    std::vector<uint32_t> order((*entry)->manifest.piece_count());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937(7));
    for (const auto piece : order) {
        EXPECT_FALSE(fs::exists(root() / "t"));
        ASSERT_FALSE(store->write_piece(**entry, piece, source.piece(piece)));
    }
    ASSERT_FALSE(store->finalize(**entry));
    EXPECT_FALSE(fs::exists(root() / ".t.xfer-part"));
    EXPECT_FALSE(fs::exists(root() / ".xfer")) << "resume state left after completion";
    const std::string all(source.bytes.begin(), source.bytes.end());
    EXPECT_EQ(read_text(root() / "t/a/one"), all.substr(0, 300'000));
    EXPECT_EQ(read_text(root() / "t/a/two"), all.substr(300'000, 5));
    EXPECT_EQ(read_text(root() / "t/b"), all.substr(300'005));
    EXPECT_EQ(fs::file_size(root() / "t/empty"), 0u);
    EXPECT_EQ(fs::read_symlink(root() / "t/to-one"), "a/one");
    struct stat info {};
    ASSERT_EQ(::stat((root() / "t/b").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0600u);
    EXPECT_EQ(info.st_mtim.tv_nsec, 123'456'789);
    ASSERT_EQ(::stat((root() / "t/a/z").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0700u);
    EXPECT_EQ(info.st_mtim.tv_sec, 1'700'000'000);
}

TEST_F(TreeStore, AReopenedFetchKeepsItsVerifiedPieces) {
    const auto source = make_tree_source(small_tree());
    {
        auto store = open_store();
        auto entry = store->open_for_fetching("t", source.encoded, false);
        ASSERT_TRUE(entry);
        ASSERT_FALSE(store->write_piece(**entry, 2, source.piece(2)));
        ASSERT_FALSE(store->write_piece(**entry, 0, source.piece(0)));
        // No checkpoint: piece 2 and 0 are only in the journal, and re-hashed on reopening.
    }
    auto store = open_store();
    auto entry = store->open_for_fetching("t", source.encoded, false);
    ASSERT_TRUE(entry);
    EXPECT_EQ(had_pieces(**entry), (std::vector<uint32_t>{0, 2}));
    ASSERT_EQ((*entry)->manifest.piece_count(), 4u);
    ASSERT_FALSE(store->write_piece(**entry, 1, source.piece(1)));
    ASSERT_FALSE(store->write_piece(**entry, 3, source.piece(3)));
    ASSERT_FALSE(store->finalize(**entry));
    const std::string all(source.bytes.begin(), source.bytes.end());
    EXPECT_EQ(read_text(root() / "t/a/one"), all.substr(0, 300'000));
    EXPECT_EQ(read_text(root() / "t/b"), all.substr(300'005));
}

// --update: pieces are taken from the tree already at OUTDIR/NAME when its bytes there hash
// right; a changed file's pieces and one reached through a symlink (never followed) are not.
TEST_F(TreeStore, UpdateTakesOnlyTheMatchingPiecesOfTheTreeAlreadyThere) {
    const auto source = make_tree_source(small_tree());
    const std::string all(source.bytes.begin(), source.bytes.end());
    {
        auto store = open_store();
        auto entry = store->open_for_fetching("t", source.encoded, false);
        ASSERT_TRUE(entry);
        for (uint32_t piece = 0; piece < (*entry)->manifest.piece_count(); ++piece)
            ASSERT_FALSE(store->write_piece(**entry, piece, source.piece(piece)));
        ASSERT_FALSE(store->finalize(**entry));
    }
    // Piece 2 lies inside b; piece 1 holds a/one's tail, a/two and b's head.
    {
        std::fstream b(root() / "t/b", std::ios::in | std::ios::out | std::ios::binary);
        b.seekp(400'000);
        b.put('!');
    }
    const auto outside = root().parent_path() / "two-copy";
    std::ofstream(outside, std::ios::binary) << all.substr(300'000, 5);
    fs::remove(root() / "t/a/two");
    fs::create_symlink(outside, root() / "t/a/two");

    auto store = open_store();
    EXPECT_EQ(store->open_for_fetching("t", source.encoded, false).error(),
              std::make_error_code(std::errc::file_exists));
    auto entry = store->open_for_fetching("t", source.encoded, true, /*update=*/true);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ(had_pieces(**entry), (std::vector<uint32_t>{0, 3}));
    EXPECT_EQ(read_text(root() / "t/b").at(400'000), '!') << "the old tree changed before the end";
    ASSERT_FALSE(store->write_piece(**entry, 1, source.piece(1)));
    ASSERT_FALSE(store->write_piece(**entry, 2, source.piece(2)));
    ASSERT_FALSE(store->finalize(**entry));
    EXPECT_EQ(read_text(root() / "t/a/one"), all.substr(0, 300'000));
    EXPECT_FALSE(fs::is_symlink(root() / "t/a/two"));
    EXPECT_EQ(read_text(root() / "t/a/two"), all.substr(300'000, 5));
    EXPECT_EQ(read_text(root() / "t/b"), all.substr(300'005));
    EXPECT_FALSE(fs::exists(root() / ".t.xfer-part"));
}

// The fetch writes a tree's pieces from several threads at once (the piece writer's pool):
// files spanning pieces written by different threads, many small files created side by side.
TEST_F(TreeStore, PiecesWrittenFromSeveralThreadsAtOnceMakeTheSameTree) {
    auto store = open_store();
    std::vector<tree::entry> entries{dir("big"), dir("small")};
    for (int i = 0; i < 3; ++i) entries.push_back(file("big/" + std::to_string(i), 700'000, 0640));
    for (int i = 0; i < 400; ++i)
        entries.push_back(file("small/" + std::to_string(1000 + i), 1000 + i * 13));
    tree::sort_canonical(entries);
    const auto source = make_tree_source(entries);
    auto entry = store->open_for_fetching("t", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    const uint32_t pieces = (*entry)->manifest.piece_count();
    ASSERT_GT(pieces, 8u);
    std::atomic<uint32_t> next{0};
    std::vector<std::error_code> failures(4);
    std::vector<std::thread> writers;
    for (auto& failure : failures) {
        writers.emplace_back([&] {
            for (uint32_t piece; (piece = next.fetch_add(1)) < pieces;) {
                if (auto ec = store->write_piece_data(**entry, piece, source.piece(piece)))
                    failure = ec;
            }
        });
    }
    for (auto& writer : writers) writer.join();
    for (const auto& failure : failures) ASSERT_FALSE(failure) << failure.message();
    EXPECT_EQ((*entry)->have.count(), 0u) << "written is not yet counted";
    for (uint32_t piece = 0; piece < pieces; ++piece)
        ASSERT_FALSE(store->record_written(**entry, piece));
    EXPECT_EQ((*entry)->files->files_complete(), 403u);
    ASSERT_FALSE(store->finalize(**entry));
    const std::string all(source.bytes.begin(), source.bytes.end());
    uint64_t offset = 0;
    for (const auto& e : source.manifest.entries) {
        if (e.kind != tree::entry_kind::file) continue;
        ASSERT_EQ(read_text(root() / "t" / e.path), all.substr(offset, e.size)) << e.path;
        struct stat info {};
        ASSERT_EQ(::stat((root() / "t" / e.path).c_str(), &info), 0);
        EXPECT_EQ(info.st_mode & 07777, e.mode) << e.path;
        EXPECT_EQ(info.st_mtim.tv_nsec, 123'456'789) << e.path;
        offset += e.size;
    }
}

// The fetch hands the tree writer block-aligned piece buffers; a file of 64 KiB or more goes to
// the disk past the page cache (direct I/O) whether its bytes are aligned in the piece or not
// (then through a bounce buffer), only the partial blocks where a piece boundary cuts the file
// cached, and its all-zero blocks stay holes.
TEST_F(TreeStore, BigFilesGoPastThePageCacheAlignedOrNotAndKeepTheirHoles) {
    auto store = open_store();
    {
        unique_fd probe(::open((root() / "probe").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
        ASSERT_TRUE(probe);
        if (!direct_write::for_file(probe.get()).active())
            GTEST_SKIP() << "no direct I/O on this file system";
    }
    constexpr uint32_t piece = 256 * 1024;
    // a-whole lies in piece 0, aligned; b-pad fills piece 0 from an unaligned start; c-big starts
    // on a piece boundary and spans five pieces, its second 64 KiB all zero; d-odd and e-unaligned
    // put e-unaligned's bytes off the alignment.
    auto source = make_tree_source({file("a-whole", 100'000), file("b-pad", piece - 100'000),
                                    file("c-big", 4 * piece + 12'345), file("d-odd", 1'000),
                                    file("e-unaligned", 700'000)});
    std::fill_n(source.bytes.begin() + piece + 65'536, 65'536, 0);
    for (uint32_t index = 0; index < source.manifest.piece_count(); ++index)
        source.manifest.piece_hashes[index] = sha256(source.piece(index));
    source.encoded = tree::encode_tree_manifest(source.manifest);
    // As the fetch does: every piece from an aligned buffer. Then the bytes and the hole.
    const auto fetch_and_check = [&](const std::string& name) {
        auto entry = store->open_for_fetching(name, source.encoded, false);
        ASSERT_TRUE(entry) << entry.error().message();
        for (uint32_t index = 0; index < source.manifest.piece_count(); ++index) {
            const auto bytes = source.piece(index);
            auto aligned = allocate_aligned(bytes.size());
            std::copy(bytes.begin(), bytes.end(), aligned.get());
            ASSERT_FALSE(store->write_piece(**entry, index, {aligned.get(), bytes.size()}));
        }
        ASSERT_FALSE(store->finalize(**entry));
        if (name == "direct") {
            // Before anything reads them: at most the partial blocks at a file's end and at the
            // piece boundaries inside it are cached (a-whole is 25 pages, b-pad 40, c-big 260,
            // e-unaligned 171; d-odd is small, so buffered).
            for (const char* file_name : {"a-whole", "b-pad", "c-big", "e-unaligned"})
                EXPECT_LE(test::cached_pages(root() / name / file_name), 4u) << file_name;
        }
        const std::string all(source.bytes.begin(), source.bytes.end());
        uint64_t offset = 0;
        for (const auto& e : source.manifest.entries) {
            ASSERT_EQ(read_text(root() / name / e.path), all.substr(offset, e.size)) << e.path;
            offset += e.size;
        }
        // The zero 64 KiB is a hole, data on both sides (st_blocks would count extent blocks).
        unique_fd big(::open((root() / name / "c-big").c_str(), O_RDONLY | O_CLOEXEC));
        ASSERT_TRUE(big);
        EXPECT_EQ(::lseek(big.get(), 0, SEEK_HOLE), 65'536) << name << ": the hole was filled in";
        EXPECT_EQ(::lseek(big.get(), 65'536, SEEK_DATA), 131'072) << name;
    };
    fetch_and_check("direct");
    ::setenv("XFER_DIRECT_IO", "off", 1);
    fetch_and_check("buffered");
    ::unsetenv("XFER_DIRECT_IO");
}

TEST_F(TreeStore, HostileManifestsAreRefusedBeforeAnythingIsWritten) {
    auto store = open_store();
    const std::vector<std::vector<tree::entry>> hostile{
        {link("a", "."), file("a/x", 10)},     // a path through a symlink made earlier
        {file("a", 10), dir("a")},             // one name as a file and as a directory
        {file("a", 10), file("a", 10)},        // a duplicate
        {file("/etc/evil", 10)},               // absolute
        {dir("d"), file("d/../../evil", 10)},  // escapes with ..
        {link("out", "../../outside")},        // a symlink leaving the tree
        {dir("d"), link("d/up", "../../x")},   // the same from deeper down
    };
    for (size_t i = 0; i < hostile.size(); ++i) {
        SCOPED_TRACE("manifest " + std::to_string(i));
        auto m = tree::test::make_tree(hostile[i]);
        const auto entry = store->open_for_fetching("t", tree::encode_tree_manifest(m), false);
        EXPECT_FALSE(entry);
        EXPECT_TRUE(fs::is_empty(root())) << "something was created for a refused manifest";
    }
}

}  // namespace
}  // namespace xfer
