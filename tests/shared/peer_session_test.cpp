// The peer session over a fake stream: who sends HELLO when, the one place a HELLO is checked,
// and dispatch of every later message to its own handler.
#include "shared/session/peer_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shared/core/error.hpp"
#include "tests/support/fake_stream.hpp"

namespace xfer::session {
namespace {

using test::fake_stream;

// Names each handler called, in order; refuses the peer when told to.
class naming_handler final : public message_handler {
  public:
    std::vector<std::string> calls;
    std::error_code refuse_hello;
    std::error_code refuse_peer;
    std::optional<identity::peer_id> verified;

    std::error_code on_peer_verified(const identity::peer_id& peer) override {
        verified = peer;  // not in `calls`: every session makes this call first
        return refuse_peer;
    }
    std::error_code on_hello(const wire::hello&) override { return note("hello", refuse_hello); }
    std::error_code on_error(const wire::error_msg&) override { return note("error"); }
    std::error_code on_bye() override { return note("bye"); }
    std::error_code on_have(const wire::have&) override { return note("have"); }
    std::error_code on_request(const wire::request&) override { return note("request"); }

  private:
    std::error_code note(std::string name, std::error_code result = {}) {
        calls.push_back(std::move(name));
        return result;
    }
};

wire::hello hello_from(uint8_t id) {
    wire::hello hello;
    hello.id[0] = id;
    return hello;
}

template <typename Message>
std::vector<uint8_t> frame(const Message& message) {
    std::vector<uint8_t> bytes;
    wire::encode(message, bytes);
    return bytes;
}

struct session_over_fake {
    naming_handler handler;
    fake_stream* stream;
    std::optional<peer_session> session;

