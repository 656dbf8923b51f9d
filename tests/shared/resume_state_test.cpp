// Resume state and piece journal: a checkpoint either decodes exactly or is state_corrupt, and
// the journal keeps whole in-range entries only.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "shared/core/error.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/manifest/manifest.hpp"
#include "shared/store/resume_state.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/frame.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer {
namespace {

std::vector<uint8_t> manifest_bytes(uint32_t pieces) {
    manifest m;
    m.file_size = uint64_t{pieces} * min_piece_size - (pieces > 0 ? 3 : 0);
    m.piece_hashes.resize(pieces);
    for (uint32_t piece = 0; piece < pieces; ++piece)
        m.piece_hashes[piece].fill(static_cast<uint8_t>(piece));
    return encode_manifest(m);
}

resume_state sample_state() {
    return {"dir/movie.mkv", manifest_bytes(10), {0xa5, 0x40}};
}

// A state file built by hand with a correct checksum, so the checks behind it are reached.
std::vector<uint8_t> raw_state(std::string_view magic, uint8_t version, std::string_view path,
                               const std::vector<uint8_t>& manifest,
                               const std::vector<uint8_t>& bits) {
    std::vector<uint8_t> out;
    wire::byte_writer w(out);
    w.bytes(magic);
    w.u8(version);
    w.string16(path);
    w.u32(static_cast<uint32_t>(manifest.size()));
    w.bytes(manifest);
    w.bytes(bits);
    const auto checksum = sha256(out);
    w.bytes(checksum);
    return out;
}

void expect_corrupt(const std::vector<uint8_t>& bytes, const std::string& why) {
    const auto decoded = decode_resume_state(bytes);
    ASSERT_FALSE(decoded) << why;
    EXPECT_EQ(decoded.error(), errc::state_corrupt) << why;
}

TEST(ResumeState, RoundTrips) {
    for (const auto& state :
         {sample_state(), resume_state{"a", manifest_bytes(0), {}},
          resume_state{std::string(4096, 'p'), manifest_bytes(9), {0xff, 0x80}}}) {
        const auto decoded = decode_resume_state(encode_resume_state(state));
        ASSERT_TRUE(decoded) << decoded.error().message();
        EXPECT_EQ(decoded->path, state.path);
        EXPECT_EQ(decoded->encoded_manifest, state.encoded_manifest);
        EXPECT_EQ(decoded->bitfield, state.bitfield);
    }
}

TEST(ResumeState, LayoutMatchesTheHeaderComment) {
    const auto state = sample_state();
    EXPECT_EQ(encode_resume_state(state),
              raw_state("XFST", 1, state.path, state.encoded_manifest, state.bitfield));
}

// The checkpoint written from its parts (no buffer of its size) is the encoded state, and its
// view decodes the same fields without a copy.
TEST(ResumeState, WrittenFromItsPartsItIsTheEncodedStateAndItsViewDecodesIt) {
    test::sandbox box;
    for (const auto& state : {sample_state(), resume_state{"a", manifest_bytes(0), {}}}) {
        const auto file = box / "KEY.state";
        ASSERT_FALSE(write_resume_state(file, state.path, state.encoded_manifest, state.bitfield));
        const auto bytes = box.read("KEY.state");
        EXPECT_EQ(bytes, encode_resume_state(state));
        const auto view = view_resume_state(bytes);
        ASSERT_TRUE(view) << view.error().message();
        EXPECT_EQ(view->path, state.path);
        EXPECT_TRUE(std::ranges::equal(view->encoded_manifest, state.encoded_manifest));
        EXPECT_TRUE(std::ranges::equal(view->bitfield, state.bitfield));
        EXPECT_EQ(view->encoded_manifest.data(), bytes.data() + 4 + 1 + 2 + state.path.size() + 4);
    }
    auto bad = encode_resume_state(sample_state());
    bad[10] ^= 1;
    ASSERT_FALSE(view_resume_state(bad));
    EXPECT_EQ(view_resume_state(bad).error(), errc::state_corrupt);
}

TEST(ResumeState, AStateLargerThan8MiBIsReadWholeAndOneBeyondAnyManifestIsNot) {
    // A 1,000,000-entry tree's state is ~10 MB (its manifest). An 8 MiB read limit refused it,
    // so such a partial tree could not be served by another process. Reading does not decode:
    // the size is what is under test here.
    test::sandbox box;
    std::vector<uint8_t> state(10 * 1024 * 1024);
    for (size_t i = 0; i < state.size(); ++i) state[i] = static_cast<uint8_t>(i * 7);
    const auto file = box.write("TREE.state", state);
    const auto bytes = read_resume_state_file(file);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, state);

    // A file beyond the largest state there can be is not read at all.
    const auto huge = box / "HUGE.state";
    {
        std::ofstream out(huge, std::ios::binary);
        out.seekp(static_cast<std::streamoff>(wire::max_manifest_bytes) + 2 * 1024 * 1024);
        out.put('x');
    }
    EXPECT_FALSE(read_resume_state_file(huge));
    EXPECT_FALSE(read_resume_state_file(box / "missing.state"));
}

