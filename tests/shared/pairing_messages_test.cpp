#include "shared/wire/pairing_messages.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::wire {
namespace {

std::span<const uint8_t> body_of(const std::vector<uint8_t>& frame) {
    return std::span<const uint8_t>(frame).subspan(frame_header_size);
}

template <typename Message>
Message round_trip(const Message& message) {
    std::vector<uint8_t> frame;
    encode(message, frame);
    frame_header header{};
    uint8_t raw[frame_header_size];
    std::copy_n(frame.begin(), frame_header_size, raw);
    EXPECT_FALSE(validate_header(raw, header));
    EXPECT_EQ(header.length, frame.size() - frame_header_size);
    const auto decoded = decode_pairing(header.type, body_of(frame));
    EXPECT_TRUE(decoded) << decoded.error().message();
    return std::get<Message>(*decoded);
}

pairing_point point_of(uint8_t byte) {
    pairing_point point;
    point.fill(byte);
    return point;
}
pairing_tag tag_of(uint8_t byte) {
    pairing_tag tag;
    tag.fill(byte);
    return tag;
}

TEST(PairingMessages, PairInitIsEncodedByteExactly) {
    std::vector<uint8_t> frame;
    encode(pair_init{point_of(0xab), "pc"}, frame);
    std::vector<uint8_t> expected{0, 0, 0, 35, 40};
    expected.insert(expected.end(), 32, 0xab);
    expected.insert(expected.end(), {2, 'p', 'c'});
    EXPECT_EQ(frame, expected);
}

TEST(PairingMessages, PairReplyAndRefusalAreEncodedByteExactly) {
    std::vector<uint8_t> frame;
    encode(pair_reply{0, point_of(0x01), "d", tag_of(0x02)}, frame);
    ASSERT_EQ(frame.size(), 5u + 1 + 32 + 2 + 64);
    EXPECT_EQ(frame[3], 99);
    EXPECT_EQ(frame[4], 41);
    EXPECT_EQ(frame[5], 0);
    EXPECT_EQ(frame[6], 0x01);
    EXPECT_EQ(frame[38], 1);
    EXPECT_EQ(frame[39], 'd');
    EXPECT_EQ(frame[40], 0x02);
    frame.clear();
    encode(pair_reply{3, {}, {}, {}}, frame);
    EXPECT_EQ(frame, (std::vector<uint8_t>{0, 0, 0, 1, 41, 3}));
    frame.clear();
    encode(pair_confirm{tag_of(0x07)}, frame);
    ASSERT_EQ(frame.size(), 69u);
    EXPECT_EQ(frame[4], 42);
}

TEST(PairingMessages, RoundTrip) {
    const pair_init init{point_of(0x10), "laptop \xc3\xa9"};
    EXPECT_EQ(round_trip(init), init);
    const pair_reply reply{0, point_of(0x20), std::string(64, 'n'), tag_of(0x30)};
    EXPECT_EQ(round_trip(reply), reply);
    const pair_reply refusal{2, {}, {}, {}};
    EXPECT_EQ(round_trip(refusal), refusal);
    const pair_confirm confirm{tag_of(0x40)};
    EXPECT_EQ(round_trip(confirm), confirm);
}

std::error_code decode_error(message_type type, std::vector<uint8_t> body) {
    const auto decoded = decode_pairing(type, body);
    return decoded ? std::error_code{} : decoded.error();
}

TEST(PairingMessages, MalformedBodiesAreRejected) {
    std::vector<uint8_t> init(32, 0x10);
    init.insert(init.end(), {3, 'a', 'b'});  // name shorter than its length
    EXPECT_EQ(decode_error(message_type::pair_init, init), errc::malformed_message);
    init.push_back('c');
    EXPECT_FALSE(decode_error(message_type::pair_init, init));
    init.push_back('d');  // trailing byte
    EXPECT_EQ(decode_error(message_type::pair_init, init), errc::malformed_message);

    std::vector<uint8_t> empty_name(32, 0x10);
    empty_name.push_back(0);
    EXPECT_EQ(decode_error(message_type::pair_init, empty_name), errc::malformed_message);
    std::vector<uint8_t> control(32, 0x10);
    control.insert(control.end(), {2, 0x1b, 'x'});
    EXPECT_EQ(decode_error(message_type::pair_init, control), errc::malformed_message);
    std::vector<uint8_t> long_name(32, 0x10);
    long_name.push_back(65);
    long_name.insert(long_name.end(), 65, 'x');
    EXPECT_EQ(decode_error(message_type::pair_init, long_name), errc::malformed_message);

    EXPECT_EQ(decode_error(message_type::pair_reply, {5}), errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::pair_reply, {2, 0}), errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::pair_reply, {0}), errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::pair_confirm, std::vector<uint8_t>(63)),
              errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::pair_confirm, std::vector<uint8_t>(65)),
              errc::malformed_message);
    EXPECT_EQ(decode_error(message_type::hello, {}), errc::unexpected_message);
}

TEST(PairingMessages, FrameBoundsRejectOversizedHeadersBeforeAnyRead) {
    frame_header header{};
    const uint8_t too_long_init[frame_header_size] = {0, 0, 0, 98, 40};
    EXPECT_EQ(validate_header(too_long_init, header), errc::frame_too_large);
    const uint8_t short_confirm[frame_header_size] = {0, 0, 0, 63, 42};
    EXPECT_EQ(validate_header(short_confirm, header), errc::frame_truncated);
    const uint8_t long_reply[frame_header_size] = {0, 0, 0, 163, 41};
    EXPECT_EQ(validate_header(long_reply, header), errc::frame_too_large);
}

TEST(PairingMessages, ThePeerSessionDecoderDoesNotAcceptThem) {
    const std::vector<uint8_t> confirm(64, 0);
    const auto decoded = decode(message_type::pair_confirm, confirm);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), errc::unexpected_message);
}

// Mutated valid bodies decode to a message or an error, and whatever decodes re-encodes to the
// same bytes (one encoding per message).
TEST(PairingMessages, MutatedBodiesDecodeCanonicallyOrNotAtAll) {
    std::vector<std::vector<uint8_t>> seeds;
    for (const pairing_message& m : std::vector<pairing_message>{
             pair_init{point_of(1), "laptop"}, pair_reply{0, point_of(2), "pc", tag_of(3)},
             pair_reply{1, {}, {}, {}}, pair_confirm{tag_of(4)}}) {
        seeds.emplace_back();
        std::visit([&](const auto& message) { encode(message, seeds.back()); }, m);
    }
    std::mt19937_64 random(40);
    for (int round = 0; round < 20000; ++round) {
        auto frame = seeds[random() % seeds.size()];
        const auto type = static_cast<message_type>(frame[4]);
        std::vector<uint8_t> body(frame.begin() + frame_header_size, frame.end());
        for (int edit = 0; edit < 3; ++edit) {
            if (random() % 2 && !body.empty()) {
                body[random() % body.size()] = static_cast<uint8_t>(random());
            } else if (!body.empty()) {
                body.resize(random() % (body.size() + 2));
            }
        }
        const auto decoded = decode_pairing(type, body);
        if (!decoded) continue;
        std::vector<uint8_t> again;
        std::visit([&](const auto& message) { encode(message, again); }, *decoded);
        ASSERT_EQ(std::vector<uint8_t>(again.begin() + frame_header_size, again.end()), body);
    }
}

}  // namespace
}  // namespace xfer::wire
