// The fetch side of the piece store: part files, verified writes, checkpoints, resume after a
// restart (re-verifying journaled pieces), and completion. Each test in its own sandbox.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "shared/core/error.hpp"
#include "shared/store/atomic_file.hpp"
#include "shared/store/resume_state.hpp"
#include "tests/shared/piece_store_fixture.hpp"

namespace xfer {
namespace {

using FetchStore = test::store_test;
constexpr uint64_t piece = min_piece_size;

TEST_F(FetchStore, StartsAPartFileOfTheFullSize) {
    const auto source = test::make_source(4 * piece + 100, 1);
    auto store = open_store();
    const auto entry = store->open_for_fetching("movie.bin", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ((*entry)->id, source.id);
    EXPECT_EQ((*entry)->path, "movie.bin");
    EXPECT_TRUE((*entry)->fetching);
    EXPECT_FALSE((*entry)->complete);
    EXPECT_EQ((*entry)->have.count(), 0u);
    EXPECT_EQ(std::filesystem::file_size(root() / "movie.bin.xfer-part"), source.bytes.size())
        << "space reserved";
    EXPECT_FALSE(std::filesystem::exists(root() / "movie.bin"))
        << "nothing under the final name yet";
    EXPECT_EQ(partial_metadata().size(), 2u) << "a state file and a journal";
    EXPECT_EQ(store->find(source.id), *entry);
    // Asking again in the same process gives the same entry, so there is one bitfield.
    EXPECT_EQ(*store->open_for_fetching("movie.bin", source.encoded, false), *entry);
}

TEST_F(FetchStore, RefusesBadNamesAndManifests) {
    const auto source = test::make_source(100, 1);
    auto store = open_store();
    EXPECT_EQ(store->open_for_fetching("../escape", source.encoded, false).error(),
              errc::path_escapes_root);
    EXPECT_EQ(store->open_for_fetching("", source.encoded, false).error(), errc::not_found);
    EXPECT_EQ(store->open_for_fetching(".xfer", source.encoded, false).error(), errc::not_found);
    EXPECT_EQ(store->open_for_fetching("x.xfer-part", source.encoded, false).error(),
              errc::not_found);
    auto bad = source.encoded;
    bad.push_back(0);
    EXPECT_EQ(store->open_for_fetching("ok", bad, false).error(), errc::manifest_invalid);
    EXPECT_FALSE(std::filesystem::exists(root() / "ok.xfer-part"));
}

TEST_F(FetchStore, CompleteFetchProducesTheSourceBytes) {
    const auto source = test::make_source(3 * piece + 7, 2);
    auto store = open_store();
    auto entry = *store->open_for_fetching("file.bin", source.encoded, false);
    for (const uint32_t index : {2u, 0u, 3u})
        ASSERT_FALSE(store->write_piece(*entry, index, source.piece(index)));
    EXPECT_EQ(store->finalize(*entry), errc::no_source) << "piece 1 is missing";
    EXPECT_FALSE(std::filesystem::exists(root() / "file.bin"));
    ASSERT_FALSE(store->write_piece(*entry, 1, source.piece(1)));
    ASSERT_FALSE(store->finalize(*entry));
    EXPECT_TRUE(entry->complete);
    EXPECT_EQ(box_.read("store/file.bin"), source.bytes);
    EXPECT_FALSE(std::filesystem::exists(root() / "file.bin.xfer-part"));
    EXPECT_TRUE(partial_metadata().empty()) << "state and journal removed";
    EXPECT_FALSE(store->finalize(*entry)) << "finalizing twice is harmless";
    EXPECT_FALSE(store->checkpoint(*entry)) << "so is a late checkpoint";
    EXPECT_TRUE(partial_metadata().empty()) << "and it writes no state back";
}

// Everything under the root, recursively, as sorted relative paths.
std::vector<std::string> tree_of(const std::filesystem::path& root) {
    std::vector<std::string> paths;
    for (const auto& item : std::filesystem::recursive_directory_iterator(root)) {
        paths.push_back(item.path().lexically_relative(root).string());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

TEST_F(FetchStore, ACompletedFetchLeavesNothingButTheFiles) {
    const auto first = test::make_source(2 * piece + 1, 11);
    const auto second = test::make_source(piece + 5, 12);
    std::filesystem::create_directories(root() / "sub");
    auto store = open_store();
    auto opened_a = store->open_for_fetching("a.bin", first.encoded, false);
    auto opened_b = store->open_for_fetching("sub/b.bin", second.encoded, false);
    ASSERT_TRUE(opened_a && opened_b);
    auto a = *opened_a;
    auto b = *opened_b;
    for (uint32_t index = 0; index < first.m.piece_count(); ++index)
        ASSERT_FALSE(store->write_piece(*a, index, first.piece(index)));
    ASSERT_FALSE(store->finalize(*a));
    EXPECT_EQ(partial_metadata().size(), 2u) << "b's resume state stays while b is partial";
    for (uint32_t index = 0; index < second.m.piece_count(); ++index)
        ASSERT_FALSE(store->write_piece(*b, index, second.piece(index)));
    ASSERT_FALSE(store->finalize(*b));
    EXPECT_EQ(tree_of(root()), (std::vector<std::string>{"a.bin", "sub", "sub/b.bin"}))
        << "no .xfer/ and no part files once nothing is partial";
    EXPECT_TRUE(std::filesystem::is_directory(manifest_cache_dir()))
        << "the fetched files' manifests went to the cache, outside the root";
}

TEST_F(FetchStore, ZeroByteFile) {
    const auto source = test::make_source(0, 3);
    auto store = open_store();
    const auto entry = store->open_for_fetching("empty", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_TRUE((*entry)->have.all());
    ASSERT_FALSE(store->finalize(**entry));
    EXPECT_TRUE(std::filesystem::is_regular_file(root() / "empty"));
    EXPECT_EQ(std::filesystem::file_size(root() / "empty"), 0u);
    EXPECT_FALSE(std::filesystem::exists(root() / "empty.xfer-part"));
    EXPECT_TRUE(partial_metadata().empty());
}

TEST_F(FetchStore, WritePieceRefusesWrongLengthsAndIndices) {
    const auto source = test::make_source(2 * piece + 10, 4);
    auto store = open_store();
    auto entry = *store->open_for_fetching("f", source.encoded, false);
    const auto full = source.piece(0);
    EXPECT_EQ(store->write_piece(*entry, 0, full.first(piece - 1)), errc::malformed_message);
    std::vector<uint8_t> longer(full.begin(), full.end());
    longer.push_back(0);
    EXPECT_EQ(store->write_piece(*entry, 0, longer), errc::malformed_message);
    EXPECT_EQ(store->write_piece(*entry, 0, {}), errc::malformed_message);
    EXPECT_EQ(store->write_piece(*entry, 2, full), errc::malformed_message)
        << "the last piece is short";
    EXPECT_EQ(store->write_piece(*entry, 3, source.piece(2)), errc::malformed_message)
        << "no piece 3";
    EXPECT_EQ(entry->have.count(), 0u);
    EXPECT_FALSE(store->write_piece(*entry, 2, source.piece(2)));
    EXPECT_FALSE(store->write_piece(*entry, 2, source.piece(2)))
        << "a second write of a had piece is a no-op";
    EXPECT_EQ(had_pieces(*entry), (std::vector<uint32_t>{2}));
}

TEST_F(FetchStore, WritePieceRefusesEntriesItIsNotFetching) {
    const auto source = test::make_source(100, 5);
    box_.write("store/served", source.bytes);
    auto store = open_store();
    auto served = store->open_for_serving("served", std::nullopt);
    ASSERT_TRUE(served);
    EXPECT_EQ(store->write_piece(**served, 0, source.piece(0)), errc::malformed_message);
    EXPECT_EQ(box_.read("store/served"), source.bytes);
}

TEST_F(FetchStore, ANewStoreResumesFromTheCheckpoint) {
    const auto source = test::make_source(5 * piece + 1, 6);
    {
        auto store = open_store();
        auto entry = *store->open_for_fetching("movie.bin", source.encoded, false);
        for (const uint32_t index : {0u, 2u, 5u})
            ASSERT_FALSE(store->write_piece(*entry, index, source.piece(index)));
        ASSERT_FALSE(store->checkpoint(*entry));
    }
    auto store = open_store();
    auto entry = store->open_for_fetching("movie.bin", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ(had_pieces(**entry), (std::vector<uint32_t>{0, 2, 5}));
    for (const uint32_t index : {1u, 3u, 4u})
        ASSERT_FALSE(store->write_piece(**entry, index, source.piece(index)));
    ASSERT_FALSE(store->finalize(**entry));
    EXPECT_EQ(box_.read("store/movie.bin"), source.bytes)
        << "resumed pieces were kept, not re-zeroed";
}

TEST_F(FetchStore, JournaledPiecesCountOnlyIfTheirBytesStillVerify) {
    const auto source = test::make_source(4 * piece, 7);
    {
        auto store = open_store();
        auto entry = *store->open_for_fetching("f", source.encoded, false);
        ASSERT_FALSE(store->write_piece(*entry, 0, source.piece(0)));
        ASSERT_FALSE(store->checkpoint(*entry));
        // Written and journaled after the checkpoint: the state file does not know them.
        ASSERT_FALSE(store->write_piece(*entry, 1, source.piece(1)));
        ASSERT_FALSE(store->write_piece(*entry, 3, source.piece(3)));
    }
    // As after a power cut: piece 3's bytes never reached the disk.
    {
        const int fd = ::open((root() / "f.xfer-part").c_str(), O_WRONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0);
        const std::vector<uint8_t> zeros(100, 0);
        ASSERT_EQ(::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(3 * piece + 5)), 100);
        ::close(fd);
    }
    {
        auto store = open_store();
        auto entry = store->open_for_fetching("f", source.encoded, false);
        ASSERT_TRUE(entry) << entry.error().message();
        EXPECT_EQ(had_pieces(**entry), (std::vector<uint32_t>{0, 1}));
    }
    // The re-check was made durable: a third start sees the same without the journal.
    auto store = open_store();
    auto entry = *store->open_for_fetching("f", source.encoded, false);
    EXPECT_EQ(had_pieces(*entry), (std::vector<uint32_t>{0, 1}));
    for (const uint32_t index : {2u, 3u})
        ASSERT_FALSE(store->write_piece(*entry, index, source.piece(index)));
    ASSERT_FALSE(store->finalize(*entry));
    EXPECT_EQ(box_.read("store/f"), source.bytes);
}

// The fetch loop's checkpoint runs in two halves: the flush and state on another thread with the
// bits of before, while the loop records more pieces; then the journal keeps only those.
TEST_F(FetchStore, ACheckpointInTwoHalvesKeepsPiecesWrittenMeanwhileInTheJournal) {
    const auto source = test::make_source(12 * piece, 3);
    {
        auto store = open_store();
        auto entry = *store->open_for_fetching("f", source.encoded, false);
        for (const uint32_t index : {0u, 9u})
            ASSERT_FALSE(store->write_piece(*entry, index, source.piece(index)));
        const auto had = entry->have.to_bytes();
        for (const uint32_t index : {3u, 10u})
            ASSERT_FALSE(store->write_piece(*entry, index, source.piece(index)));
        ASSERT_FALSE(store->checkpoint_bits(*entry, had));
        ASSERT_FALSE(store->trim_journal(*entry, had));
        EXPECT_EQ(piece_journal::read(entry->journal_path, 12), (std::vector<uint32_t>{3, 10}))
            << "the journal holds what the state does not";
        const auto state = decode_resume_state(*read_resume_state_file(entry->state_path));
        ASSERT_TRUE(state) << state.error().message();
        EXPECT_EQ(state->bitfield, had) << "the state holds what was had before the flush";
        ASSERT_FALSE(store->write_piece(*entry, 5, source.piece(5)));  // journaled after the trim
    }
    auto store = open_store();
    auto entry = store->open_for_fetching("f", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ(had_pieces(**entry), (std::vector<uint32_t>{0, 3, 5, 9, 10}))
        << "a restart has every piece, from the state or the journal";
}

TEST_F(FetchStore, APartFileOfAnotherVersionIsDiscarded) {
    const auto old_version = test::make_source(3 * piece, 8);
    const auto new_version = test::make_source(2 * piece + 5, 9);
    {
        auto store = open_store();
        auto entry = *store->open_for_fetching("doc", old_version.encoded, false);
        ASSERT_FALSE(store->write_piece(*entry, 0, old_version.piece(0)));
        ASSERT_FALSE(store->write_piece(*entry, 1, old_version.piece(1)));
        ASSERT_FALSE(store->checkpoint(*entry));
        ASSERT_FALSE(store->write_piece(*entry, 2, old_version.piece(2)));  // journaled
    }
    auto store = open_store();
    auto entry = store->open_for_fetching("doc", new_version.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ((*entry)->have.count(), 0u);
    EXPECT_EQ(std::filesystem::file_size(root() / "doc.xfer-part"), new_version.bytes.size());
    for (uint32_t index = 0; index < 3; ++index) {
        ASSERT_FALSE(store->write_piece(**entry, index, new_version.piece(index)));
    }
    ASSERT_FALSE(store->finalize(**entry));
    EXPECT_EQ(box_.read("store/doc"), new_version.bytes);
}

TEST_F(FetchStore, ATruncatedPartFileStartsOver) {
    const auto source = test::make_source(2 * piece, 10);
    {
        auto store = open_store();
        auto entry = *store->open_for_fetching("f", source.encoded, false);
        ASSERT_FALSE(store->write_piece(*entry, 0, source.piece(0)));
        ASSERT_FALSE(store->checkpoint(*entry));
    }
    std::filesystem::resize_file(root() / "f.xfer-part", 10);
    auto store = open_store();
    auto entry = *store->open_for_fetching("f", source.encoded, false);
    EXPECT_EQ(entry->have.count(), 0u) << "bytes of a truncated part file mean nothing";
    EXPECT_EQ(std::filesystem::file_size(root() / "f.xfer-part"), source.bytes.size());
}

TEST_F(FetchStore, ACorruptStateFileStartsOver) {
    const auto source = test::make_source(2 * piece, 11);
    {
        auto store = open_store();
        auto entry = *store->open_for_fetching("f", source.encoded, false);
        ASSERT_FALSE(store->write_piece(*entry, 0, source.piece(0)));
        ASSERT_FALSE(store->checkpoint(*entry));
    }
    for (const auto& path : partial_metadata()) {
        if (path.extension() == ".state")
            std::filesystem::resize_file(path, std::filesystem::file_size(path) - 1);
    }
    auto store = open_store();
    auto entry = store->open_for_fetching("f", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ((*entry)->have.count(), 0u);
}

TEST_F(FetchStore, StateFileHoldsWhatWasCheckpointed) {
    const auto source = test::make_source(10 * piece, 12);
    auto store = open_store();
    auto entry = *store->open_for_fetching("dir-less-name", source.encoded, false);
    for (const uint32_t index : {1u, 8u, 9u})
        ASSERT_FALSE(store->write_piece(*entry, index, source.piece(index)));
    ASSERT_FALSE(store->checkpoint(*entry));
    const auto bytes = read_small_file(entry->state_path, 1 << 20);
    ASSERT_TRUE(bytes);
    const auto state = decode_resume_state(*bytes);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->path, "dir-less-name");
    EXPECT_EQ(state->encoded_manifest, source.encoded);
    EXPECT_EQ(state->bitfield, (std::vector<uint8_t>{0x40, 0xc0}));
    EXPECT_TRUE(piece_journal::read(entry->journal_path, 10).empty())
        << "a checkpoint empties the journal";
    ASSERT_FALSE(store->write_piece(*entry, 4, source.piece(4)));
    EXPECT_EQ(piece_journal::read(entry->journal_path, 10), (std::vector<uint32_t>{4}));
}

TEST_F(FetchStore, AnExistingFileOfOtherContentIsKeptUnlessOverwriting) {
    const auto source = test::make_source(piece + 1, 13);
    const auto other = test::pseudo_random_bytes(500, 99);
    box_.write("store/target", other);
    auto store = open_store();
    const auto refused = store->open_for_fetching("target", source.encoded, false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), std::errc::file_exists);
    EXPECT_EQ(box_.read("store/target"), other);
    EXPECT_FALSE(std::filesystem::exists(root() / "target.xfer-part"));

    auto entry = store->open_for_fetching("target", source.encoded, true);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ(box_.read("store/target"), other) << "replaced only when the new one is complete";
    for (uint32_t index = 0; index < 2; ++index)
        ASSERT_FALSE(store->write_piece(**entry, index, source.piece(index)));
    ASSERT_FALSE(store->finalize(**entry));
    EXPECT_EQ(box_.read("store/target"), source.bytes);
}

TEST_F(FetchStore, AnExistingFileOfTheSameContentIsAlreadyComplete) {
    const auto source = test::make_source(2 * piece + 3, 14);
    box_.write("store/same", source.bytes);
    auto store = open_store();
    const auto entry = store->open_for_fetching("same", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ((*entry)->id, source.id);
    EXPECT_TRUE((*entry)->complete);
    EXPECT_TRUE((*entry)->have.all());
    EXPECT_FALSE(std::filesystem::exists(root() / "same.xfer-part"));
    EXPECT_TRUE(partial_metadata().empty());
}

TEST_F(FetchStore, ADirectoryInTheWayIsReportedBeforeAnythingIsFetched) {
    // Otherwise the whole file would be fetched only for the final rename to fail.
    const auto source = test::make_source(100, 17);
    std::filesystem::create_directories(root() / "taken");
    auto store = open_store();
    for (const bool overwrite : {false, true}) {
        const auto entry = store->open_for_fetching("taken", source.encoded, overwrite);
        ASSERT_FALSE(entry) << "overwrite " << overwrite;
        EXPECT_EQ(entry.error(), std::errc::is_a_directory);
    }
    EXPECT_FALSE(std::filesystem::exists(root() / "taken.xfer-part"));
    EXPECT_TRUE(partial_metadata().empty());
}

TEST_F(FetchStore, FetchingIntoASubdirectory) {
    const auto source = test::make_source(100, 15);
    std::filesystem::create_directories(root() / "sub");
    auto store = open_store();
    auto entry = store->open_for_fetching("sub//./x", source.encoded, false);
    ASSERT_TRUE(entry) << entry.error().message();
    EXPECT_EQ((*entry)->path, "sub/x");
    ASSERT_FALSE(store->write_piece(**entry, 0, source.piece(0)));
    ASSERT_FALSE(store->finalize(**entry));
    EXPECT_EQ(box_.read("store/sub/x"), source.bytes);
}

TEST_F(FetchStore, APartFileNameLinkedOutOfTheRootIsRefused) {
    const auto source = test::make_source(100, 16);
    auto store = open_store();
    std::filesystem::create_symlink("../outside", root() / "f.xfer-part");
    const auto entry = store->open_for_fetching("f", source.encoded, false);
    ASSERT_FALSE(entry);
    EXPECT_EQ(entry.error(), errc::path_escapes_root);
    EXPECT_FALSE(box_.exists("outside"));
}

}  // namespace
}  // namespace xfer
