// Pieces that span files: where every byte of every piece lies, on the edge cases (empty files,
// a file ending exactly on a piece boundary, one file over many pieces, thousands of tiny files in
// one piece), checked against a byte-by-byte model of the concatenation.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shared/tree/piece_layout.hpp"
#include "tests/shared/tree_fixture.hpp"

namespace xfer::tree {
namespace {

using test::dir;
using test::file;
using test::link;
using test::make_tree;

constexpr uint32_t piece = 256 * 1024;

// The reference: for every piece, the segments found by walking the files one at a time.
std::vector<std::vector<segment>> model(const tree_manifest& m) {
    std::vector<std::vector<segment>> pieces(m.piece_count());
    uint64_t position = 0;
    for (uint32_t index = 0; index < m.entries.size(); ++index) {
        const auto& e = m.entries[index];
        if (e.kind != entry_kind::file) continue;
        uint64_t offset = 0;
        while (offset < e.size) {
            const auto piece_index = static_cast<uint32_t>(position / m.piece_size);
            const uint64_t room = (uint64_t{piece_index} + 1) * m.piece_size - position;
            const auto length = static_cast<uint32_t>(std::min(room, e.size - offset));
            pieces[piece_index].push_back({index, offset, length});
            offset += length;
            position += length;
        }
    }
    return pieces;
}

void expect_matches_model(const tree_manifest& m) {
    const piece_layout layout(m);
    const auto expected = model(m);
    ASSERT_EQ(layout.piece_count(), expected.size());
    std::vector<segment> got;
    uint64_t covered = 0;
    for (uint32_t p = 0; p < layout.piece_count(); ++p) {
        layout.segments_of(p, got);
        EXPECT_EQ(got, expected[p]) << "piece " << p;
        uint64_t length = 0;
        for (const auto& s : got) length += s.length;
        EXPECT_EQ(length, layout.piece_length(p));
        EXPECT_EQ(layout.piece_offset(p), covered);
        covered += length;
    }
    EXPECT_EQ(covered, m.total_file_bytes());
    // pieces_of_entry agrees with where the segments put each file.
    for (uint32_t index = 0; index < m.entries.size(); ++index) {
        uint32_t first = UINT32_MAX, last = 0;
        for (uint32_t p = 0; p < expected.size(); ++p) {
            for (const auto& s : expected[p]) {
                if (s.entry_index == index) first = std::min(first, p), last = p;
            }
        }
        const auto range = layout.pieces_of_entry(index);
        if (first == UINT32_MAX) {
            EXPECT_EQ(range, (std::pair<uint32_t, uint32_t>{0, 0})) << m.entries[index].path;
        } else {
            EXPECT_EQ(range, (std::pair<uint32_t, uint32_t>{first, last + 1}))
                << m.entries[index].path;
        }
    }
}

TEST(TreePieceLayout, EmptyFilesDirectoriesAndSymlinksNeverAppear) {
    const auto m = make_tree({file("a", 0), dir("d"), file("d/b", 10), file("d/c", 0),
                              link("d/l", "b"), file("e", 5), file("z", 0)});
    expect_matches_model(m);
    const piece_layout layout(m);
    std::vector<segment> got;
    layout.segments_of(0, got);
    EXPECT_EQ(got, (std::vector<segment>{{2, 0, 10}, {5, 0, 5}}));
    EXPECT_EQ(layout.pieces_of_entry(0), (std::pair<uint32_t, uint32_t>{0, 0}));
}

TEST(TreePieceLayout, FileEndingExactlyOnAPieceBoundary) {
    const auto m = make_tree({file("a", piece), file("b", piece), file("c", 1)});
    expect_matches_model(m);
    const piece_layout layout(m);
    std::vector<segment> got;
    layout.segments_of(1, got);
    EXPECT_EQ(got, (std::vector<segment>{{1, 0, piece}}));
    EXPECT_EQ(layout.pieces_of_entry(1), (std::pair<uint32_t, uint32_t>{1, 2}));
    EXPECT_EQ(layout.piece_length(2), 1u);
}

TEST(TreePieceLayout, OneFileOverManyPiecesBetweenSmallOnes) {
    const auto m = make_tree({file("a", 100), file("big", 10 * uint64_t{piece} + 7), file("c", 9)});
    expect_matches_model(m);
    const piece_layout layout(m);
    EXPECT_EQ(layout.piece_count(), 11u);
    EXPECT_EQ(layout.pieces_of_entry(1), (std::pair<uint32_t, uint32_t>{0, 11}));
    std::vector<segment> got;
    layout.segments_of(5, got);
    EXPECT_EQ(got, (std::vector<segment>{{1, 5 * uint64_t{piece} - 100, piece}}));
}

TEST(TreePieceLayout, ThousandsOfTinyFilesPerPiece) {
    std::vector<entry> entries{dir("d")};
    for (int i = 0; i < 5000; ++i) entries.push_back(file("d/f" + std::to_string(10000 + i), 100));
    const auto m = make_tree(std::move(entries));
    expect_matches_model(m);
    const piece_layout layout(m);
    std::vector<segment> got;
    layout.segments_of(0, got);
    EXPECT_EQ(got.size(), 2622u);  // 2621 whole files and 44 bytes of the next
    EXPECT_EQ(got.back(), (segment{2622, 0, 44}));
    layout.segments_of(1, got);
    EXPECT_EQ(got.front(), (segment{2622, 44, 56}));
}

TEST(TreePieceLayout, NoFilesNoPieces) {
    const auto m = make_tree({dir("d"), file("d/empty", 0)});
    const piece_layout layout(m);
    EXPECT_EQ(layout.piece_count(), 0u);
    std::vector<segment> got{{1, 2, 3}};
    layout.segments_of(0, got);
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(layout.piece_length(0), 0u);
}

// A sender reads a block of many files a part at a time: each part ends where the
// segments say its last file's bytes end, and the parts cover the block exactly.
TEST(TreePieceLayout, BytesInFilesCutsABlockAtFileEnds) {
    std::vector<entry> entries{dir("d")};
    for (int i = 0; i < 5000; ++i) entries.push_back(file("d/f" + std::to_string(10000 + i), 100));
    const auto m = make_tree(std::move(entries));
    const piece_layout layout(m);
    EXPECT_EQ(layout.bytes_in_files(0, 0, piece, 1), 100u);
    EXPECT_EQ(layout.bytes_in_files(0, 0, piece, 256), 25'600u);
    EXPECT_EQ(layout.bytes_in_files(0, 150, piece, 2), 150u) << "the rest of file 2, then file 3";
    EXPECT_EQ(layout.bytes_in_files(0, 0, 1000, 256), 1000u) << "never past the asked length";
    EXPECT_EQ(layout.bytes_in_files(0, 0, piece, 0), 100u) << "at least one file's part";
    EXPECT_EQ(layout.bytes_in_files(1, 0, piece, 1), 56u) << "a file begun in the piece before";
    EXPECT_EQ(layout.bytes_in_files(1, piece, piece, 1), 0u) << "past the piece's end";
    // Parts of at most 7 files cover each piece exactly.
    for (uint32_t p = 0; p < layout.piece_count(); ++p) {
        uint32_t offset = 0;
        size_t parts = 0;
        while (offset < layout.piece_length(p)) {
            const uint32_t part = layout.bytes_in_files(p, offset, piece - offset, 7);
            ASSERT_GT(part, 0u);
            offset += part;
            ++parts;
        }
        EXPECT_EQ(offset, layout.piece_length(p));
        EXPECT_LE(parts, layout.piece_length(p) / 700 + 2) << "piece " << p;
    }
    const auto big = make_tree({file("a", 10), file("big", 3 * uint64_t{piece})});
    EXPECT_EQ(piece_layout(big).bytes_in_files(1, 0, piece, 256), piece) << "one file, one part";
}

// Starts past 4 GiB: the layout keeps their low 32 bits a file and the high bits as runs.
TEST(TreePieceLayout, FilesPastFourGibibytes) {
    constexpr uint64_t gib = uint64_t{1} << 30;
    const auto m = make_tree({file("a", 3 * gib + 5), file("b", 1), file("c", 2 * gib),
                              file("d", 4 * gib + 3), dir("e"), file("e/f", 7), file("e/g", 1)},
                             64 * 1024 * 1024);
    expect_matches_model(m);
    const piece_layout layout(m);
    EXPECT_EQ(layout.total_bytes(), 9 * gib + 17);
    std::vector<segment> got;
    layout.segments_of(layout.piece_count() - 1, got);
    EXPECT_EQ(got.back(), (segment{6, 0, 1}));
    EXPECT_EQ(layout.pieces_of_entry(3), (std::pair<uint32_t, uint32_t>{80, 145}));
}

// Directories, empty files and symlinks between the files break the runs of consecutive entries.
TEST(TreePieceLayout, FilesBetweenOtherEntries) {
    std::vector<entry> entries;
    for (int i = 0; i < 300; ++i) {
        const auto d = "d" + std::to_string(1000 + i);
        entries.push_back(dir(d));
        entries.push_back(file(d + "/a", 1000 + i));
        entries.push_back(file(d + "/b", 0));
        entries.push_back(file(d + "/c", 3));
        entries.push_back(link(d + "/l", "a"));
    }
    expect_matches_model(make_tree(std::move(entries), 16 * 1024));
}

// About 4 bytes a file for files in directories (it was 12: issue 11's 1,000,000-file trees).
TEST(TreePieceLayout, AboutFourBytesPerFile) {
    std::vector<entry> entries;
    for (int d = 0; d < 100; ++d) {
        const auto name = "d" + std::to_string(100 + d);
        entries.push_back(dir(name));
        for (int f = 0; f < 999; ++f) entries.push_back(file(name + "/" + std::to_string(f), 1));
    }
    const piece_layout layout(make_tree(std::move(entries)));
    EXPECT_LE(layout.bytes_used(), 99'900 * 4 + 100 * 8 + 64);
}

}  // namespace
}  // namespace xfer::tree
