// PEERS (peer exchange): byte-exact encoding, round trip, and every malformed case.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/core/ids.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::wire {
namespace {

std::vector<uint8_t> body_of(const std::vector<uint8_t>& frame) {
    return {frame.begin() + frame_header_size, frame.end()};
}

TEST(WirePeers, EncodesByteExactly) {
    std::vector<uint8_t> out;
    encode(peers_msg{7, {{7420, "10.0.0.2"}, {80, "h"}}}, out);
    // length 0x17 (23) | type 20 | handle 7 | count 2 | port 7420 | len 8 "10.0.0.2" | port 80 |
    // len 1 "h"
    EXPECT_EQ(to_hex(out.data(), out.size()),
              "0000001714"
              "00000007"
              "0002"
              "1cfc"
              "0008"
              "31302e302e302e32"
              "0050"
              "0001"
              "68");
}

TEST(WirePeers, RoundTripsThroughHeaderValidationAndDecode) {
    peers_msg original{3, {}};
    for (uint16_t i = 1; i <= max_peers_per_message; ++i)
        original.peers.push_back({i, "host" + std::to_string(i)});
    std::vector<uint8_t> frame;
    encode(original, frame);
    uint8_t raw[frame_header_size];
    std::memcpy(raw, frame.data(), frame_header_size);
    frame_header header{};
    ASSERT_FALSE(validate_header(raw, header));
    const auto decoded = decode(header.type, body_of(frame));
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(std::get<peers_msg>(*decoded), original);
}

TEST(WirePeers, EncodingCapsTheCountAtTheLimit) {
    peers_msg many{1, std::vector<peer_address>(max_peers_per_message + 10, peer_address{1, "x"})};
    std::vector<uint8_t> frame;
    encode(many, frame);
    const auto decoded = decode(message_type::peers, body_of(frame));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(std::get<peers_msg>(*decoded).peers.size(), max_peers_per_message);
}

TEST(WirePeers, RejectsMalformedBodies) {
    const auto decode_body = [](std::vector<uint8_t> body) {
        return decode(message_type::peers, body);
    };
    // Count above the limit, before any entry is read.
    auto result = decode_body({0, 0, 0, 1, 0, static_cast<uint8_t>(max_peers_per_message + 1)});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), make_error_code(errc::malformed_message));
    // Count says one entry, none follows.
    result = decode_body({0, 0, 0, 1, 0, 1});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), make_error_code(errc::frame_truncated));
    // Port zero and an empty host are not addresses.
    result = decode_body({0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 'h'});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), make_error_code(errc::malformed_message));
    result = decode_body({0, 0, 0, 1, 0, 1, 0, 80, 0, 0});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), make_error_code(errc::malformed_message));
    // A host longer than max_host_length.
    std::vector<uint8_t> long_host = {0, 0, 0, 1, 0, 1, 0, 80, 1, 0};
    long_host.resize(long_host.size() + 256, 'a');
    result = decode_body(long_host);
    ASSERT_FALSE(result);
    // Trailing bytes after the last entry.
    result = decode_body({0, 0, 0, 1, 0, 0, 9});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), make_error_code(errc::malformed_message));
}

TEST(WirePeers, HeaderBoundsComeFromTheTable) {
    const auto bounds = bounds_for(message_type::peers);
    ASSERT_TRUE(bounds);
    EXPECT_EQ(bounds->min, 6u);
    EXPECT_EQ(bounds->max, 6u + max_peers_per_message * (2 + 2 + max_host_length));
}

}  // namespace
}  // namespace xfer::wire

namespace xfer::wire {
namespace {

TEST(WireDecline, EncodesByteExactlyAndRoundTrips) {
    std::vector<uint8_t> out;
    encode(decline_msg{1, 0x0102}, out);
    EXPECT_EQ(to_hex(out.data(), out.size()),
              "0000000815"
              "00000001"
              "00000102");
    const auto decoded = decode(message_type::decline,
                                std::vector<uint8_t>(out.begin() + frame_header_size, out.end()));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(std::get<decline_msg>(*decoded), (decline_msg{1, 0x0102}));
}

TEST(WireDecline, RejectsAnyOtherLength) {
    uint8_t raw[frame_header_size] = {0, 0, 0, 9, static_cast<uint8_t>(message_type::decline)};
    frame_header header{};
    EXPECT_EQ(validate_header(raw, header), make_error_code(errc::frame_too_large));
    raw[3] = 7;
    EXPECT_EQ(validate_header(raw, header), make_error_code(errc::frame_truncated));
}

}  // namespace
}  // namespace xfer::wire
