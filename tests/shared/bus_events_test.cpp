// Events on the in-process bus: the documented frame layout, round trips of every type, and
// frames that are not events (wrong size, unknown type) refused.
#include <gtest/gtest.h>

#include <cstring>

#include "shared/bus/events.hpp"
#include "tests/support/sandbox.hpp"

namespace xfer::bus {
namespace {

zmq::message_t frame_of(const std::vector<uint8_t>& bytes) {
    return zmq::message_t(bytes.data(), bytes.size());
}

std::vector<uint8_t> bytes_of(const zmq::message_t& frame) {
    const auto* data = static_cast<const uint8_t*>(frame.data());
    return {data, data + frame.size()};
}

TEST(BusEvents, LayoutIsTypeContentPieceText) {
    event e;
    e.type = event_type::piece_verified;
    for (size_t i = 0; i < e.content.size(); ++i) e.content[i] = static_cast<uint8_t>(i);
    e.piece = 0x01020304;
    e.text = "ab";
    const auto bytes = bytes_of(encode(e));
    ASSERT_EQ(bytes.size(), 1u + 32 + 4 + 2);
    EXPECT_EQ(bytes[0], 1);
    for (size_t i = 0; i < 32; ++i) EXPECT_EQ(bytes[1 + i], i);
    EXPECT_EQ((std::vector<uint8_t>(bytes.begin() + 33, bytes.begin() + 37)),
              (std::vector<uint8_t>{1, 2, 3, 4}));
    EXPECT_EQ(bytes[37], 'a');
    EXPECT_EQ(bytes[38], 'b');
    // The first byte is the subscription topic for the type.
    EXPECT_EQ(topic(event_type::piece_verified), std::string(1, '\x01'));
    EXPECT_EQ(topic(event_type::shutdown), std::string(1, '\x06'));
}

TEST(BusEvents, EveryTypeRoundTrips) {
    for (uint8_t type = 1; type <= 6; ++type) {
        event e;
        e.type = static_cast<event_type>(type);
        e.content.fill(type);
        e.piece = 0xffffffffu - type;
        e.text = type % 2 ? "dir/file name.bin" : "";
        const auto decoded = decode(encode(e));
        ASSERT_TRUE(decoded) << int(type);
        EXPECT_EQ(*decoded, e) << int(type);
    }
    event longest;
    longest.type = event_type::peer_learned;
    longest.text = std::string(max_event_text, 'x');
    ASSERT_TRUE(decode(encode(longest)));
    EXPECT_EQ(*decode(encode(longest)), longest);
}

TEST(BusEvents, TextOverTheLimitIsCutOnEncode) {
    event e;
    e.type = event_type::file_completed;
    e.text = std::string(max_event_text + 100, 'y');
    const auto decoded = decode(encode(e));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->text, std::string(max_event_text, 'y'));
}

TEST(BusEvents, MalformedFramesAreRefused) {
    std::vector<uint8_t> good(37, 0);
    good[0] = 1;
    EXPECT_TRUE(decode(frame_of(good)));
    for (size_t length = 0; length < 37; ++length) {
        EXPECT_FALSE(decode(
            frame_of(std::vector<uint8_t>(good.begin(), good.begin() + static_cast<long>(length)))))
            << "length " << length;
    }
    auto too_long = good;
    too_long.resize(37 + max_event_text + 1, 'z');
    EXPECT_FALSE(decode(frame_of(too_long)));
    for (const uint8_t type : {uint8_t{0}, uint8_t{7}, uint8_t{0x80}, uint8_t{0xff}}) {
        auto unknown = good;
        unknown[0] = type;
        EXPECT_FALSE(decode(frame_of(unknown))) << int(type);
    }
    EXPECT_FALSE(decode(zmq::message_t())) << "an empty frame";
}

TEST(BusEvents, StoreEndpointIsPerDirectory) {
    test::sandbox box;
    std::filesystem::create_directories(box / "a" / "b");
    std::filesystem::create_directories(box / "c");
    const auto endpoint = store_ipc_endpoint(box / "a" / "b");
    EXPECT_EQ(endpoint.rfind("ipc://@xfer-store-", 0), 0u) << endpoint;
    EXPECT_EQ(store_ipc_endpoint(box / "a" / "." / "b" / ""), endpoint)
        << "spellings of one directory agree";
    EXPECT_EQ(store_ipc_endpoint(box / "c" / ".." / "a" / "b"), endpoint);
    std::filesystem::create_directory_symlink(box / "a" / "b", box / "link");
    EXPECT_EQ(store_ipc_endpoint(box / "link"), endpoint) << "a symlink names the same directory";
    EXPECT_NE(store_ipc_endpoint(box / "c"), endpoint);
}

}  // namespace
}  // namespace xfer::bus
