// The registry as pure logic: joins, refreshes, leaves, expiry on an injected clock, and every
// bound, with no sockets anywhere.
#include <gtest/gtest.h>

#include "shared/discovery/registry.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery {
namespace {

using namespace std::chrono_literals;
using test::test_content;
using test::test_record;

const steady_time t0{};

TEST(DiscoveryRegistry, JoinUpdateRefreshAndLeave) {
    registry peers;
    auto record = test_record(1, "alpha", 7420, {test_content("a.bin", 1)});
    EXPECT_EQ(peers.upsert(record, "10.0.0.1", t0), upsert_outcome::joined);
    EXPECT_EQ(peers.upsert(record, "10.0.0.1", t0 + 1s), upsert_outcome::refreshed);
    record.contents.push_back(test_content("b.bin", 2));
    EXPECT_EQ(peers.upsert(record, "10.0.0.1", t0 + 2s), upsert_outcome::updated);
    ASSERT_NE(peers.find(record.id), nullptr);
    EXPECT_EQ(peers.find(record.id)->contents.size(), 2u);

    const auto removed = peers.remove(record.id, "10.0.0.1");
    ASSERT_TRUE(removed);
    EXPECT_EQ(*removed, record);
    EXPECT_EQ(peers.size(), 0u);
    EXPECT_FALSE(peers.remove(record.id, "10.0.0.1"));
}

TEST(DiscoveryRegistry, ExpiresOnlyPeersSilentLongerThanTheTimeout) {
    registry peers(registry_limits{.timeout = 5s});
    peers.upsert(test_record(1, "alpha", 1), "10.0.0.1", t0);
    peers.upsert(test_record(2, "beta", 2), "10.0.0.2", t0);
    EXPECT_TRUE(peers.refresh(test::test_peer_id(2), "10.0.0.2", t0 + 4s));

    EXPECT_TRUE(peers.expire(t0 + 5s).empty()) << "exactly at the timeout is not yet longer";
    const auto expired = peers.expire(t0 + 5s + 1ms);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].name, "alpha");
    EXPECT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers.next_deadline(), t0 + 4s + 5s);
    EXPECT_EQ(peers.expire(t0 + 9s + 1ms).size(), 1u);
    EXPECT_FALSE(peers.next_deadline());
}

TEST(DiscoveryRegistry, HeartbeatForUnknownPeerAsksForRegistration) {
    registry peers;
    EXPECT_FALSE(peers.refresh(test::test_peer_id(9), "10.0.0.9", t0));
}

TEST(DiscoveryRegistry, BoundsTotalPeers) {
    registry peers(registry_limits{.max_peers = 3, .max_peers_per_source = 10});
    for (uint8_t seed = 1; seed <= 3; ++seed) {
        EXPECT_EQ(peers.upsert(test_record(seed, "p", 1), "10.0.0." + std::to_string(seed), t0),
                  upsert_outcome::joined);
    }
    EXPECT_EQ(peers.upsert(test_record(4, "p", 1), "10.0.0.4", t0), upsert_outcome::registry_full);
    // A known peer can still update when full.
    EXPECT_EQ(peers.upsert(test_record(3, "renamed", 1), "10.0.0.3", t0), upsert_outcome::updated);
    peers.remove(test::test_peer_id(1), "10.0.0.1");
    EXPECT_EQ(peers.upsert(test_record(4, "p", 1), "10.0.0.4", t0), upsert_outcome::joined);
}

