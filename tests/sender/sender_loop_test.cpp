// The real sender loop on loopback, driven by receivers that speak the protocol through a
// peer_session: peer exchange (PEERS to the newcomer and to those already there) and
// connect-back (the receiver's sender published for our own receiver). Waits are upper bounds
// only: each test ends as soon as what it waits for arrives.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <functional>

#include "receiver/remote_listing.hpp"
#include "sender/sender.hpp"
#include "shared/bus/events.hpp"
#include "shared/net/socket.hpp"
#include "shared/session/peer_session.hpp"
#include "tests/support/sandbox.hpp"
#include "tests/support/tls_peer.hpp"

namespace xfer::test {
namespace {

using namespace std::chrono_literals;
constexpr auto patience = 60s;

// Keeps what the sender says that these tests look at; tolerates the rest.
class recording_handler final : public session::message_handler {
  public:
    std::vector<wire::peers_msg> peers;
    bool manifest = false;

    std::error_code on_manifest(const wire::manifest_msg&) override {
        manifest = true;
        return {};
    }
    std::error_code on_peers(const wire::peers_msg& message) override {
        peers.push_back(message);
        return {};
    }

  protected:
    std::error_code unexpected(wire::message_type) override { return {}; }
};

class loopback_receiver {
  public:
    loopback_receiver(const net::endpoint& sender, uint16_t own_sender_port) {
        auto fd = net::connect_tcp(sender, 10s);
        if (!fd) throw std::runtime_error(fd.error());
        wire::hello hello;
        hello.id[0] = static_cast<uint8_t>(own_sender_port);
        hello.listen_port = own_sender_port;
        hello.listen_host = "127.0.0.1";
        session_.emplace(session::role::initiator,
                         std::make_unique<tls::tls_stream>(std::move(*fd), test_tls_context(),
                                                           tls::side::client),
                         hello, handler, 1024 * 1024);
        open(1);
    }

    void open(uint32_t handle) {
        session_->send(wire::open_request{handle, content_id{}, "film.bin"});
    }

    // Reads until `done` holds; false if the sender closed, failed or took longer than patience.
    bool wait_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + patience;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            if (session_->wants_write() && session_->flush().error) return false;
            pollfd item{session_->fd(),
                        static_cast<short>(POLLIN | (session_->wants_write() ? POLLOUT : 0)), 0};
            if (!session_->has_buffered_input()) ::poll(&item, 1, 100);
            if (session_->receive()) return false;
        }
        return true;
    }

    recording_handler handler;

  private:
    std::optional<session::peer_session> session_;
};

class SenderLoop : public ::testing::Test {
  protected:
    void SetUp() override {
        box_.write("share/film.bin", pseudo_random_bytes(300'000, 3));
        auto store = piece_store::open(box_ / "share", /*create=*/false, box_ / "cache");
        ASSERT_TRUE(store) << store.error().message();
        connect_back_.set(zmq::sockopt::linger, 0);
        connect_back_.set(zmq::sockopt::subscribe, "");
        connect_back_.bind(bus::peer_events_endpoint);
        sender::sender_options options;
        options.listen = {"127.0.0.1", 0};
        options.bind_directory_bus = false;
        options.prehash = false;
        options.tls = test_tls_context();
        auto started = sender::sender::start(zmq_, *store, options);
        ASSERT_TRUE(started) << started.error();
        sender_ = std::move(*started);
    }

    sandbox box_;
    zmq::context_t zmq_;
    zmq::socket_t connect_back_{zmq_,
                                zmq::socket_type::sub};  // where our own receiver would listen
    std::unique_ptr<sender::sender> sender_;
};

bool names(const std::vector<wire::peers_msg>& messages, uint16_t port) {
    for (const auto& message : messages) {
        for (const auto& peer : message.peers) {
            if (peer.port == port && peer.host == "127.0.0.1") return true;
        }
    }
    return false;
}

TEST_F(SenderLoop, LsSeesTheSendersVerifiedIdAndMayRefuseItBeforeAskingAnything) {
    std::optional<identity::peer_id> seen;
    receiver::listing_security security{fresh_tls_context(), {}, {}};
    security.check_sender = [&](const identity::peer_id& peer, const net::endpoint&) {
        seen = peer;
        return session::peer_verdict::allow();
    };
    const auto listed =
        receiver::fetch_listing(sender_->listening(), "", random_peer_id(), security, 30s);
    ASSERT_TRUE(listed) << listed.error().message;
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].name, "film.bin");
    ASSERT_TRUE(seen);
    EXPECT_EQ(*seen, test_tls_context()->our_id()) << "not the ID of the sender's key";

    security.check_sender = [](const identity::peer_id&, const net::endpoint&) {
        return session::peer_verdict::refuse("ID changed since last time");
    };
    const auto refused =
        receiver::fetch_listing(sender_->listening(), "", random_peer_id(), security, 30s);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("ID changed since last time"), std::string::npos)
        << refused.error().message;
}

TEST_F(SenderLoop, NewcomerAndReceiversAlreadyThereAreIntroduced) {
    loopback_receiver first(sender_->listening(), 7101);
    ASSERT_TRUE(first.wait_until([&] { return first.handler.manifest; }));
    EXPECT_TRUE(first.handler.peers.empty()) << "introduced to somebody while alone";

    loopback_receiver second(sender_->listening(), 7102);
    ASSERT_TRUE(second.wait_until([&] { return names(second.handler.peers, 7101); }))
        << "the newcomer never heard of the receiver already there";
    ASSERT_TRUE(first.wait_until([&] { return names(first.handler.peers, 7102); }))
        << "the receiver already there never heard of the newcomer";
}

TEST_F(SenderLoop, ReceiverRunningASenderIsPublishedForConnectBack) {
    loopback_receiver receiver(sender_->listening(), 7201);
    // A SUB hears a PUB only once it has handled the PUB's connection, which it does when used;
    // a hint published before that is dropped (PUB/SUB), so each answered OPEN is followed by
    // another until a hint arrives (a handful of handles at most, well under the limit).
    zmq::pollitem_t item{connect_back_.handle(), 0, ZMQ_POLLIN, 0};
    uint32_t opens = 1;
    ASSERT_TRUE(receiver.wait_until([&] {
        if (zmq::poll(&item, 1, std::chrono::milliseconds(0)) == 1) return true;
        if (receiver.handler.manifest && opens < 60) {
            receiver.handler.manifest = false;
            receiver.open(++opens);
        }
        return false;
    })) << "no connect-back hint published";
    zmq::message_t frame;
    ASSERT_TRUE(connect_back_.recv(frame, zmq::recv_flags::none));
    const auto event = bus::decode(frame);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->type, bus::event_type::peer_learned);
    EXPECT_EQ(event->text, "127.0.0.1:7201");
}

}  // namespace
}  // namespace xfer::test
