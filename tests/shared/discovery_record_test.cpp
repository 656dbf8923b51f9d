// The peer record codec: byte-exact layout, round trip, and every malformed shape rejected.
#include <gtest/gtest.h>

#include "shared/core/error.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/discovery/peer_record.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery {
namespace {

using test::test_content;
using test::test_record;

std::string hex(const std::string& bytes) {
    return to_hex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(DiscoveryRecord, EncodesTheDocumentedLayout) {
    peer_record record;
    record.id.fill(0x11);
    record.name = "ab";
    record.sender = {"1.2", 0x1F90};
    held_content content;
    content.id.fill(0x22);
    content.path = "p";
    content.size = 0x0102030405060708;
    content.pieces_had = 3;
    content.piece_count = 4;
    record.contents = {content};
    const std::string expected = std::string(32, '1') + "1f90" + "03" + hex("1.2") + "02" +
                                 hex("ab") + "0001" + std::string(64, '2') + "0102030405060708" +
                                 "00000003" + "00000004" + "0001" + hex("p");
    EXPECT_EQ(hex(encode_record(record)), expected);
}

TEST(DiscoveryRecord, RoundTrips) {
    const auto record = test_record(
        7, "alpha beta", 65535,
        {test_content("dir/a.iso", 1, 1ull << 40, 0, 100), test_content("b", 2, 0, 0, 0)});
    const auto decoded = decode_record(encode_record(record));
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(*decoded, record);
}

TEST(DiscoveryRecord, EveryTruncationIsRejected) {
    const auto bytes = encode_record(test_record(7, "alpha", 1, {test_content("dir/a.iso", 1)}));
    for (size_t length = 0; length < bytes.size(); ++length) {
        EXPECT_FALSE(decode_record(std::string_view(bytes).substr(0, length)))
            << "length " << length;
    }
}

TEST(DiscoveryRecord, TrailingBytesAreRejected) {
    const auto bytes = encode_record(test_record(7, "alpha", 1));
    const auto decoded = decode_record(bytes + "x");
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), make_error_code(errc::malformed_message));
}

TEST(DiscoveryRecord, LengthsAreCheckedBeforeUse) {
    auto bytes = encode_record(test_record(7, "alpha", 1));
    // Content count 0xFFFF promises far more than is there: rejected without reading on.
    auto lying_count = bytes;
    lying_count[lying_count.size() - 2] = '\xff';
    lying_count[lying_count.size() - 1] = '\xff';
    EXPECT_FALSE(decode_record(lying_count));
    // Name length 200 > 64.
    auto long_name = bytes;
    long_name[16 + 2 + 1 + 8] = static_cast<char>(200);
    EXPECT_FALSE(decode_record(long_name));
    // Path length 0xFFFF > 1024.
    auto with_content = encode_record(test_record(7, "alpha", 1, {test_content("a", 1)}));
    with_content[with_content.size() - 3] = '\xff';
    with_content[with_content.size() - 2] = '\xff';
    EXPECT_FALSE(decode_record(with_content));
    // Larger than the record limit, whatever is inside.
    const auto decoded = decode_record(std::string(limits::max_record_bytes + 1, '\0'));
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error(), make_error_code(errc::frame_too_large));
}

TEST(DiscoveryRecord, InvalidFieldsAreRejected) {
    auto record = test_record(7, "alpha", 1, {test_content("a", 1, 10, 5, 4)});
    EXPECT_FALSE(decode_record(encode_record(record))) << "pieces_had > piece_count";
    record = test_record(7, "al\x1b[31mpha", 1);
    EXPECT_FALSE(decode_record(encode_record(record))) << "escape sequence in the name";
    record = test_record(7, "alpha", 1);
    record.sender.host = "evil/host";
    EXPECT_FALSE(decode_record(encode_record(record))) << "not a host";
}

TEST(DiscoveryRecord, HumanForms) {
    EXPECT_EQ(short_id(test::test_peer_id(0x12)), "a0121212");
    EXPECT_EQ(percent_complete(test_content("a", 1, 10, 4, 4)), "100%");
    EXPECT_EQ(percent_complete(test_content("a", 1, 10, 1, 4)), "25.0%");
    EXPECT_EQ(percent_complete(test_content("a", 1, 10, 1999, 2000)), "99.9%");
    EXPECT_EQ(percent_complete(test_content("a", 1, 0, 0, 0)), "100%");
    EXPECT_TRUE(is_unspecified_host("0.0.0.0"));
    EXPECT_TRUE(is_unspecified_host(""));
    EXPECT_FALSE(is_unspecified_host("10.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.9.9.9"));
    EXPECT_FALSE(is_loopback_host("10.77.0.1"));
}

}  // namespace
}  // namespace xfer::discovery
