// The receiver's partial manifest: a head and the hashes after it, in order, from one source or
// several; everything out of order, repeated, too many or disagreeing is refused, and the
// content id is checked once the last hash is in.
#include <gtest/gtest.h>

#include <algorithm>

#include "shared/core/error.hpp"
#include "shared/manifest/manifest_stream.hpp"
#include "shared/tree/tree_manifest.hpp"
#include "tests/shared/tree_fixture.hpp"

namespace xfer {
namespace {

constexpr uint32_t pieces = 5;

manifest five_pieces() {
    manifest m;
    m.piece_size = min_piece_size;
    m.file_size = uint64_t{pieces - 1} * min_piece_size + 1000;
    m.piece_hashes.resize(pieces);
    for (uint32_t piece = 0; piece < pieces; ++piece) m.piece_hashes[piece].fill(0x10 + piece);
    return m;
}

std::vector<sha256_digest> hashes_of(const manifest& m, uint32_t first, uint32_t count) {
    return {m.piece_hashes.begin() + first, m.piece_hashes.begin() + first + count};
}

manifest_assembly head_of(const manifest& m, uint32_t known) {
    auto assembly = manifest_assembly::from_head(manifest_prefix(encode_manifest(m), known), known);
    EXPECT_TRUE(assembly) << assembly.error().message();
    return std::move(*assembly);
}

TEST(ManifestStream, AHeadThenHashesInOrderMakeTheManifestAndItsContentId) {
    const auto m = five_pieces();
    auto assembly = head_of(m, 2);
    EXPECT_EQ(assembly.piece_count(), pieces);
    EXPECT_EQ(assembly.known(), 2u);
    EXPECT_EQ(assembly.geometry().file_size, m.file_size);
    EXPECT_EQ(assembly.hash(1), m.piece_hashes[1]);
    EXPECT_FALSE(assembly.complete());
    uint32_t next = 2;
    ASSERT_FALSE(assembly.add(next, 2, hashes_of(m, 2, 2)));
    EXPECT_EQ(next, 4u);
    EXPECT_FALSE(assembly.complete());
    EXPECT_EQ(assembly.check_root(std::nullopt), make_error_code(errc::manifest_stream_invalid));
    ASSERT_FALSE(assembly.add(next, 4, hashes_of(m, 4, 1)));
    ASSERT_TRUE(assembly.complete());
    EXPECT_EQ(assembly.encoding(), encode_manifest(m));
    EXPECT_EQ(assembly.id(), content_id_of(encode_manifest(m)));
    EXPECT_FALSE(assembly.check_root(content_id_of(encode_manifest(m))));
}

TEST(ManifestStream, HashesOutOfOrderTwiceOrPastTheCountAreRefused) {
    const auto m = five_pieces();
    auto assembly = head_of(m, 1);
    uint32_t next = 1;
    const auto invalid = make_error_code(errc::manifest_stream_invalid);
    EXPECT_EQ(assembly.add(next, 2, hashes_of(m, 2, 1)), invalid);  // a gap
    EXPECT_EQ(assembly.add(next, 0, hashes_of(m, 0, 1)), invalid);  // sent twice
    EXPECT_EQ(assembly.add(next, 1, {}), invalid);
    EXPECT_EQ(assembly.add(next, 1, std::vector<sha256_digest>(5)), invalid);  // 1 + 5 > 5
    EXPECT_EQ(next, 1u);
    EXPECT_EQ(assembly.known(), 1u);
    ASSERT_FALSE(assembly.add(next, 1, hashes_of(m, 1, 4)));
    EXPECT_EQ(assembly.add(next, 5, hashes_of(m, 0, 1)), invalid);  // one too many
}

TEST(ManifestStream, AHeadIsRefusedWhenItsCountsDoNotFit) {
    const auto m = five_pieces();
    const auto full = encode_manifest(m);
    // known must leave something to stream, and must match the hashes present.
    EXPECT_FALSE(manifest_assembly::from_head(full, pieces));
    EXPECT_FALSE(manifest_assembly::from_head(manifest_prefix(full, 2), 3));
    EXPECT_FALSE(manifest_assembly::from_head(manifest_prefix(full, 3), 2));
    EXPECT_FALSE(manifest_assembly::from_head({full.begin(), full.begin() + 10}, 0));
    // A head that claims more pieces than any manifest may hold.
    auto huge = manifest_prefix(full, 0);
    huge[17] = 0xff;
    EXPECT_EQ(manifest_assembly::from_head(huge, 0).error(),
              make_error_code(errc::manifest_stream_invalid));
    // The header itself is judged as in a complete manifest: piece count and size disagree.
    auto wrong = manifest_prefix(full, 1);
    wrong[20] = 9;
    EXPECT_EQ(manifest_assembly::from_head(wrong, 1).error(),
              make_error_code(errc::manifest_invalid));
}

TEST(ManifestStream, ARootThatIsNotTheContentAskedForIsRefused) {
    const auto m = five_pieces();
    auto lying = m;
    lying.piece_hashes[3].fill(0xee);  // consistent with its own data, not the content asked for
    auto assembly = head_of(lying, 0);
    uint32_t next = 0;
    ASSERT_FALSE(assembly.add(next, 0, hashes_of(lying, 0, pieces)));
    EXPECT_EQ(assembly.check_root(content_id_of(encode_manifest(m))),
              make_error_code(errc::manifest_root_mismatch));
    EXPECT_FALSE(assembly.check_root(std::nullopt));  // by path: whatever it is, it is consistent
}

TEST(ManifestStream, SourcesThatAgreeExtendOneManifestAndOneThatDisagreesChangesNothing) {
    const auto m = five_pieces();
    auto assembly = head_of(m, 1);
    uint32_t first_source = 1;
    // A second source, further along: its head agrees and takes the manifest to 3 hashes.
    uint32_t second_source = 0;
    ASSERT_FALSE(assembly.agree(manifest_prefix(encode_manifest(m), 3), 3, second_source));
    EXPECT_EQ(second_source, 3u);
    EXPECT_EQ(assembly.known(), 3u);
    // The first source catches up with hashes the fetch has already: they must be the same.
    ASSERT_FALSE(assembly.add(first_source, 1, hashes_of(m, 1, 3)));
    EXPECT_EQ(assembly.known(), 4u);
    // A third source with another content: a different hash for a known piece.
    auto other = m;
    other.piece_hashes[2].fill(0x77);
    uint32_t third_source = 0;
    EXPECT_EQ(assembly.agree(manifest_prefix(encode_manifest(other), 3), 3, third_source),
              make_error_code(errc::content_mismatch));
    EXPECT_EQ(assembly.hash(2), m.piece_hashes[2]);
    // Or another geometry altogether.
    auto longer = m;
    longer.file_size += 1;
    EXPECT_EQ(assembly.agree(manifest_prefix(encode_manifest(longer), 0), 0, third_source),
              make_error_code(errc::content_mismatch));
    // A complete MANIFEST from a fourth source completes it.
    uint32_t fourth_source = 0;
    ASSERT_FALSE(assembly.agree(encode_manifest(m), pieces, fourth_source));
    EXPECT_TRUE(assembly.complete());
    EXPECT_EQ(assembly.id(), content_id_of(encode_manifest(m)));
}

TEST(ManifestStream, ATreeHeadKeepsItsEntriesAndEveryTreeRule) {
    using namespace tree::test;
    auto t = make_tree({dir("d"), file("d/a", 300'000), file("d/b", 400'000)});
    t.piece_size = min_piece_size;
    t.piece_hashes.resize(t.piece_count());
    for (uint32_t piece = 0; piece < t.piece_count(); ++piece) t.piece_hashes[piece].fill(piece);
    const auto full = tree::encode_tree_manifest(t);
    auto assembly = manifest_assembly::from_head(manifest_prefix(full, 1), 1);
    ASSERT_TRUE(assembly) << assembly.error().message();
    EXPECT_TRUE(assembly->is_tree());
    EXPECT_EQ(assembly->geometry().file_size, 700'000u);
    uint32_t next = 1;
    ASSERT_FALSE(assembly->add(next, 1, {t.piece_hashes.begin() + 1, t.piece_hashes.end()}));
    EXPECT_EQ(assembly->encoding(), full);
    // An entry that escapes the tree is refused in a head as in a complete manifest.
    auto hostile = t;
    hostile.entries.push_back({"d/../../x", tree::entry_kind::file, 0644, 0, 0, {}});
    const auto bad = tree::encode_tree_manifest(hostile);
    EXPECT_FALSE(manifest_assembly::from_head(manifest_prefix(bad, 0), 0));
}

// Once the store holds the complete encoding the fetch holds none (issue 11): later sources
// are still judged, by the content id, the digest of the header and the hashes.
TEST(ManifestStream, AReleasedEncodingStillJudgesEveryLaterSource) {
    using namespace tree::test;
    auto t = make_tree({dir("d"), file("d/a", 300'000), file("d/b", 400'000)});
    t.piece_size = min_piece_size;
    t.piece_hashes.resize(t.piece_count());
    for (uint32_t piece = 0; piece < t.piece_count(); ++piece) t.piece_hashes[piece].fill(piece);
    const auto full = tree::encode_tree_manifest(t);
    auto assembly = manifest_assembly::from_complete(full);
    ASSERT_TRUE(assembly) << assembly.error().message();
    EXPECT_EQ(assembly->take_encoding(), full);
    EXPECT_TRUE(assembly->released());
    EXPECT_TRUE(assembly->take_encoding().empty());  // once
    EXPECT_TRUE(assembly->encoding().empty());
    EXPECT_EQ(assembly->encoding().capacity(), 0u);
    EXPECT_EQ(assembly->id(), content_id_of(full));
    EXPECT_TRUE(assembly->is_tree());
    EXPECT_FALSE(assembly->check_root(content_id_of(full)));
    uint32_t next = 0;
    EXPECT_FALSE(assembly->agree(manifest_prefix(full, 1), 1, next));
    EXPECT_EQ(next, 1u);
    EXPECT_FALSE(assembly->agree(full, t.piece_count(), next));
    // Other entries of the same size, or another hash: not this content.
    auto renamed = t;
    renamed.entries = make_tree({dir("d"), file("d/c", 300'000), file("d/b", 400'000)}).entries;
    EXPECT_EQ(assembly->agree(manifest_prefix(tree::encode_tree_manifest(renamed), 1), 1, next),
              make_error_code(errc::content_mismatch));
    auto rehashed = t;
    rehashed.piece_hashes[0].fill(0x55);
    EXPECT_EQ(assembly->agree(manifest_prefix(tree::encode_tree_manifest(rehashed), 1), 1, next),
              make_error_code(errc::content_mismatch));
}

TEST(ManifestStream, AnIncompleteEncodingIsNotReleased) {
    auto assembly = head_of(five_pieces(), 2);
    EXPECT_TRUE(assembly.take_encoding().empty());
    EXPECT_FALSE(assembly.released());
    EXPECT_FALSE(assembly.encoding().empty());
}

TEST(ManifestStream, APlaceholderIsAValidManifestOfTheSameGeometry) {
    const auto m = five_pieces();
    const auto assembly = head_of(m, 2);
    sha256_digest filler;
    filler.fill(0xab);
    const auto placeholder = decode_manifest(assembly.placeholder_encoding(filler));
    ASSERT_TRUE(placeholder);
    EXPECT_EQ(placeholder->file_size, m.file_size);
    EXPECT_EQ(placeholder->piece_count(), pieces);
    EXPECT_EQ(placeholder->piece_hashes[0], filler);
}

TEST(ManifestStream, APlaceholderWithoutACopyIsTheSameBytesAndLeavesTheHashesAsTheyWere) {
    const auto m = five_pieces();
    auto assembly = head_of(m, 2);
    sha256_digest filler;
    filler.fill(0xab);
    const auto copy = assembly.placeholder_encoding(filler);
    const auto* own = assembly.encoding().data();
    const auto id = assembly.with_placeholder_encoding(filler, [&](std::span<const uint8_t> e) {
        EXPECT_EQ(e.data(), own);
        EXPECT_TRUE(std::ranges::equal(e, copy));
        return content_id_of(e);
    });
    EXPECT_EQ(id, content_id_of(copy));
    auto known_so_far = m;
    for (uint32_t piece = 2; piece < pieces; ++piece) known_so_far.piece_hashes[piece] = {};
    EXPECT_EQ(assembly.encoding(), encode_manifest(known_so_far));
    uint32_t next = 2;
    ASSERT_FALSE(assembly.add(next, 2, hashes_of(m, 2, 3)));
    EXPECT_EQ(assembly.encoding(), encode_manifest(m));
}

}  // namespace
}  // namespace xfer
