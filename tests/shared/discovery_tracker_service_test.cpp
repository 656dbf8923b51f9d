// The tracker's behaviour without sockets: what each request answers and pushes, expiry,
// bounds, and garbage that must change nothing.
#include <gtest/gtest.h>

#include "shared/discovery/tracker_service.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery::tracker {
namespace {

using namespace std::chrono_literals;
using test::test_content;
using test::test_record;

const steady_time t0{};

// Every test peer registers with one key, as one installation would.
const lan::datagram_signer& test_signer() {
    static const auto signer = test::fresh_signer();
    return *signer;
}
frame_list signed_register(const peer_record& record) {
    return encode(signed_registration(record, test_signer()));
}

template <typename T>
T only(const std::vector<frame_list>& messages) {
    EXPECT_EQ(messages.size(), 1u);
    if (messages.size() != 1) return T{};
    auto decoded = decode(messages[0]);
    EXPECT_TRUE(decoded);
    EXPECT_TRUE(decoded && std::holds_alternative<T>(*decoded));
    return decoded && std::holds_alternative<T>(*decoded) ? std::get<T>(*decoded) : T{};
}

class DiscoveryTrackerService : public ::testing::Test {
  protected:
    tracker_service service{service_settings{1s, 5s, 7422, 99}};
};

TEST_F(DiscoveryTrackerService, RegisterWelcomesAndPushesAJoin) {
    auto record = test_record(1, "alpha", 9000, {test_content("a.bin", 1)});
    record.sender.host = "0.0.0.0";
    const auto out = service.handle(signed_register(record), "192.168.5.5", t0);
    const auto welcome = only<welcome_reply>(out.replies);
    EXPECT_EQ(welcome.heartbeat_interval_ms, 1000u);
    EXPECT_EQ(welcome.heartbeat_timeout_ms, 5000u);
    EXPECT_EQ(welcome.pub_port, 7422);
    EXPECT_EQ(welcome.sender_host, "192.168.5.5")
        << "unspecified host replaced by the source address";
    const auto joined = only<membership_push>(out.pushes);
    EXPECT_EQ(joined.kind, message_type::joined);
    EXPECT_EQ(joined.seq, 1u);
    EXPECT_EQ(joined.instance, 99u);
    EXPECT_EQ(joined.record.sender.to_string(), "192.168.5.5:9000");

    // The same record again: welcome, no push. A changed one: an UPDATED push.
    EXPECT_TRUE(service.handle(signed_register(record), "192.168.5.5", t0).pushes.empty());
    record.contents.push_back(test_content("b.bin", 2));
    const auto updated =
        only<membership_push>(service.handle(signed_register(record), "192.168.5.5", t0).pushes);
    EXPECT_EQ(updated.kind, message_type::updated);
    EXPECT_EQ(updated.seq, 2u);
}

TEST_F(DiscoveryTrackerService, ExplicitHostIsKept) {
    const auto record = test_record(1, "alpha", 9000);
    const auto out = service.handle(signed_register(record), "192.168.5.5", t0);
    EXPECT_EQ(only<welcome_reply>(out.replies).sender_host, "10.0.0.1");
}

TEST_F(DiscoveryTrackerService, HeartbeatKeepsAPeerAndUnknownPeersAreAskedToRegister) {
    const auto record = test_record(1, "alpha", 9000);
    service.handle(signed_register(record), "10.0.0.1", t0);
    for (auto t = 1s; t <= 20s; t += 1s) {
        EXPECT_TRUE(service.handle(encode(heartbeat_request{record.id}), "10.0.0.1", t0 + t)
                        .replies.empty());
        EXPECT_TRUE(service.expire(t0 + t).empty());
    }
    const auto stranger = test::test_peer_id(2);
    const auto reply = only<unknown_peer_reply>(
        service.handle(encode(heartbeat_request{stranger}), "10.0.0.2", t0).replies);
    EXPECT_EQ(reply.id, stranger);
}

TEST_F(DiscoveryTrackerService, SilentPeerExpiresWithAPush) {
    service.handle(signed_register(test_record(1, "alpha", 9000)), "10.0.0.1", t0);
    EXPECT_TRUE(service.expire(t0 + 5s).empty());
    const auto left = only<membership_push>(service.expire(t0 + 5s + 1ms));
    EXPECT_EQ(left.kind, message_type::left);
    EXPECT_EQ(left.reason, leave_reason::expired);
    EXPECT_EQ(left.record.name, "alpha");
    EXPECT_EQ(service.peers().size(), 0u);
}

TEST_F(DiscoveryTrackerService, LeaveRemovesAtOnce) {
    const auto record = test_record(1, "alpha", 9000);
    service.handle(signed_register(record), "10.0.0.1", t0);
    EXPECT_TRUE(service.handle(encode(leave_request{record.id}), "10.6.6.6", t0).pushes.empty())
        << "only the registering address may remove a peer";
    const auto left = only<membership_push>(
        service.handle(encode(leave_request{record.id}), "10.0.0.1", t0).pushes);
    EXPECT_EQ(left.reason, leave_reason::left);
    EXPECT_EQ(left.seq, 2u);
}

TEST_F(DiscoveryTrackerService, QueryInfoAndSync) {
    service.handle(signed_register(test_record(2, "bravo", 1)), "10.0.0.2", t0);
    service.handle(signed_register(test_record(1, "alpha", 1)), "10.0.0.1", t0);
    const auto list =
        only<peer_list_reply>(service.handle(encode(query_request{}), "10.0.0.9", t0).replies);
    EXPECT_EQ(list.seq, 2u);
    EXPECT_EQ(list.instance, 99u);
    ASSERT_EQ(list.peers.size(), 2u);
    EXPECT_EQ(list.peers[0].name, "alpha");
    const auto info =
        only<info_reply>(service.handle(encode(info_request{}), "10.0.0.9", t0).replies);
    EXPECT_EQ(info.pub_port, 7422);
    EXPECT_EQ(info.seq, 2u);
    const auto out = service.handle(encode(sync_request{42}), "10.0.0.9", t0);
    EXPECT_TRUE(out.replies.empty());
    const auto echo = only<sync_echo_push>(out.pushes);
    EXPECT_EQ(echo.token, 42u);
    EXPECT_EQ(echo.seq, 2u) << "an echo does not consume a seq";
}

TEST_F(DiscoveryTrackerService, SyncEchoesAreRateLimited) {
    size_t echoes = 0;
    for (int i = 0; i < 1000; ++i)
        echoes += service.handle(encode(sync_request{1}), "10.6.6.6", t0).pushes.size();
    EXPECT_EQ(echoes, limits::max_sync_echoes_per_second);
    EXPECT_EQ(service.handle(encode(sync_request{1}), "10.0.0.1", t0 + 1s).pushes.size(), 1u)
        << "the next second has room again";
}

TEST_F(DiscoveryTrackerService, BoundsAreEnforcedWithAReject) {
    tracker_service small{
        service_settings{1s, 5s, 1, 1, /*max_peers=*/100, /*max_peers_per_source=*/2}};
    small.handle(signed_register(test_record(1, "a", 1)), "10.6.6.6", t0);
    small.handle(signed_register(test_record(2, "b", 1)), "10.6.6.6", t0);
    const auto out = small.handle(signed_register(test_record(3, "c", 1)), "10.6.6.6", t0);
    EXPECT_EQ(only<reject_reply>(out.replies).reason, reject_reason::source_full);
    EXPECT_TRUE(out.pushes.empty());
    EXPECT_EQ(small.peers().size(), 2u);
}

TEST_F(DiscoveryTrackerService, GarbageProducesNothingAndChangesNothing) {
    service.handle(signed_register(test_record(1, "alpha", 1)), "10.0.0.1", t0);
    const std::vector<frame_list> garbage = {
        {},
        {""},
        {"GET / HTTP/1.1\r\n\r\n"},
        {"XT\x01\x01", "short"},
        {"XT\x01\x01", std::string(70000, 'x')},
        {"XT\x03\x04"},
        {"XT\x01\x02", "not an id", "extra"},
        encode(welcome_reply{1, 1, 1, "x"}),  // a reply sent to the tracker
        encode(membership_push{message_type::left, 99, 1, leave_reason::left,
                               test_record(1, "alpha", 1)}),
    };
    for (const auto& frames : garbage) {
        const auto out = service.handle(frames, "10.6.6.6", t0);
        EXPECT_TRUE(out.replies.empty());
        EXPECT_TRUE(out.pushes.empty());
    }
    EXPECT_EQ(service.dropped_messages(), garbage.size());
    EXPECT_EQ(service.peers().size(), 1u);
    EXPECT_EQ(service.seq(), 1u);
}

}  // namespace
}  // namespace xfer::discovery::tracker
