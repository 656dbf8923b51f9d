// The serving side of the piece store: listings (metadata hidden, partials under their final
// name), opening by path or content id, confinement to the root, and change detection.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "shared/core/error.hpp"
#include "tests/shared/piece_store_fixture.hpp"

namespace xfer {
namespace {

using ServeStore = test::store_test;
using kind = listing_entry::kind_t;
constexpr uint64_t piece = min_piece_size;

std::vector<std::string> names(const std::vector<listing_entry>& entries) {
    std::vector<std::string> out;
    for (const auto& entry : entries) out.push_back(entry.name);
    return out;
}

const listing_entry* entry_named(const std::vector<listing_entry>& entries, std::string_view name) {
    for (const auto& entry : entries) {
        if (entry.name == name) return &entry;
    }
    return nullptr;
}

TEST_F(ServeStore, OpenNeedsAnExistingRootUnlessCreating) {
    EXPECT_FALSE(piece_store::open(box_ / "missing", false, manifest_cache_dir()));
    const auto created = piece_store::open(box_ / "new" / "root", true, manifest_cache_dir());
    ASSERT_TRUE(created);
    EXPECT_TRUE(std::filesystem::is_directory(box_ / "new" / "root"));
    EXPECT_TRUE((*created)->root().is_absolute());
    box_.write("plain-file", "x");
    EXPECT_FALSE(piece_store::open(box_ / "plain-file", false, manifest_cache_dir()));
}

TEST_F(ServeStore, ListShowsFilesDirectoriesAndPartialsButNotMetadata) {
    const auto partial = test::make_source(5 * piece + 3, 1);
    box_.write("store/a.txt", "hello");
    box_.write("store/sub/inner.bin", "inner");
    box_.write("store/orphan.xfer-part", "a part file with no resume state");
    box_.write("outside.txt", "secret");
    auto fetcher = open_store();
    auto entry = *fetcher->open_for_fetching("movie.bin", partial.encoded, false);
    ASSERT_FALSE(fetcher->write_piece(*entry, 1, partial.piece(1)));
    ASSERT_FALSE(fetcher->write_piece(*entry, 4, partial.piece(4)));
    ASSERT_FALSE(fetcher->checkpoint(*entry));
    ASSERT_FALSE(fetcher->write_piece(*entry, 0, partial.piece(0)));  // journaled only
    std::filesystem::create_symlink("a.txt", root() / "link-inside");
    std::filesystem::create_symlink("../outside.txt", root() / "link-outside");
    ASSERT_EQ(::mkfifo((root() / "fifo").c_str(), 0600), 0);

    // A second store on the same directory, as `xfer serve` beside a running `xfer fetch`.
    auto server = open_store();
    const auto listed = server->list("");
    ASSERT_TRUE(listed) << listed.error().message();
    EXPECT_EQ(names(*listed),
              (std::vector<std::string>{"a.txt", "link-inside", "movie.bin", "sub"}));
    const auto* a = entry_named(*listed, "a.txt");
    EXPECT_EQ(a->kind, kind::file);
    EXPECT_EQ(a->size, 5u);
    EXPECT_EQ(a->piece_count, 0u) << "not hashed yet";
    EXPECT_TRUE(a->complete());
    const auto* movie = entry_named(*listed, "movie.bin");
    EXPECT_EQ(movie->kind, kind::file);
    EXPECT_EQ(movie->size, partial.bytes.size());
    EXPECT_EQ(movie->piece_count, 6u);
    EXPECT_EQ(movie->pieces_had, 3u) << "the checkpoint's two and the journaled one";
    EXPECT_FALSE(movie->complete());
    EXPECT_EQ(entry_named(*listed, "sub")->kind, kind::directory);

    // The fetching store lists its own partial from memory.
    const auto own = fetcher->list("");
    ASSERT_TRUE(own);
    EXPECT_EQ(entry_named(*own, "movie.bin")->pieces_had, 3u);
}

TEST_F(ServeStore, ListShowsLinksInsideTheRootAsLinksWhenAsked) {
    box_.write("store/a.txt", "hello");
    box_.write("store/sub/inner.bin", "inner");
    box_.write("outside.txt", "secret");
    std::filesystem::create_symlink("a.txt", root() / "to-file");
    std::filesystem::create_symlink("sub", root() / "to-dir");
    std::filesystem::create_symlink("../outside.txt", root() / "escapes");
    std::filesystem::create_symlink("missing", root() / "dangling");
    auto store = open_store();

    const auto links = store->list("", /*links_as_links=*/true);
    ASSERT_TRUE(links) << links.error().message();
    EXPECT_EQ(names(*links), (std::vector<std::string>{"a.txt", "sub", "to-dir", "to-file"}))
        << "links that leave the root or point nowhere are not listed either way";
    const auto* to_file = entry_named(*links, "to-file");
    EXPECT_EQ(to_file->kind, kind::symlink);
    EXPECT_EQ(to_file->link_target, "a.txt");
    EXPECT_EQ(to_file->size, 0u);
    EXPECT_FALSE(to_file->complete());
    EXPECT_EQ(entry_named(*links, "to-dir")->kind, kind::symlink);
    EXPECT_EQ(entry_named(*links, "to-dir")->link_target, "sub");

    // A receiver that did not ask (an older one rejects the kind) sees what each points to.
    const auto followed = store->list("");
    ASSERT_TRUE(followed);
    EXPECT_EQ(names(*followed), names(*links));
    EXPECT_EQ(entry_named(*followed, "to-file")->kind, kind::file);
    EXPECT_EQ(entry_named(*followed, "to-file")->size, 5u);
    EXPECT_EQ(entry_named(*followed, "to-file")->link_target, "");
    EXPECT_EQ(entry_named(*followed, "to-dir")->kind, kind::directory);
}

TEST_F(ServeStore, ListReportsPieceCountsOnceHashed) {
    const auto source = test::make_source(2 * piece + 1, 2);
    box_.write("store/f", source.bytes);
    auto store = open_store();
    ASSERT_TRUE(store->open_for_serving("f", std::nullopt));
    const auto listed = store->list("");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].piece_count, 3u) << "from the manifest cache";
    EXPECT_EQ((*listed)[0].pieces_had, 3u);
}

