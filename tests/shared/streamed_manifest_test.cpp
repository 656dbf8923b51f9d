// The sender's side of a streamed manifest: hashes appended in order, heads and hash frames cut
// from what is known, and a hashing that stops short never passes for a complete manifest.
#include <gtest/gtest.h>

#include "shared/manifest/manifest.hpp"
#include "shared/manifest/manifest_stream.hpp"
#include "shared/store/streamed_manifest.hpp"
#include "shared/wire/frame.hpp"

namespace xfer {
namespace {

manifest pieces_of(uint32_t count) {
    manifest m;
    m.piece_size = min_piece_size;
    m.file_size = uint64_t{count} * min_piece_size;
    m.piece_hashes.resize(count);
    for (uint32_t piece = 0; piece < count; ++piece) m.piece_hashes[piece].fill(piece & 0xff);
    return m;
}

TEST(StreamedManifest, HeadsAndHashFramesCarryExactlyWhatIsKnown) {
    const auto m = pieces_of(5000);  // more than one MANIFEST_HASHES frame holds
    auto placeholder = m;
    for (auto& hash : placeholder.piece_hashes) hash.fill(0);
    streamed_manifest stream(encode_manifest(placeholder), m.piece_count());
    EXPECT_EQ(stream.known(), 0u);
    for (uint32_t piece = 0; piece < 4500; ++piece) stream.add(m.piece_hashes[piece]);
    EXPECT_EQ(stream.known(), 4500u);
    // The head with 3 hashes is the true encoding cut after them, and a receiver accepts it.
    std::vector<uint8_t> head;
    stream.view_head(
        3, [&](std::span<const uint8_t> bytes) { head.assign(bytes.begin(), bytes.end()); });
    EXPECT_EQ(head, manifest_prefix(encode_manifest(m), 3));
    auto assembly = manifest_assembly::from_head(head, 3);
    ASSERT_TRUE(assembly) << assembly.error().message();
    // Frames from piece 3: one full frame, then what is left of the known ones.
    const uint32_t frame = wire::max_hashes_per_frame;
    const auto first = stream.hashes(3, frame);
    ASSERT_EQ(first.size(), frame);
    EXPECT_EQ(first.front(), m.piece_hashes[3]);
    EXPECT_EQ(first.back(), m.piece_hashes[3 + frame - 1]);
    const auto second = stream.hashes(3 + frame, frame);
    EXPECT_EQ(second.size(), 4500u - 3 - frame);  // only what is known
    EXPECT_EQ(stream.hashes(3, 7).size(), 7u);
    EXPECT_TRUE(stream.hashes(4500, frame).empty());
    EXPECT_TRUE(stream.hashes(4600, frame).empty());  // past what is known
    uint32_t next = 3;
    ASSERT_FALSE(assembly->add(next, 3, first));
    ASSERT_FALSE(assembly->add(next, 3 + frame, second));
    for (uint32_t piece = 4500; piece < m.piece_count(); ++piece) stream.add(m.piece_hashes[piece]);
    stream.finish({});
    EXPECT_TRUE(stream.finished());
    EXPECT_FALSE(stream.error());
    std::vector<uint8_t> encoding;
    stream.view_encoding(
        [&](std::span<const uint8_t> bytes) { encoding.assign(bytes.begin(), bytes.end()); });
    EXPECT_EQ(encoding, encode_manifest(m));
    const auto last = stream.hashes(4500, frame);
    ASSERT_FALSE(assembly->add(next, 4500, last));
    ASSERT_TRUE(assembly->complete());
    EXPECT_EQ(assembly->id(), content_id_of(encode_manifest(m)));
}

TEST(StreamedManifest, AHashingThatStopsShortEndsInAnError) {
    const auto m = pieces_of(3);
    streamed_manifest stream(encode_manifest(m), 3);
    stream.add(m.piece_hashes[0]);
    stream.finish({});  // the hasher claims success after one of three hashes
    EXPECT_TRUE(stream.finished());
    EXPECT_TRUE(stream.error());
}

TEST(StreamedManifest, RunReportsProgressAndTheWorksOutcome) {
    const auto m = pieces_of(3);
    streamed_manifest stream(encode_manifest(m), 3);
    stream.work = [&](const auto& on_hash, const std::atomic<bool>&) {
        on_hash(m.piece_hashes[0]);
        on_hash(m.piece_hashes[1]);
        return std::make_error_code(std::errc::io_error);  // a read failed
    };
    ASSERT_TRUE(stream.claim_start());
    EXPECT_FALSE(stream.claim_start()) << "one hashing per content";
    int progress = 0;
    std::atomic<bool> stop{false};
    stream.run(stop, [&] { ++progress; });
    EXPECT_EQ(stream.known(), 2u);
    EXPECT_EQ(progress, 3);  // after each hash, and once at the end
    EXPECT_EQ(stream.error(), std::make_error_code(std::errc::io_error));
}

}  // namespace
}  // namespace xfer
