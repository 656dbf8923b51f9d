// A real `xfer tracker` fed garbage, oversized frames, non-ZeroMQ bytes and a registration
// flood: it must keep serving, and stay within its bounds.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq.hpp>

#include "shared/core/fd.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/discovery/tracker_protocol.hpp"
#include "shared/discovery/zmq_frames.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::test {
namespace {

using namespace discovery;

void send_raw_tcp(const net::endpoint& where, const std::string& bytes) {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(where.port);
    ::inet_pton(AF_INET, where.host.c_str(), &address.sin_addr);
    ASSERT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    [[maybe_unused]] auto sent = ::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

std::optional<tracker::message> reply(zmq::socket_t& dealer) {
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<zmq::pollitem_t> items{{dealer.handle(), 0, ZMQ_POLLIN, 0}};
        poll_for(items, 100ms);
        if (auto received = receive_message(dealer, limits::max_frames_per_message)) {
            if (auto decoded = tracker::decode(received->frames)) return *decoded;
        }
    }
    return std::nullopt;
}

TEST(DiscoveryTrackerAbuseE2E, SurvivesMalformedInputAndKeepsServing) {
    tracker_process tracker;
    const auto where = tracker.link().endpoint;

    send_raw_tcp(where, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    send_raw_tcp(where, std::string(100000, '\xff'));
    // A ZMTP greeting claiming a huge frame afterwards.
    send_raw_tcp(where, std::string("\xff\0\0\0\0\0\0\0\x01\x7f", 10) + std::string(100, '\xff'));

    zmq::context_t context;
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    make_tracker_client(dealer, tracker.link().key);
    dealer.connect(tcp_address(where));
    const std::vector<tracker::frame_list> garbage = {
        {""},
        {"XT\x01"},
        {"XT\x01\x01", "not a record"},
        {"XT\x09\x04"},
        {"XT\x01\x77", "x"},
        {"XT\x01\x04", "surplus"},
        tracker::frame_list(3000, "many frames"),
        tracker::encode(tracker::welcome_reply{1, 1, 1, "x"}),
    };
    for (const auto& frames : garbage) ASSERT_TRUE(send_message(dealer, frames));
    // A frame over the tracker's size limit: libzmq drops this connection.
    zmq::socket_t oversized(context, zmq::socket_type::dealer);
    oversized.set(zmq::sockopt::linger, 0);
    make_tracker_client(oversized, tracker.link().key);
    oversized.connect(tcp_address(where));
    send_message(oversized, {"XT\x01\x01", std::string(limits::max_frame_bytes * 4, 'x')});

    // Still answering the same connection that sent garbage...
    ASSERT_TRUE(send_message(dealer, tracker::encode(tracker::query_request{})));
    const auto list = reply(dealer);
    ASSERT_TRUE(list && std::holds_alternative<tracker::peer_list_reply>(*list));
    EXPECT_TRUE(std::get<tracker::peer_list_reply>(*list).peers.empty());

    // ...and a well-behaved peer registers and is listed.
    auto peer = start_presence({"survivor", tracker.address(), false, 9001, "0.0.0.0", {}});
    ASSERT_TRUE(peer->wait_for_line("presence ready", discovery_deadline)) << peer->describe();
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    bool listed = false;
    while (!listed && std::chrono::steady_clock::now() < deadline) {
        child_process peers({XFER_BINARY, "peers", "--tracker", tracker.address()});
        ASSERT_EQ(peers.wait(discovery_deadline), 0) << peers.describe();
        listed = peers.stdout_text().find("survivor") != std::string::npos;
    }
    EXPECT_TRUE(listed);
    EXPECT_TRUE(tracker.process().running()) << tracker.process().describe();
}

TEST(DiscoveryTrackerAbuseE2E, OneAddressCannotFillTheTracker) {
    const auto signer = test::fresh_signer();
    tracker_process tracker;
    const auto where = tracker.link().endpoint;
    zmq::context_t context;
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    make_tracker_client(dealer, tracker.link().key);
    dealer.connect(tcp_address(where));
    size_t welcomed = 0, rejected = 0;
    for (int seed = 1; seed <= 100; ++seed) {
        auto record =
            test_record(static_cast<uint8_t>(seed), "flood-" + std::to_string(seed), 9000);
        record.sender.host = "0.0.0.0";
        ASSERT_TRUE(
            send_message(dealer, tracker::encode(tracker::signed_registration(record, *signer))));
        const auto answer = reply(dealer);
        ASSERT_TRUE(answer);
        if (std::holds_alternative<tracker::welcome_reply>(*answer)) ++welcomed;
        if (auto* reject = std::get_if<tracker::reject_reply>(&*answer)) {
            EXPECT_EQ(reject->reason, tracker::reject_reason::source_full);
            ++rejected;
        }
    }
    EXPECT_EQ(welcomed, limits::max_peers_per_source);
    EXPECT_EQ(rejected, 100 - limits::max_peers_per_source);

    child_process peers({XFER_BINARY, "peers", "--tracker", tracker.address()});
    ASSERT_EQ(peers.wait(discovery_deadline), 0) << peers.describe();
    EXPECT_EQ(peers.stdout_lines().size(), limits::max_peers_per_source);
}

TEST(DiscoveryTrackerAbuseE2E, OversizedRecordIsRefused) {
    const auto signer = test::fresh_signer();
    tracker_process tracker;
    const auto where = tracker.link().endpoint;
    zmq::context_t context;
    zmq::socket_t dealer(context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    make_tracker_client(dealer, tracker.link().key);
    dealer.connect(tcp_address(where));
    // 300 contents: over the per-peer limit, so the record does not decode and is dropped.
    auto record = test_record(1, "greedy", 9000);
    for (int i = 0; i < 300; ++i)
        record.contents.push_back(test_content("f" + std::to_string(i), 1));
    ASSERT_TRUE(
        send_message(dealer, tracker::encode(tracker::signed_registration(record, *signer))));
    ASSERT_TRUE(send_message(dealer, tracker::encode(tracker::query_request{})));
    const auto answer = reply(dealer);
    ASSERT_TRUE(answer && std::holds_alternative<tracker::peer_list_reply>(*answer));
    EXPECT_TRUE(std::get<tracker::peer_list_reply>(*answer).peers.empty());
}

}  // namespace
}  // namespace xfer::test
