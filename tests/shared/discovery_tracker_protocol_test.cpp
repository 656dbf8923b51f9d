// The tracker's multipart messages: byte layout, a round trip for each, malformed input.
#include <gtest/gtest.h>

#include "shared/core/error.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/discovery/tracker_protocol.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery::tracker {
namespace {

using test::test_content;
using test::test_record;

std::string hex(const std::string& bytes) {
    return to_hex(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::vector<message> one_of_each() {
    auto record = test_record(3, "gamma", 9000, {test_content("x/y.bin", 4, 123, 1, 2)});
    record.identity.digest.fill(0x5A);  // pushed and listed records name their signer
    auto other = test_record(4, "delta", 1);
    other.identity.digest.fill(0xA5);
    return {register_request{record, std::string(lan::signature_trailer_bytes, 'S')},
            register_request{record, {}},
            heartbeat_request{record.id},
            leave_request{record.id},
            query_request{},
            info_request{},
            sync_request{0x1122334455667788},
            welcome_reply{1000, 5000, 7422, "10.0.0.3"},
            reject_reply{reject_reason::source_full, "too many"},
            unknown_peer_reply{record.id},
            peer_list_reply{77, 9, {record, other}},
            peer_list_reply{77, 0, {}},
            info_reply{77, 9, 7422, 1000, 5000},
            membership_push{message_type::joined, 77, 10, leave_reason::none, record},
            membership_push{message_type::updated, 77, 11, leave_reason::none, record},
            membership_push{message_type::left, 77, 12, leave_reason::expired, record},
            sync_echo_push{77, 12, 0xABCD}};
}

bool same(const message& a, const message& b) {
    return encode(a) == encode(b) && a.index() == b.index();
}

TEST(DiscoveryTrackerProtocol, EveryMessageRoundTrips) {
    for (const auto& original : one_of_each()) {
        const auto decoded = decode(encode(original));
        ASSERT_TRUE(decoded) << "variant " << original.index() << ": " << decoded.error().message();
        EXPECT_TRUE(same(*decoded, original)) << "variant " << original.index();
    }
}

TEST(DiscoveryTrackerProtocol, ByteLayouts) {
    EXPECT_EQ(hex(encode(query_request{})[0]), "58540204");
    const auto heartbeat = encode(heartbeat_request{test::test_peer_id(1)});
    ASSERT_EQ(heartbeat.size(), 2u);
    EXPECT_EQ(hex(heartbeat[0]), "58540202");
    EXPECT_EQ(hex(heartbeat[1]), "a0010101010101010101010101010101");
    const auto info = encode(info_reply{1, 2, 0x1d4e, 1000, 5000});
    EXPECT_EQ(hex(info[0]), "58540285");
    EXPECT_EQ(hex(info[1]),
              "0000000000000001"
              "0000000000000002"
              "1d4e"
              "000003e8"
              "00001388");
    const auto welcome = encode(welcome_reply{1000, 5000, 0x1d4e, "1.2.3.4"});
    EXPECT_EQ(hex(welcome[1]),
              "000003e8"
              "00001388"
              "1d4e"
              "07" +
                  hex("1.2.3.4"));
    const auto push = encode(
        membership_push{message_type::left, 1, 2, leave_reason::expired, test_record(1, "a", 1)});
    ASSERT_EQ(push.size(), 3u);
    // The record, then the 32-byte digest of its signer's peer ID (zero here: never signed).
    EXPECT_EQ(push[2], encode_record(test_record(1, "a", 1)) + std::string(32, '\0'));
    EXPECT_EQ(hex(push[0]), "585402a3");
    EXPECT_EQ(hex(push[1]),
              "0000000000000001"
              "0000000000000002"
              "02");
    const auto list =
        encode(peer_list_reply{5, 6, {test_record(1, "a", 1), test_record(2, "b", 1)}});
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(hex(list[1]),
              "0000000000000005"
              "0000000000000006"
              "0002");
}

TEST(DiscoveryTrackerProtocol, RegisterCarriesTheKeyAndSignatureInItsOwnFrame) {
    const auto signer = test::fresh_signer();
    const auto record = test_record(1, "a", 1);
    const auto frames = encode(signed_registration(record, *signer));
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(hex(frames[0]), "58540201");
    EXPECT_EQ(frames[1], encode_record(record));
    ASSERT_EQ(frames[2].size(), lan::signature_trailer_bytes);
    auto short_signature = frames;
    short_signature[2].pop_back();
    EXPECT_FALSE(decode(short_signature));
    const auto decoded = decode(frames);
    ASSERT_TRUE(decoded && std::holds_alternative<register_request>(*decoded));
    const auto signer_id = registration_signer(std::get<register_request>(*decoded));
    ASSERT_TRUE(signer_id);
    EXPECT_EQ(*signer_id, signer->id());
    // A listed record whose signer digest is zero is not one the tracker could have verified.
    auto list = encode(peer_list_reply{5, 6, {record}});
    EXPECT_FALSE(decode(list));
}

TEST(DiscoveryTrackerProtocol, HeaderProblemsAreNamed) {
    auto frames = encode(query_request{});
    frames[0][0] = 'Y';
    EXPECT_EQ(decode(frames).error(), make_error_code(errc::bad_protocol));
    frames = encode(query_request{});
    frames[0][2] = 1;  // version 1: unsigned registrations
    EXPECT_EQ(decode(frames).error(), make_error_code(errc::version_mismatch));
    frames = encode(query_request{});
    frames[0][3] = 0x42;
    EXPECT_EQ(decode(frames).error(), make_error_code(errc::unknown_message));
    EXPECT_FALSE(decode({}));
    EXPECT_FALSE(decode({"XT\x01"}));
    EXPECT_FALSE(decode({std::string("XT\x01\x04\x00", 5)}));
}

TEST(DiscoveryTrackerProtocol, WrongFrameCountsAreRejected) {
    for (const auto& original : one_of_each()) {
        auto extra = encode(original);
        extra.push_back("surplus");
        EXPECT_FALSE(decode(extra)) << "variant " << original.index() << " with an extra frame";
        auto fewer = encode(original);
        // A REGISTER without its signature frame decodes as unsigned, so that the tracker
        // answers it with REJECT (discovery_tracker_signed_test.cpp).
        const auto* registration = std::get_if<register_request>(&original);
        if (registration && !registration->signature.empty()) continue;
        if (fewer.size() > 1) {
            fewer.pop_back();
            EXPECT_FALSE(decode(fewer)) << "variant " << original.index() << " missing a frame";
        }
    }
}

TEST(DiscoveryTrackerProtocol, EveryTruncatedBodyIsRejected) {
    for (const auto& original : one_of_each()) {
        const auto frames = encode(original);
        for (size_t frame = 1; frame < frames.size(); ++frame) {
            for (size_t length = 0; length < frames[frame].size(); ++length) {
                auto cut = frames;
                cut[frame].resize(length);
                EXPECT_FALSE(decode(cut))
                    << "variant " << original.index() << " frame " << frame << " at " << length;
            }
        }
    }
}

TEST(DiscoveryTrackerProtocol, CountsAndSizesAreBounded) {
    // A PEER_LIST claiming more peers than the limit, or than its frames.
    auto list = encode(peer_list_reply{1, 1, {test_record(1, "a", 1)}});
    list[1][17] = '\x02';
    EXPECT_FALSE(decode(list));
    list[1][16] = '\xff';
    list[1][17] = '\xff';
    EXPECT_FALSE(decode(list));
    // An oversized frame is refused before it is parsed.
    auto registration = encode(register_request{test_record(1, "a", 1), {}});
    registration[1] = std::string(limits::max_frame_bytes + 1, 'x');
    EXPECT_EQ(decode(registration).error(), make_error_code(errc::frame_too_large));
    // Too many frames.
    tracker::frame_list many(limits::max_frames_per_message + 1, "x");
    many[0] = encode(query_request{})[0];
    EXPECT_FALSE(decode(many));
    // A reject with an unknown reason, a push with an unknown leave reason.
    auto reject = encode(reject_reply{reject_reason::invalid, "x"});
    reject[1][0] = 9;
    EXPECT_FALSE(decode(reject));
    auto push = encode(
        membership_push{message_type::left, 1, 1, leave_reason::left, test_record(1, "a", 1)});
    push[1][16] = 7;
    EXPECT_FALSE(decode(push));
}

TEST(DiscoveryTrackerProtocol, RejectTextIsCutToItsLimit) {
    const auto decoded =
        decode(encode(reject_reply{reject_reason::invalid, std::string(1000, 'r')}));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(std::get<reject_reply>(*decoded).text.size(), limits::max_reject_text_bytes);
}

}  // namespace
}  // namespace xfer::discovery::tracker