TEST(ResumeState, EveryFlippedByteIsCorrupt) {
    const auto good = encode_resume_state(sample_state());
    for (size_t position = 0; position < good.size(); ++position) {
        for (const uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
            auto bad = good;
            bad[position] ^= mask;
            expect_corrupt(bad, "byte " + std::to_string(position));
        }
    }
}

TEST(ResumeState, EveryTruncationAndExtensionIsCorrupt) {
    const auto good = encode_resume_state(sample_state());
    for (size_t length = 0; length < good.size(); ++length) {
        expect_corrupt({good.begin(), good.begin() + static_cast<long>(length)},
                       "cut to " + std::to_string(length));
    }
    auto longer = good;
    longer.push_back(0);
    expect_corrupt(longer, "a trailing byte");
}

TEST(ResumeState, ConsistentChecksumButWrongContentIsCorrupt) {
    const auto m = manifest_bytes(10);
    EXPECT_TRUE(decode_resume_state(raw_state("XFST", 1, "a", m, {0, 0})));
    expect_corrupt(raw_state("XFSX", 1, "a", m, {0, 0}), "magic");
    expect_corrupt(raw_state("XFST", 2, "a", m, {0, 0}), "version");
    expect_corrupt(raw_state("XFST", 1, "a", m, {0}), "bitfield one byte short of 10 pieces");
    expect_corrupt(raw_state("XFST", 1, "a", m, {0, 0, 0}), "bitfield one byte long");
    auto bad_manifest = m;
    bad_manifest[4] = 9;  // manifest version
    expect_corrupt(raw_state("XFST", 1, "a", bad_manifest, {0, 0}),
                   "manifest that does not decode");
    expect_corrupt(raw_state("XFST", 1, std::string(4097, 'p'), m, {0, 0}), "path over the limit");
    // A manifest length running past the end.
    auto overlong = raw_state("XFST", 1, "a", m, {0, 0});
    overlong[4 + 1 + 2 + 1] = 0xff;  // top byte of manifest_len
    const auto body = std::span<const uint8_t>(overlong).first(overlong.size() - 32);
    const auto checksum = sha256(body);
    std::copy(checksum.begin(), checksum.end(), overlong.end() - 32);
    expect_corrupt(overlong, "manifest length past the end");
}

TEST(PieceJournal, AppendsAndReadsBack) {
    test::sandbox box;
    piece_journal journal;
    ASSERT_FALSE(journal.open(box / "j"));
    for (const uint32_t piece : {3u, 0u, 9u, 3u}) ASSERT_FALSE(journal.append(piece));
    EXPECT_EQ(piece_journal::read(box / "j", 10), (std::vector<uint32_t>{3, 0, 9, 3}));
    EXPECT_EQ(box.read("j"), (std::vector<uint8_t>{0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3}))
        << "u32 big-endian entries";
    ASSERT_FALSE(journal.clear());
    EXPECT_TRUE(piece_journal::read(box / "j", 10).empty());
    ASSERT_FALSE(journal.append(5));
    EXPECT_EQ(piece_journal::read(box / "j", 10), (std::vector<uint32_t>{5}))
        << "appends after a clear start at 0";
}

TEST(PieceJournal, ReplaceKeepsExactlyTheGivenPiecesAndAppendsAfterThem) {
    test::sandbox box;
    piece_journal journal;
    ASSERT_FALSE(journal.open(box / "j"));
    for (const uint32_t piece : {1u, 2u, 7u}) ASSERT_FALSE(journal.append(piece));
    const std::vector<uint32_t> kept = {7, 4};
    ASSERT_FALSE(journal.replace(box / "j", kept));
    EXPECT_EQ(piece_journal::read(box / "j", 10), kept);
    ASSERT_FALSE(journal.append(8));
    EXPECT_EQ(piece_journal::read(box / "j", 10), (std::vector<uint32_t>{7, 4, 8}))
        << "appends go to the new journal, after what it kept";
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(box.path()),
                            std::filesystem::directory_iterator{}),
              1)
        << "no temporary left beside it";
}

TEST(PieceJournal, TornTailIsIgnored) {
    test::sandbox box;
    for (size_t torn = 1; torn < 4; ++torn) {
        std::vector<uint8_t> bytes = {0, 0, 0, 1, 0, 0, 0, 2};
        bytes.insert(bytes.end(), torn, 0);
        box.write("j", bytes);
        EXPECT_EQ(piece_journal::read(box / "j", 10), (std::vector<uint32_t>{1, 2}))
            << torn << " torn bytes";
    }
}

TEST(PieceJournal, OutOfRangeEntriesAreDropped) {
    test::sandbox box;
    box.write("j",
              std::vector<uint8_t>{0, 0, 0, 9, 0, 0, 0, 10, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0});
    EXPECT_EQ(piece_journal::read(box / "j", 10), (std::vector<uint32_t>{9, 0}));
    EXPECT_TRUE(piece_journal::read(box / "j", 0).empty());
}

TEST(PieceJournal, MissingJournalIsEmpty) {
    test::sandbox box;
    EXPECT_TRUE(piece_journal::read(box / "none", 10).empty());
    piece_journal journal;
    EXPECT_TRUE(journal.open(box / "no-such-dir" / "j"))
        << "opening where it cannot be created fails";
}

}  // namespace
}  // namespace xfer
