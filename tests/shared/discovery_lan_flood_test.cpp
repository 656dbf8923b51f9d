// A LAN listener's table under a flood of validly signed announcements from fresh keys (keys
// are free): real peers stay listed, and a real peer first heard during the flood still gets in.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "shared/discovery/lan_directory.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery::lan {
namespace {

using namespace std::chrono_literals;
using test::test_content;
using test::test_record;

const steady_time t0{};

// An announcement of a peer with run id number `n`, signed by `signer`.
std::string announcement(uint32_t n, const datagram_signer& signer) {
    auto record = test_record(1, "peer-" + std::to_string(n), 9000, {test_content("a.bin", 1)});
    record.id = {};
    record.id[0] = 0xF0;
    record.id[1] = static_cast<uint8_t>(n >> 16);
    record.id[2] = static_cast<uint8_t>(n >> 8);
    record.id[3] = static_cast<uint8_t>(n);
    record.sender.host = "0.0.0.0";
    return signer.sign(encode_announcement(record, 1).datagrams.at(0));
}

bool listed(const lan_directory& directory, const std::string& name) {
    const auto peers = directory.peers().list();
    return std::any_of(peers.begin(), peers.end(),
                       [&](const peer_record& p) { return p.name == name; });
}

// `count` announcements from `source`, each from a fresh key and a fresh run id.
void flood(lan_directory& directory, const std::string& source, uint32_t first, uint32_t count,
           steady_time now) {
    for (uint32_t n = first; n < first + count; ++n)
        directory.on_datagram(announcement(n, *test::fresh_signer()), source, now);
}

TEST(DiscoveryLanFlood, ThousandKeysFromOneAddressDoNotPushOutARealPeer) {
    lan_directory directory;
    const auto real = test::fresh_signer();
    ASSERT_EQ(directory.on_datagram(announcement(1, *real), "10.77.0.1", t0).size(), 1u);
    flood(directory, "10.77.0.66", 1000, 1000, t0 + 1s);
    EXPECT_TRUE(listed(directory, "peer-1"));
    EXPECT_EQ(directory.peers().size(), 1 + limits::max_lan_peers_per_source);

    // A real peer first heard after the flood gets in too: the flood's half-assembled
    // announcements are bounded per source, so they leave room for it.
    const auto late = test::fresh_signer();
    EXPECT_EQ(directory.on_datagram(announcement(2, *late), "10.77.0.2", t0 + 2s).size(), 1u);
    EXPECT_TRUE(listed(directory, "peer-2"));
    // The real peer keeps announcing through the flood and stays; the flood's surplus keys
    // never got a place.
    flood(directory, "10.77.0.66", 5000, 100, t0 + 3s);
    directory.on_datagram(announcement(1, *real), "10.77.0.1", t0 + 4s);
    directory.expire(t0 + 4s);
    EXPECT_TRUE(listed(directory, "peer-1"));
    EXPECT_TRUE(listed(directory, "peer-2"));
}

TEST(DiscoveryLanFlood, AFullTableEvictsTheBusiestAddressNewestPeerNeverAnOlderOne) {
    // Room for 16 peers: two flooding addresses fill it, eight each.
    const size_t room = 2 * limits::max_lan_peers_per_source;
    lan_directory directory(limits::lan_timeout, room);
    const auto real = test::fresh_signer();
    ASSERT_EQ(directory.on_datagram(announcement(1, *real), "10.77.0.1", t0).size(), 1u);
    flood(directory, "10.77.0.66", 1000, 8, t0 + 1s);
    flood(directory, "10.77.0.67", 2000, 8, t0 + 2s);
    ASSERT_EQ(directory.peers().size(), room);
    EXPECT_TRUE(listed(directory, "peer-1")) << "heard first, from an address with one peer";

    // A newcomer from a third address takes the place of the newest peer of the busiest one.
    const auto late = test::fresh_signer();
    const auto changes = directory.on_datagram(announcement(2, *late), "10.77.0.2", t0 + 3s);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].what, membership_change::kind::left);
    EXPECT_NE(changes[0].record.name, "peer-1");
    EXPECT_EQ(changes[1].what, membership_change::kind::joined);
    EXPECT_EQ(changes[1].record.name, "peer-2");
    // More flood from yet other addresses evicts flood entries only, never the two real peers.
    for (uint32_t host = 0; host < 8; ++host)
        flood(directory, "10.77.1." + std::to_string(host), 3000 + host * 100, 8, t0 + 4s);
    EXPECT_EQ(directory.peers().size(), room);
    EXPECT_TRUE(listed(directory, "peer-1"));
    EXPECT_TRUE(listed(directory, "peer-2"));
}

// What the listener's probes would report for every listed peer but those named `keep`.
void probes_fail_except(lan_directory& directory, const std::vector<std::string>& keep) {
    for (const auto& peer : directory.peers().list()) {
        if (std::find(keep.begin(), keep.end(), peer.name) == keep.end())
            directory.on_probe(peer.id, false);
    }
}

TEST(DiscoveryLanFlood, AFloodFromManyAddressesGivesWayAsItsAddressesFailToAnswer) {
    // One flood peer per address: no address holds more than another, so the busiest-address
    // rule never applies; only answering tells the real peers from the flood.
    const size_t room = 2 * limits::max_lan_peers_per_source;
    lan_directory directory(limits::lan_timeout, room);
    const auto real = test::fresh_signer();
    ASSERT_EQ(directory.on_datagram(announcement(1, *real), "10.77.0.1", t0).size(), 1u);
    directory.on_probe(directory.peers().list().at(0).id, true);
    for (uint32_t host = 0; host < room - 1; ++host)
        flood(directory, "10.77.2." + std::to_string(host), 1000 + host, 1, t0 + 1s);
    ASSERT_EQ(directory.peers().size(), room);

    const auto late = test::fresh_signer();
    directory.on_datagram(announcement(2, *late), "10.77.0.2", t0 + 2s);
    EXPECT_FALSE(listed(directory, "peer-2")) << "the flood is not known to be silent yet";

    // The flood's addresses were tried and nothing answered: the newcomer takes one's place.
    probes_fail_except(directory, {"peer-1"});
    directory.on_datagram(announcement(2, *late), "10.77.0.2", t0 + 3s);
    EXPECT_TRUE(listed(directory, "peer-2"));
    for (const auto& peer : directory.peers().list()) {
        if (peer.name == "peer-1" || peer.name == "peer-2") directory.on_probe(peer.id, true);
    }

    // Flood after flood from fresh addresses, each found silent in turn: the peers that
    // answered are never the ones to go.
    for (uint32_t wave = 0; wave < 4; ++wave) {
        for (uint32_t host = 0; host < room; ++host) {
            flood(directory, "10.78." + std::to_string(wave) + "." + std::to_string(host),
                  5000 + wave * 100 + host, 1, t0 + 4s);
        }
        probes_fail_except(directory, {"peer-1", "peer-2"});
        EXPECT_TRUE(listed(directory, "peer-1")) << "wave " << wave;
        EXPECT_TRUE(listed(directory, "peer-2")) << "wave " << wave;
    }
    EXPECT_EQ(directory.peers().size(), room);
}

}  // namespace
}  // namespace xfer::discovery::lan
