// Signed LAN datagrams: a listener believes only what the announcing key signed, and shows the
// peer ID of that key.
#include <gtest/gtest.h>

#include "shared/core/error.hpp"
#include "shared/discovery/lan_directory.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery::lan {
namespace {

using namespace std::chrono_literals;
using test::test_content;
using test::test_record;

const steady_time t0{};

peer_record announced(uint8_t seed, const std::string& name) {
    auto record = test_record(seed, name, 9000, {test_content("a.bin", 1)});
    record.sender.host = "0.0.0.0";
    return record;
}
std::string page_of(const peer_record& record, uint32_t generation = 1) {
    return encode_announcement(record, generation).datagrams.at(0);
}

TEST(DiscoverySigned, VerifyGivesTheBodyAndTheSignersPeerId) {
    const auto signer = test::fresh_signer();
    const auto datagram = signer->sign("hello");
    ASSERT_EQ(datagram.size(), 5 + signature_trailer_bytes);
    const auto verified = verify_datagram(datagram);
    ASSERT_TRUE(verified) << verified.error().message();
    EXPECT_EQ(verified->body, "hello");
    EXPECT_EQ(verified->signer, signer->id());
    EXPECT_NE(test::fresh_signer()->id(), signer->id());
}

TEST(DiscoverySigned, AnyChangedByteOrASwappedKeyFailsVerification) {
    const auto signer = test::fresh_signer();
    const auto datagram = signer->sign(page_of(announced(1, "alpha")));
    for (size_t at : {size_t{0}, size_t{30}, datagram.size() - 80, datagram.size() - 1}) {
        auto changed = datagram;
        changed[at] = static_cast<char>(changed[at] ^ 0x01);
        EXPECT_FALSE(verify_datagram(changed)) << "byte " << at;
    }
    // The attacker's key in place of the signer's, the signature kept.
    const auto other = test::fresh_signer()->sign("x");
    auto swapped = datagram;
    swapped.replace(datagram.size() - signature_trailer_bytes, public_key_bytes,
                    other.substr(1, public_key_bytes));
    EXPECT_FALSE(verify_datagram(swapped));
    EXPECT_EQ(verify_datagram("short").error(), make_error_code(errc::frame_truncated));
}

TEST(DiscoverySigned, AValidAnnouncementIsAcceptedWithTheSignersId) {
    const auto signer = test::fresh_signer();
    lan_directory directory;
    const auto changes =
        directory.on_datagram(signer->sign(page_of(announced(1, "alpha"))), "10.77.0.1", t0);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].what, membership_change::kind::joined);
    EXPECT_EQ(changes[0].record.name, "alpha");
    EXPECT_EQ(changes[0].record.identity, signer->id());
}

TEST(DiscoverySigned, UnsignedAndWronglySignedAnnouncementsAreIgnored) {
    lan_directory directory;
    EXPECT_TRUE(directory.on_datagram(page_of(announced(1, "alpha")), "10.77.0.1", t0).empty());
    auto forged = test::fresh_signer()->sign(page_of(announced(2, "bravo")));
    forged[forged.size() - 1] = static_cast<char>(forged.back() ^ 0x80);
    EXPECT_TRUE(directory.on_datagram(forged, "10.77.0.2", t0).empty());
    EXPECT_EQ(directory.peers().size(), 0u);
    EXPECT_EQ(directory.dropped_datagrams(), 2u);
}

TEST(DiscoverySigned, AnotherKeyCannotTakeOverOrRemoveAKnownPeer) {
    const auto owner = test::fresh_signer();
    const auto spoofer = test::fresh_signer();
    lan_directory directory;
    ASSERT_EQ(
        directory.on_datagram(owner->sign(page_of(announced(1, "alpha"))), "10.77.0.1", t0).size(),
        1u);
    // Same per-run id, new generation, another name and address, validly signed by another key.
    auto spoof = announced(1, "evil");
    spoof.sender.host = "10.66.6.6";
    EXPECT_TRUE(directory.on_datagram(spoofer->sign(page_of(spoof, 2)), "10.66.6.6", t0).empty());
    EXPECT_TRUE(
        directory.on_datagram(spoofer->sign(encode_goodbye(spoof.id)), "10.77.0.1", t0).empty());
    const auto* kept = directory.peers().find(test::test_peer_id(1));
    ASSERT_NE(kept, nullptr);
    EXPECT_EQ(kept->name, "alpha");
    EXPECT_EQ(kept->sender.host, "10.77.0.1");
    EXPECT_EQ(kept->identity, owner->id());
    // The owner's own goodbye still works.
    const auto left =
        directory.on_datagram(owner->sign(encode_goodbye(spoof.id)), "10.77.0.1", t0 + 1s);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].what, membership_change::kind::left);
}

TEST(DiscoverySigned, ACopiedNameUnderAnotherKeyShowsThatKeysId) {
    const auto owner = test::fresh_signer();
    const auto impostor = test::fresh_signer();
    lan_directory directory;
    directory.on_datagram(owner->sign(page_of(announced(1, "alpha"))), "10.77.0.1", t0);
    const auto changes =
        directory.on_datagram(impostor->sign(page_of(announced(2, "alpha"))), "10.77.0.2", t0);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].record.identity, impostor->id());
    EXPECT_NE(changes[0].record.identity, owner->id());
}

}  // namespace
}  // namespace xfer::discovery::lan