TEST_F(ServeStore, ListSubdirectoriesAndRefusals) {
    box_.write("store/sub/deeper/x", "x");
    box_.write("store/sub/y", "yy");
    box_.write("store/file", "f");
    auto store = open_store();
    const auto sub = store->list("sub");
    ASSERT_TRUE(sub);
    EXPECT_EQ(names(*sub), (std::vector<std::string>{"deeper", "y"}));
    EXPECT_EQ(names(*store->list("./sub//deeper/")), (std::vector<std::string>{"x"}));
    EXPECT_EQ(store->list("..").error(), errc::path_escapes_root);
    EXPECT_EQ(store->list("/").error(), errc::path_escapes_root);
    EXPECT_EQ(store->list(".xfer").error(), errc::not_found);
    EXPECT_EQ(store->list("missing").error(), errc::not_found);
    EXPECT_TRUE(store->list("file").error()) << "a file is not a directory";
    std::filesystem::create_symlink("..", root() / "up");
    EXPECT_EQ(store->list("up").error(), errc::path_escapes_root);
}

TEST_F(ServeStore, ServesACompleteFileByPathAndById) {
    const auto source = test::make_source(3 * piece, 3);
    box_.write("store/dir/f.bin", source.bytes);
    auto store = open_store();
    const auto entry = store->open_for_serving("dir//f.bin", std::nullopt);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ((*entry)->id, source.id) << "the manifest computed from disk matches the source's";
    EXPECT_EQ((*entry)->encoded_manifest, source.encoded);
    EXPECT_EQ((*entry)->path, "dir/f.bin");
    EXPECT_TRUE((*entry)->complete);
    EXPECT_TRUE((*entry)->have.all());
    EXPECT_EQ(*store->open_for_serving("dir/f.bin", source.id), *entry);
    EXPECT_EQ(*store->open_for_serving("", source.id), *entry) << "by content id alone once known";
    EXPECT_EQ(store->find(source.id), *entry);

    auto other_id = source.id;
    other_id[0] ^= 1;
    EXPECT_EQ(store->open_for_serving("dir/f.bin", other_id).error(), errc::content_mismatch);
    EXPECT_EQ(store->open_for_serving("", other_id).error(), errc::not_found);
    EXPECT_EQ(store->open_for_serving("", std::nullopt).error(), errc::not_found);
    EXPECT_EQ(store->open_for_serving("missing", std::nullopt).error(), errc::not_found);
    const auto tree = store->open_for_serving("dir", std::nullopt);
    ASSERT_TRUE(tree) << tree.error().message();
    EXPECT_TRUE((*tree)->is_tree()) << "a directory is served as a tree";
    EXPECT_EQ((*tree)->manifest.file_size, source.bytes.size());
}

TEST_F(ServeStore, ASecondStoreReusesTheCachedManifest) {
    const auto source = test::make_source(piece + 1, 4);
    box_.write("store/f", source.bytes);
    ASSERT_TRUE(open_store()->open_for_serving("f", std::nullopt));
    size_t cached = 0;
    for ([[maybe_unused]] const auto& file :
         std::filesystem::directory_iterator(manifest_cache_dir())) {
        ++cached;
    }
    EXPECT_EQ(cached, 1u) << "in xfer's cache directory";
    struct stat info {};
    ASSERT_EQ(::stat(manifest_cache_dir().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u) << "a list of what a user shares is private";
    EXPECT_FALSE(std::filesystem::exists(root() / ".xfer"))
        << "serving writes nothing into the root";
    const auto again = open_store()->open_for_serving("f", std::nullopt);
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)->id, source.id);
}

