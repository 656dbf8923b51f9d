// MANIFEST_HEAD and MANIFEST_HASHES on the wire: exact bytes from the layout comments in
// messages.hpp, round trips through the frame table, and every malformed body named.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::wire {
namespace {

template <typename T>
std::vector<uint8_t> frame_of(const T& value) {
    std::vector<uint8_t> out;
    encode(value, out);
    return out;
}

std::expected<message, std::error_code> decode_frame(const std::vector<uint8_t>& bytes) {
    uint8_t raw[frame_header_size];
    std::memcpy(raw, bytes.data(), frame_header_size);
    frame_header header{};
    if (auto ec = validate_header(raw, header)) return std::unexpected(ec);
    return decode(header.type, std::span<const uint8_t>(bytes).subspan(frame_header_size));
}

sha256_digest marker(uint8_t value) {
    sha256_digest digest{};
    digest.fill(value);
    return digest;
}

TEST(WireManifestStream, HeadBytes) {
    const manifest_head_msg head{7, 2, {'X', 'F', 'M', 'F', 1}};
    const auto bytes = frame_of(head);
    EXPECT_EQ(to_hex(bytes.data(), bytes.size()),
              "0000000d"
              "32"
              "00000007"
              "00000002"
              "58464d4601");
}

TEST(WireManifestStream, HashesBytes) {
    const manifest_hashes_msg hashes{3, 9, {marker(0xaa)}};
    const auto bytes = frame_of(hashes);
    ASSERT_EQ(bytes.size(), frame_header_size + 8 + 32);
    EXPECT_EQ(to_hex(bytes.data(), 13),
              "00000028"
              "33"
              "00000003"
              "00000009");
    EXPECT_EQ(bytes.back(), 0xaa);
}

TEST(WireManifestStream, BothRoundTrip) {
    const manifest_head_msg head{1, 0, std::vector<uint8_t>(17 + 5 * 32, 0x5a)};
    const auto decoded_head = decode_frame(frame_of(head));
    ASSERT_TRUE(decoded_head) << decoded_head.error().message();
    EXPECT_EQ(std::get<manifest_head_msg>(*decoded_head), head);
    manifest_hashes_msg full{0xfffffffe, max_pieces - max_hashes_per_frame, {}};
    for (uint32_t i = 0; i < max_hashes_per_frame; ++i) full.hashes.push_back(marker(i & 0xff));
    const auto decoded_hashes = decode_frame(frame_of(full));
    ASSERT_TRUE(decoded_hashes) << decoded_hashes.error().message();
    EXPECT_EQ(std::get<manifest_hashes_msg>(*decoded_hashes), full);
}

TEST(WireManifestStream, FrameTableBoundsThemBeforeAnything) {
    const auto hashes = bounds_for(message_type::manifest_hashes);
    ASSERT_TRUE(hashes);
    EXPECT_EQ(hashes->min, 8u + 32u);                         // at least one hash
    EXPECT_EQ(hashes->max, 8u + max_hashes_per_frame * 32u);  // at most one frame's worth
    const auto head = bounds_for(message_type::manifest_head);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->max, 8u + max_manifest_bytes);
    // One hash too many is refused from the header alone.
    uint8_t raw[frame_header_size] = {0, 0, 0, 0, 51};
    const uint32_t too_long = 8 + (max_hashes_per_frame + 1) * 32;
    raw[0] = static_cast<uint8_t>(too_long >> 24);
    raw[1] = static_cast<uint8_t>(too_long >> 16);
    raw[2] = static_cast<uint8_t>(too_long >> 8);
    raw[3] = static_cast<uint8_t>(too_long);
    frame_header header{};
    EXPECT_EQ(validate_header(raw, header), errc::frame_too_large);
}

TEST(WireManifestStream, MalformedHashesAreNamed) {
    const auto decode_hashes = [](const std::vector<uint8_t>& body) {
        return decode(message_type::manifest_hashes, body);
    };
    // A part hash.
    EXPECT_EQ(decode_hashes(std::vector<uint8_t>(8 + 33, 0)).error(), errc::malformed_message);
    // No hash at all.
    EXPECT_EQ(decode_hashes(std::vector<uint8_t>(8, 0)).error(), errc::malformed_message);
    // Cut inside the fixed fields.
    EXPECT_EQ(decode_hashes(std::vector<uint8_t>(7, 0)).error(), errc::frame_truncated);
    // Hashes past the largest manifest: first_piece + count > max_pieces.
    auto body = std::vector<uint8_t>(8 + 32, 0);
    body[4] = static_cast<uint8_t>(max_pieces >> 24);
    body[5] = static_cast<uint8_t>(max_pieces >> 16);
    body[6] = static_cast<uint8_t>(max_pieces >> 8);
    body[7] = static_cast<uint8_t>(max_pieces);
    EXPECT_EQ(decode_hashes(body).error(), errc::malformed_message);
    // A head cut inside its fixed fields.
    EXPECT_EQ(decode(message_type::manifest_head, std::vector<uint8_t>(7, 0)).error(),
              errc::frame_truncated);
}

}  // namespace
}  // namespace xfer::wire
