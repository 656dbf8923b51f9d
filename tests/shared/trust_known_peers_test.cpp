// known_peers, the table: lookups by ID, name and address; one peer per address; trust is never
// lowered by a later add; every bound holds.
#include <gtest/gtest.h>

#include "shared/trust/known_peers.hpp"

namespace xfer::trust {
namespace {

peer_id id_of(uint8_t seed) {
    peer_id id;
    id.digest.fill(seed);
    return id;
}

timestamp at(long seconds) {
    return timestamp(std::chrono::seconds(seconds));
}

TEST(KnownPeers, FindsByIdNameAndAddress) {
    known_peers table;
    ASSERT_TRUE(table.add(id_of(1), "laptop", trust_level::paired, at(100)));
    ASSERT_TRUE(table.add(id_of(2), "nas", trust_level::allowed, at(100)));
    table.seen_at(id_of(1), "10.0.0.5:7420", at(200));
    ASSERT_NE(table.find(id_of(1)), nullptr);
    EXPECT_EQ(table.find(id_of(1))->name, "laptop");
    EXPECT_EQ(table.find(id_of(3)), nullptr);
    ASSERT_EQ(table.find_by_name("nas").size(), 1u);
    EXPECT_EQ(table.find_by_name("nas").front()->id, id_of(2));
    EXPECT_TRUE(table.find_by_name("desk").empty());
    ASSERT_NE(table.find_by_address("10.0.0.5:7420"), nullptr);
    EXPECT_EQ(table.find_by_address("10.0.0.5:7420")->id, id_of(1));
    EXPECT_EQ(table.find_by_address("10.0.0.5:7421"), nullptr);
    EXPECT_EQ(table.find(id_of(1))->first_seen, at(100));
    EXPECT_EQ(table.find(id_of(1))->last_seen, at(200));
}

TEST(KnownPeers, AnAddressBelongsToTheLastPeerVerifiedThere) {
    known_peers table;
    ASSERT_TRUE(table.add(id_of(1), "old", trust_level::paired, at(1)));
    ASSERT_TRUE(table.add(id_of(2), "new", trust_level::seen, at(1)));
    table.seen_at(id_of(1), "host:7420", at(2));
    table.seen_at(id_of(2), "host:7420", at(3));
    EXPECT_EQ(table.find_by_address("host:7420")->id, id_of(2));
    EXPECT_TRUE(table.find(id_of(1))->addresses.empty());
}

TEST(KnownPeers, MostRecentAddressFirstAndAtMostEight) {
    known_peers table;
    ASSERT_TRUE(table.add(id_of(1), "p", trust_level::seen, at(1)));
    for (int i = 0; i < 12; ++i) table.seen_at(id_of(1), "h" + std::to_string(i) + ":1", at(2 + i));
    table.seen_at(id_of(1), "h11:1", at(30));  // again: stays first, not duplicated
    const auto& addresses = table.find(id_of(1))->addresses;
    ASSERT_EQ(addresses.size(), max_addresses_per_peer);
    EXPECT_EQ(addresses.front(), "h11:1");
    EXPECT_EQ(addresses.back(), "h4:1");
}

TEST(KnownPeers, BadAddressesAreNotRecorded) {
    known_peers table;
    ASSERT_TRUE(table.add(id_of(1), "p", trust_level::seen, at(1)));
    table.seen_at(id_of(1), "a b:1", at(2));
    table.seen_at(id_of(1), "a,b:1", at(2));
    table.seen_at(id_of(1), "", at(2));
    table.seen_at(id_of(1), std::string(300, 'a'), at(2));
    table.seen_at(id_of(9), "unknown:1", at(2));
    EXPECT_TRUE(table.find(id_of(1))->addresses.empty());
    EXPECT_EQ(table.find_by_address("unknown:1"), nullptr);
}

TEST(KnownPeers, AddNeverLowersTrustAndKeepsAName) {
    known_peers table;
    ASSERT_TRUE(table.add(id_of(1), "laptop", trust_level::paired, at(1)));
    ASSERT_TRUE(table.add(id_of(1), "other", trust_level::seen, at(2)));
    EXPECT_EQ(table.find(id_of(1))->trust, trust_level::paired);
    EXPECT_EQ(table.find(id_of(1))->name, "laptop");
    ASSERT_TRUE(table.add(id_of(2), "", trust_level::seen, at(1)));
    ASSERT_TRUE(table.add(id_of(2), "nas", trust_level::allowed, at(2)));
    EXPECT_EQ(table.find(id_of(2))->trust, trust_level::allowed);
    EXPECT_EQ(table.find(id_of(2))->name, "nas");
    EXPECT_EQ(table.size(), 2u);
}

TEST(KnownPeers, RenameAndRemove) {
    known_peers table;
    ASSERT_TRUE(table.add(id_of(1), "a", trust_level::allowed, at(1)));
    EXPECT_TRUE(table.rename(id_of(1), "b"));
    EXPECT_EQ(table.find(id_of(1))->name, "b");
    EXPECT_FALSE(table.rename(id_of(2), "c"));
    EXPECT_TRUE(table.remove(id_of(1)));
    EXPECT_FALSE(table.remove(id_of(1)));
    EXPECT_EQ(table.size(), 0u);
}

TEST(KnownPeers, NamesAreCutOnAUtf8Boundary) {
    std::string name(max_name_bytes - 1, 'a');
    name += "\xc3\xa9";  // é straddles the limit
    EXPECT_EQ(bounded_name(name), std::string(max_name_bytes - 1, 'a'));
    EXPECT_EQ(bounded_name("short"), "short");
}

TEST(KnownPeers, AFullTableDropsTheStalestSeenPeer) {
    known_peers table;
    for (size_t i = 0; i < max_known_peers; ++i) {
        peer_id id;
        id.digest[0] = static_cast<uint8_t>(i & 0xff);
        id.digest[1] = static_cast<uint8_t>(i >> 8);
        const auto level = i == 7 ? trust_level::seen : trust_level::allowed;
        ASSERT_TRUE(table.add(id, "p", level, at(static_cast<long>(i))));
    }
    peer_id newcomer;
    newcomer.digest.fill(0xee);
    ASSERT_TRUE(table.add(newcomer, "new", trust_level::paired, at(99999)));
    EXPECT_EQ(table.size(), max_known_peers);
    peer_id dropped;
    dropped.digest[0] = 7;
    EXPECT_EQ(table.find(dropped), nullptr) << "the one seen peer made room";
    peer_id another;
    another.digest.fill(0xef);
    const auto refused = table.add(another, "x", trust_level::paired, at(100000));
    ASSERT_FALSE(refused) << "trusted peers are never dropped to make room";
    EXPECT_NE(refused.error().find("xfer trust remove"), std::string::npos) << refused.error();
}

TEST(KnownPeers, TrustLevelNamesRoundTrip) {
    for (const auto level : {trust_level::paired, trust_level::allowed, trust_level::seen})
        EXPECT_EQ(parse_trust_level(trust_level_name(level)), level);
    EXPECT_FALSE(parse_trust_level("trusted"));
    EXPECT_TRUE(may_read(trust_level::paired));
    EXPECT_TRUE(may_read(trust_level::allowed));
    EXPECT_FALSE(may_read(trust_level::seen));
}

}  // namespace
}  // namespace xfer::trust