TEST_F(ServeStore, NeverServesOutsideTheRootOrMetadata) {
    box_.write("outside.txt", "secret");
    box_.write("store/.xfer/private", "metadata");
    box_.write("store/x.xfer-part", "part");
    std::filesystem::create_symlink("../outside.txt", root() / "escape");
    std::filesystem::create_symlink(box_ / "outside.txt", root() / "absolute-escape");
    auto store = open_store();
    EXPECT_EQ(store->open_for_serving("escape", std::nullopt).error(), errc::path_escapes_root);
    EXPECT_EQ(store->open_for_serving("absolute-escape", std::nullopt).error(),
              errc::path_escapes_root);
    EXPECT_EQ(store->open_for_serving("../outside.txt", std::nullopt).error(),
              errc::path_escapes_root);
    EXPECT_EQ(store->open_for_serving(".xfer/private", std::nullopt).error(), errc::not_found);
    EXPECT_EQ(store->open_for_serving("x.xfer-part", std::nullopt).error(), errc::not_found);
    EXPECT_EQ(store->open_for_serving("x", std::nullopt).error(), errc::not_found)
        << "a part file without resume state is nothing";
}

TEST_F(ServeStore, NeverServesDevicesOrFifos) {
    std::filesystem::create_directories(root());
    ASSERT_EQ(::mkfifo((root() / "fifo").c_str(), 0600), 0);
    auto store = open_store();
    // Opened non-blocking and refused by type: the call returns even though no writer exists.
    EXPECT_EQ(store->open_for_serving("fifo", std::nullopt).error(), errc::not_found);
}

TEST_F(ServeStore, ServesAPartialFromAnotherProcesssState) {
    const auto source = test::make_source(4 * piece, 5);
    auto fetcher = open_store();
    auto fetching = *fetcher->open_for_fetching("p", source.encoded, false);
    ASSERT_FALSE(fetcher->write_piece(*fetching, 2, source.piece(2)));
    ASSERT_FALSE(fetcher->checkpoint(*fetching));
    ASSERT_FALSE(fetcher->write_piece(*fetching, 3, source.piece(3)));

    auto server = open_store();
    const auto served = server->open_for_serving("p", source.id);
    ASSERT_TRUE(served) << served.error().message();
    EXPECT_FALSE((*served)->complete);
    EXPECT_FALSE((*served)->fetching) << "a read-only view";
    EXPECT_EQ(had_pieces(**served), (std::vector<uint32_t>{2, 3}));
    // Bus events from the fetching process keep the view current.
    server->note_piece_verified(source.id, 0);
    server->note_piece_verified(source.id, 99);  // out of range: ignored
    EXPECT_EQ(had_pieces(**served), (std::vector<uint32_t>{0, 2, 3}));
    server->note_file_completed(source.id);
    EXPECT_TRUE((*served)->complete);
    EXPECT_TRUE((*served)->have.all());
    // Events about unknown content are ignored.
    auto unknown = source.id;
    unknown[5] ^= 0xff;
    server->note_piece_verified(unknown, 0);
    server->note_file_completed(unknown);
    EXPECT_FALSE(server->find(unknown));
}

TEST_F(ServeStore, CheckUnchangedNoticesEditsOfAServedFile) {
    const auto source = test::make_source(piece, 6);
    const auto path = box_.write("store/f", source.bytes);
    auto store = open_store();
    const auto entry = *store->open_for_serving("f", std::nullopt);
    EXPECT_FALSE(store->check_unchanged(*entry));

    // Same size, new bytes, and an mtime set explicitly (no reliance on clock granularity).
    struct stat before {};
    ASSERT_EQ(::stat(path.c_str(), &before), 0);
    box_.write("store/f", test::pseudo_random_bytes(piece, 7));
    const timespec times[2] = {before.st_atim,
                               {before.st_mtim.tv_sec + 10, before.st_mtim.tv_nsec}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    EXPECT_EQ(store->check_unchanged(*entry), errc::content_changed);
    // Opening it again hashes the new version: a different content.
    const auto reopened = store->open_for_serving("f", std::nullopt);
    ASSERT_TRUE(reopened);
    EXPECT_NE((*reopened)->id, source.id);
    EXPECT_FALSE(store->check_unchanged(**reopened));
}

TEST_F(ServeStore, CheckUnchangedNoticesAGrowingFile) {
    const auto source = test::make_source(1000, 8);
    box_.write("store/f", source.bytes);
    auto store = open_store();
    const auto entry = *store->open_for_serving("f", std::nullopt);
    {
        std::ofstream append(root() / "f", std::ios::app | std::ios::binary);
        append << "more";
    }
    EXPECT_EQ(store->check_unchanged(*entry), errc::content_changed);
}

}  // namespace
}  // namespace xfer
