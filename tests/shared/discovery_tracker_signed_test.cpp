// Signed tracker registrations: the tracker lists only records whose REGISTER verifies, shows
// them with the signer's peer ID, and keeps a peer id bound to the key that first registered it.
#include <gtest/gtest.h>

#include "shared/discovery/tracker_service.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery::tracker {
namespace {

using test::test_record;

const steady_time t0{};

std::optional<message> only_reply(const service_output& out) {
    if (out.replies.size() != 1) return std::nullopt;
    auto decoded = decode(out.replies[0]);
    if (!decoded) return std::nullopt;
    return *decoded;
}

// The reply to `request` must be a REJECT of `reason`, and nothing is listed or pushed.
void expect_rejected(tracker_service& service, const frame_list& request, reject_reason reason) {
    const auto out = service.handle(request, "10.0.0.1", t0);
    const auto reply = only_reply(out);
    ASSERT_TRUE(reply && std::holds_alternative<reject_reply>(*reply));
    EXPECT_EQ(std::get<reject_reply>(*reply).reason, reason) << std::get<reject_reply>(*reply).text;
    EXPECT_TRUE(out.pushes.empty());
}

class DiscoveryTrackerSigned : public ::testing::Test {
  protected:
    tracker_service service{service_settings{}};
    std::shared_ptr<const lan::datagram_signer> owner = test::fresh_signer();
    std::shared_ptr<const lan::datagram_signer> other = test::fresh_signer();
    peer_record record = test_record(1, "alpha", 9000);
};

TEST_F(DiscoveryTrackerSigned, ValidRegistrationIsListedAndPushedWithTheSignersId) {
    const auto out = service.handle(encode(signed_registration(record, *owner)), "10.0.0.1", t0);
    const auto reply = only_reply(out);
    ASSERT_TRUE(reply && std::holds_alternative<welcome_reply>(*reply));
    ASSERT_EQ(out.pushes.size(), 1u);
    const auto pushed = decode(out.pushes[0]);
    ASSERT_TRUE(pushed && std::holds_alternative<membership_push>(*pushed));
    EXPECT_EQ(std::get<membership_push>(*pushed).record.identity, owner->id());

    const auto listed = only_reply(service.handle(encode(query_request{}), "10.0.0.9", t0));
    ASSERT_TRUE(listed && std::holds_alternative<peer_list_reply>(*listed));
    const auto& peers = std::get<peer_list_reply>(*listed).peers;
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers[0].identity, owner->id());
    EXPECT_EQ(peers[0].name, "alpha");
}

TEST_F(DiscoveryTrackerSigned, UnsignedRegistrationIsRejected) {
    expect_rejected(service, encode(register_request{record, {}}), reject_reason::invalid);
    EXPECT_EQ(service.peers().size(), 0u);
}

TEST_F(DiscoveryTrackerSigned, TamperedRecordIsRejected) {
    auto request = signed_registration(record, *owner);
    request.record.sender.port = 9001;  // signed for 9000
    expect_rejected(service, encode(request), reject_reason::invalid);
    // A flipped byte in the signature itself.
    auto flipped = encode(signed_registration(record, *owner));
    flipped[2].back() ^= 0x01;
    expect_rejected(service, flipped, reject_reason::invalid);
    EXPECT_EQ(service.peers().size(), 0u);
}

TEST_F(DiscoveryTrackerSigned, SignatureUnderASwappedKeyIsRejected) {
    // The owner's signature presented with another public key, and the reverse.
    auto mine = signed_registration(record, *owner);
    const auto theirs = signed_registration(record, *other);
    auto swapped = mine;
    swapped.signature.replace(0, lan::public_key_bytes, theirs.signature, 0, lan::public_key_bytes);
    expect_rejected(service, encode(swapped), reject_reason::invalid);
    // A signature made for a LAN datagram of the same bytes does not pass as a REGISTER.
    const auto lan_signed = owner->sign(encode_record(record));
    mine.signature = lan_signed.substr(lan_signed.size() - lan::signature_trailer_bytes);
    expect_rejected(service, encode(mine), reject_reason::invalid);
    EXPECT_EQ(service.peers().size(), 0u);
}

TEST_F(DiscoveryTrackerSigned, AnotherKeyCannotTakeOverARegisteredPeerId) {
    service.handle(encode(signed_registration(record, *owner)), "10.0.0.1", t0);
    auto takeover = record;
    takeover.sender.port = 6666;
    expect_rejected(service, encode(signed_registration(takeover, *other)),
                    reject_reason::not_owner);
    const auto* kept = service.peers().find(record.id);
    ASSERT_NE(kept, nullptr);
    EXPECT_EQ(kept->sender.port, 9000);
    EXPECT_EQ(kept->identity, owner->id());
    // Nor may another address send LEAVE for it.
    EXPECT_TRUE(service.handle(encode(leave_request{record.id}), "10.0.0.2", t0).pushes.empty());
    EXPECT_NE(service.peers().find(record.id), nullptr);
}

}  // namespace
}  // namespace xfer::discovery::tracker
