// check_sender: the known_hosts model over verified peer IDs. A known peer is verified, a new
// ID at a known address is refused showing both IDs and the command that accepts it, --peer
// pins, an unknown sender is accepted only when it serves --public (and is then remembered).
#include <gtest/gtest.h>

#include "receiver/sender_check.hpp"

namespace xfer::receiver {
namespace {

using trust::trust_level;

peer_id id_of(uint8_t seed) {
    peer_id id;
    id.digest.fill(seed);
    return id;
}

trust::timestamp at(long seconds) {
    return trust::timestamp(std::chrono::seconds(seconds));
}

constexpr long day = 86400;

struct fixture {
    trust::known_peers known;
    sender_check_options options;

    fixture() {
        options.own_id = id_of(1);
        EXPECT_TRUE(known.add(id_of(2), "laptop", trust_level::paired, at(day)));
        known.seen_at(id_of(2), "10.0.0.5:7420", at(day));
        EXPECT_TRUE(known.add(id_of(3), "mirror", trust_level::seen, at(day)));
        known.seen_at(id_of(3), "10.0.0.9:7420", at(day));
    }
    sender_decision check(uint8_t presented, const std::string& address, bool is_public = false,
                          long now = day + 60) const {
        return check_sender(known, options, {id_of(presented), address, is_public}, at(now));
    }
};

TEST(SenderCheck, OwnIdIsAcceptedAndNotRecorded) {
    const fixture f;
    const auto decision = f.check(1, "127.0.0.1:7420");
    EXPECT_EQ(decision.verdict, sender_verdict::own_id);
    EXPECT_TRUE(decision.accepted());
    EXPECT_FALSE(decision.remember);
}

TEST(SenderCheck, AKnownPeerAtItsAddressIsAcceptedWithoutRewritingTheFile) {
    const fixture f;
    const auto decision = f.check(2, "10.0.0.5:7420");
    EXPECT_EQ(decision.verdict, sender_verdict::trusted_peer);
    EXPECT_FALSE(decision.remember) << "seen a minute ago at the same address";
    EXPECT_TRUE(f.check(2, "10.0.0.5:7420", false, day + 2 * 3600).remember)
        << "last seen refreshed after an hour";
    const auto moved = f.check(2, "10.0.0.6:7420");
    EXPECT_EQ(moved.verdict, sender_verdict::trusted_peer) << "a paired peer at a new address";
    EXPECT_TRUE(moved.remember);
    EXPECT_EQ(f.check(3, "10.0.0.9:7420").verdict, sender_verdict::seen_peer);
}

TEST(SenderCheck, ANewIdAtAKnownAddressIsAHardErrorShowingBothIds) {
    fixture f;
    f.options.trust_command = "xfer trust --home /h";
    const auto decision = f.check(7, "10.0.0.5:7420", /*is_public=*/true);
    EXPECT_EQ(decision.verdict, sender_verdict::changed_id) << "public does not excuse it";
    EXPECT_FALSE(decision.accepted());
    EXPECT_FALSE(decision.remember);
    const auto& text = decision.message;
    EXPECT_EQ(text.find('\n'), std::string::npos);
    EXPECT_NE(text.find(identity::format_peer_id(id_of(7))), std::string::npos) << text;
    EXPECT_NE(text.find(identity::format_peer_id(id_of(2))), std::string::npos) << text;
    EXPECT_NE(text.find("laptop"), std::string::npos) << text;
    EXPECT_NE(text.find("'xfer trust --home /h accept " + identity::format_peer_id(id_of(7)) +
                        " --address 10.0.0.5:7420'"),
              std::string::npos)
        << text;
    // A seen peer elsewhere does not get to answer at a paired peer's address either.
    EXPECT_EQ(f.check(3, "10.0.0.5:7420").verdict, sender_verdict::changed_id);
}

TEST(SenderCheck, APairedPeersNameBindsTheHostTyped) {
    const fixture f;
    EXPECT_EQ(f.check(7, "laptop:7420").verdict, sender_verdict::changed_id);
    EXPECT_EQ(f.check(2, "laptop:7420").verdict, sender_verdict::trusted_peer);
    // A seen peer's name (the host it was first fetched from) binds nothing.
    EXPECT_EQ(f.check(7, "mirror:7420", true).verdict, sender_verdict::public_first_contact);
}

TEST(SenderCheck, PeerPinsTheIdWhateverTheTableSays) {
    fixture f;
    f.options.pinned = id_of(7);
    const auto mismatch = f.check(2, "10.0.0.5:7420");
    EXPECT_EQ(mismatch.verdict, sender_verdict::pin_mismatch) << "even a paired peer";
    EXPECT_NE(mismatch.message.find(identity::format_peer_id(id_of(2))), std::string::npos);
    EXPECT_NE(mismatch.message.find("--peer (" + identity::format_peer_id(id_of(7)) + ")"),
              std::string::npos)
        << mismatch.message;
    const auto pinned = f.check(7, "10.0.0.5:7420");
    EXPECT_EQ(pinned.verdict, sender_verdict::pinned) << "the user's word replaces the old ID";
    EXPECT_TRUE(pinned.remember);
}

TEST(SenderCheck, AnUnknownSenderIsRefusedUnlessItServesPublic) {
    fixture f;
    const auto refused = f.check(8, "127.0.0.1:9000");
    EXPECT_EQ(refused.verdict, sender_verdict::unknown);
    EXPECT_FALSE(refused.accepted());
    EXPECT_NE(refused.message.find("--peer " + identity::format_peer_id(id_of(8))),
              std::string::npos)
        << refused.message;
    EXPECT_EQ(refused.message.find("--code"), std::string::npos);
    f.options.pairing_available = true;
    EXPECT_NE(f.check(8, "127.0.0.1:9000").message.find("--code CODE"), std::string::npos);

    const auto open = f.check(8, "127.0.0.1:9000", /*is_public=*/true);
    EXPECT_EQ(open.verdict, sender_verdict::public_first_contact);
    EXPECT_TRUE(open.accepted());
    EXPECT_TRUE(open.remember);
    EXPECT_NE(open.message.find("without proof"), std::string::npos) << open.message;
}

TEST(SenderCheck, RememberingMakesTheNextFetchAKnownOne) {
    fixture f;
    const presented_sender sender{id_of(8), "127.0.0.1:9000", true};
    ASSERT_TRUE(remember_sender(f.known, sender, at(day)));
    const auto* peer = f.known.find(id_of(8));
    ASSERT_NE(peer, nullptr);
    EXPECT_EQ(peer->trust, trust_level::seen);
    EXPECT_EQ(peer->name, "127.0.0.1");
    EXPECT_EQ(f.check(8, "127.0.0.1:9000", false).verdict, sender_verdict::seen_peer);
    EXPECT_EQ(f.check(9, "127.0.0.1:9000", true).verdict, sender_verdict::changed_id);
    // Accepting a pinned new ID moves the address to it.
    ASSERT_TRUE(remember_sender(f.known, {id_of(9), "127.0.0.1:9000", false}, at(day + 1)));
    EXPECT_EQ(f.check(9, "127.0.0.1:9000").verdict, sender_verdict::seen_peer);
    EXPECT_EQ(f.check(8, "127.0.0.1:9000").verdict, sender_verdict::changed_id);
}

TEST(SenderCheck, HostOfAnAddress) {
    EXPECT_EQ(host_of("10.0.0.5:7420"), "10.0.0.5");
    EXPECT_EQ(host_of("[::1]:7420"), "::1");
    EXPECT_EQ(host_of("nas"), "nas");
    EXPECT_EQ(host_of("::1"), "::1");
}

}  // namespace
}  // namespace xfer::receiver