TEST(DiscoveryRegistry, OneSourceCannotRegisterThousandsOfEntries) {
    registry peers(registry_limits{.max_peers = 1024, .max_peers_per_source = 64});
    size_t accepted_count = 0;
    for (int seed = 1; seed <= 250; ++seed) {
        if (peers.upsert(test_record(static_cast<uint8_t>(seed), "flood", 1), "10.6.6.6", t0) ==
            upsert_outcome::joined) {
            ++accepted_count;
        }
    }
    EXPECT_EQ(accepted_count, 64u);
    EXPECT_EQ(peers.upsert(test_record(251, "flood", 1), "10.6.6.6", t0),
              upsert_outcome::source_full);
    EXPECT_EQ(peers.upsert(test_record(251, "honest", 1), "10.0.0.1", t0), upsert_outcome::joined);
    // Expiry gives the source its quota back.
    peers.expire(t0 + 1h);
    EXPECT_EQ(peers.upsert(test_record(1, "flood", 1), "10.6.6.6", t0 + 1h),
              upsert_outcome::joined);
}

TEST(DiscoveryRegistry, OnlyTheRegisteringSourceMayTouchAnEntry) {
    registry peers;
    const auto record = test_record(1, "alpha", 1);
    peers.upsert(record, "10.0.0.1", t0);
    EXPECT_EQ(peers.upsert(test_record(1, "hijack", 1), "10.6.6.6", t0), upsert_outcome::not_owner);
    EXPECT_FALSE(peers.refresh(record.id, "10.6.6.6", t0));
    EXPECT_FALSE(peers.remove(record.id, "10.6.6.6"));
    EXPECT_EQ(peers.find(record.id)->name, "alpha");

    registry lan(registry_limits{.source_owns_entry = false});
    lan.upsert(record, "127.0.0.1", t0);
    EXPECT_TRUE(lan.refresh(record.id, "10.0.0.1", t0));
}

TEST(DiscoveryRegistry, RejectsRecordsBreakingLimits) {
    registry peers;
    auto record = test_record(1, "alpha", 1);
    record.name = std::string(65, 'n');
    EXPECT_EQ(peers.upsert(record, "s", t0), upsert_outcome::invalid);
    record = test_record(1, "alpha", 1);
    for (int i = 0; i < 257; ++i)
        record.contents.push_back(test_content("f" + std::to_string(i), 1));
    EXPECT_EQ(peers.upsert(record, "s", t0), upsert_outcome::invalid);
    record = test_record(1, "alpha", 1, {test_content(std::string(1025, 'p'), 1)});
    EXPECT_EQ(peers.upsert(record, "s", t0), upsert_outcome::invalid);
    record = test_record(1, "alpha", 1, {test_content("a", 1, 10, 5, 4)});
    EXPECT_EQ(peers.upsert(record, "s", t0), upsert_outcome::invalid)
        << "more pieces had than exist";
    record = test_record(1, "alpha", 0);
    EXPECT_EQ(peers.upsert(record, "s", t0), upsert_outcome::invalid) << "port 0";
    record = test_record(1, "al\npha", 1);
    EXPECT_EQ(peers.upsert(record, "s", t0), upsert_outcome::invalid) << "control character";
    record = test_record(1, "alpha", 1);
    record.id = {};
    EXPECT_EQ(peers.upsert(record, "s", t0), upsert_outcome::invalid) << "zero peer id";
    // 256 contents of 1000-byte paths exceed the 64 KiB record limit.
    record = test_record(1, "alpha", 1);
    for (int i = 0; i < 100; ++i)
        record.contents.push_back(test_content(std::to_string(i) + std::string(1000, 'x'), 1));
    EXPECT_EQ(peers.upsert(record, "s", t0), upsert_outcome::invalid);
    EXPECT_EQ(peers.size(), 0u);
}

TEST(DiscoveryRegistry, ListIsSortedByName) {
    registry peers;
    peers.upsert(test_record(1, "charlie", 1), "a", t0);
    peers.upsert(test_record(2, "alpha", 1), "b", t0);
    peers.upsert(test_record(3, "bravo", 1), "c", t0);
    const auto list = peers.list();
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].name, "alpha");
    EXPECT_EQ(list[1].name, "bravo");
    EXPECT_EQ(list[2].name, "charlie");
}

}  // namespace
}  // namespace xfer::discovery