    explicit session_over_fake(role side, bool authenticated = true) {
        auto owned = std::make_unique<fake_stream>();
        owned->peer.digest[0] = 0x42;
        owned->authenticated = authenticated;
        stream = owned.get();
        session.emplace(side, std::move(owned), hello_from(0xaa), handler, 1 << 20);
    }
    template <typename Message>
    void peer_says(const Message& message) {
        wire::encode(message, stream->input);
    }
    std::vector<uint8_t> written() {
        (void)session->flush();
        return stream->output;
    }
};

TEST(PeerSession, InitiatorSendsItsHelloFirst) {
    session_over_fake s(role::initiator);
    EXPECT_EQ(s.written(), frame(hello_from(0xaa)));
}

TEST(PeerSession, ResponderAnswersOnlyAValidHello) {
    session_over_fake s(role::responder);
    EXPECT_TRUE(s.written().empty()) << "a responder spoke first";
    s.peer_says(hello_from(1));
    ASSERT_FALSE(s.session->receive());
    EXPECT_TRUE(s.session->handshake_done());
    EXPECT_EQ(s.session->remote_hello()->id, hello_from(1).id);
    EXPECT_EQ(s.written(), frame(hello_from(0xaa)));
    EXPECT_EQ(s.handler.calls, std::vector<std::string>{"hello"});
}

TEST(PeerSession, TheVerifiedPeerIdIsCheckedBeforeAnythingIsSentOrHandled) {
    session_over_fake s(role::initiator);
    s.handler.refuse_peer = errc::peer_not_allowed;
    s.peer_says(hello_from(1));
    EXPECT_EQ(s.session->flush().error, make_error_code(errc::peer_not_allowed));
    EXPECT_TRUE(s.stream->output.empty()) << "our HELLO went to a peer the owner refused";
    ASSERT_TRUE(s.handler.verified);
    EXPECT_EQ(s.handler.verified->digest[0], 0x42);
    EXPECT_TRUE(s.handler.calls.empty()) << "a frame of a refused peer was handled";
    EXPECT_EQ(s.session->remote_peer_id(), s.handler.verified);
}

TEST(PeerSession, AStreamThatProvesNoIdentityIsRefused) {
    for (const auto side : {role::initiator, role::responder}) {
        session_over_fake s(side, /*authenticated=*/false);
        s.peer_says(hello_from(1));
        EXPECT_EQ(s.session->receive(), make_error_code(errc::not_authenticated));
        EXPECT_EQ(s.session->flush().error, make_error_code(errc::not_authenticated));
        EXPECT_TRUE(s.stream->output.empty()) << "plaintext went out";
        EXPECT_TRUE(s.handler.calls.empty());
        EXPECT_FALSE(s.handler.verified);
    }
}

TEST(PeerSession, AResponderMayRefuseWithErrorInsteadOfHello) {
    session_over_fake s(role::initiator);
    s.peer_says(wire::error_msg{0, static_cast<uint16_t>(errc::peer_not_allowed), "not paired"});
    EXPECT_TRUE(s.session->receive());
    EXPECT_EQ(s.handler.calls, std::vector<std::string>{"error"});
    EXPECT_FALSE(s.session->handshake_done());
}

TEST(PeerSession, FirstFrameThatIsNotHelloIsBadProtocol) {
    session_over_fake s(role::responder);
    s.peer_says(wire::have{1, 2});
    EXPECT_EQ(s.session->receive(), make_error_code(errc::bad_protocol));
    EXPECT_TRUE(s.handler.calls.empty());
}

TEST(PeerSession, AnotherVersionIsRefusedByEitherSide) {
    for (const auto side : {role::initiator, role::responder}) {
        session_over_fake s(side);
        auto hello = hello_from(1);
        hello.version = wire::protocol_version + 1;
        s.peer_says(hello);
        EXPECT_EQ(s.session->receive(), make_error_code(errc::version_mismatch));
        EXPECT_TRUE(s.handler.calls.empty()) << "the owner saw a HELLO of another version";
    }
}

TEST(PeerSession, OwnerMayRefuseThePeer) {
    session_over_fake s(role::responder);
    s.handler.refuse_hello = errc::cancelled;
    s.peer_says(hello_from(1));
    EXPECT_EQ(s.session->receive(), make_error_code(errc::cancelled));
    EXPECT_TRUE(s.written().empty()) << "answered a peer its owner refused";
}

TEST(PeerSession, EachMessageGoesToItsOwnHandler) {
    session_over_fake s(role::initiator);
    s.peer_says(hello_from(1));
    s.peer_says(wire::have{1, 2});
    s.peer_says(wire::keepalive{});  // the session's own business
    s.peer_says(wire::request{{1, 0, 0, 16}});
    s.peer_says(wire::error_msg{0, 3, "no"});
    s.peer_says(wire::bye{});
    ASSERT_FALSE(s.session->receive());
    EXPECT_EQ(s.handler.calls,
              (std::vector<std::string>{"hello", "have", "request", "error", "bye"}));
}

TEST(PeerSession, MessageTheOwnerDoesNotHandleIsUnexpected) {
    session_over_fake s(role::initiator);
    s.peer_says(hello_from(1));
    s.peer_says(wire::close_msg{1});
    EXPECT_EQ(s.session->receive(), make_error_code(errc::unexpected_message));
}

TEST(PeerSession, SecondHelloIsUnexpected) {
    session_over_fake s(role::initiator);
    s.peer_says(hello_from(1));
    s.peer_says(hello_from(1));
    EXPECT_EQ(s.session->receive(), make_error_code(errc::unexpected_message));
    EXPECT_EQ(s.handler.calls, std::vector<std::string>{"hello"});
}

TEST(PeerSession, KeepaliveOnlyWhenIdleAndNothingWaits) {
    session_over_fake s(role::initiator);
    // The HELLO still waits to go out: a KEEPALIVE behind it would say nothing new.
    s.session->keepalive_if_idle(peer_session::clock::now() + keepalive_interval);
    const auto hello = s.written();
    EXPECT_EQ(hello, frame(hello_from(0xaa)));
    // Sent just now: not idle yet.
    s.session->keepalive_if_idle(peer_session::clock::now());
    EXPECT_EQ(s.written(), hello);
    s.session->keepalive_if_idle(peer_session::clock::now() + keepalive_interval);
    auto expected = hello;
    const auto keepalive = frame(wire::keepalive{});
    expected.insert(expected.end(), keepalive.begin(), keepalive.end());
    EXPECT_EQ(s.written(), expected);
}

TEST(PeerSession, ClosedStreamIsPeerClosed) {
    session_over_fake s(role::initiator);
    s.stream->close_at_end = true;
    EXPECT_EQ(s.session->receive(), make_error_code(errc::peer_closed));
}

}  // namespace
}  // namespace xfer::session
