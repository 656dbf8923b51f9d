// The upload session driven over a fake stream: what a sender serves, refuses and declines, and
// the limits that drop a receiver. Each test fails if the behaviour it names is removed.
#include <gtest/gtest.h>

#include "shared/core/error.hpp"
#include "tests/sender/upload_fixture.hpp"

namespace xfer::test {
namespace {

using namespace std::chrono_literals;
using upload_session = upload_test;

TEST_F(upload_session, AnswersHelloWithOurs) {
    scripted_receiver receiver(1, context_, receiver_hello(1));
    ASSERT_FALSE(receiver.deliver());
    const auto hellos = receiver.listen().all<wire::hello>();
    ASSERT_EQ(hellos.size(), 1u);
    EXPECT_EQ(hellos[0].id, our_hello_.id);
}

TEST_F(upload_session, AuthorizeSeesTheVerifiedPeerAndItsRefusalReachesTheReceiver) {
    std::optional<identity::peer_id> asked_about;
    std::string asked_from;
    authorize_ = [&](const identity::peer_id& peer, const net::endpoint& address) {
        asked_about = peer;
        asked_from = address.to_string();
        return session::peer_verdict::refuse("not paired with this sender; run xfer pair");
    };
    scripted_receiver receiver(1, context_, receiver_hello(1));
    EXPECT_EQ(receiver.deliver(), make_error_code(errc::peer_not_allowed));
    ASSERT_TRUE(asked_about);
    EXPECT_EQ(*asked_about, identity::peer_id{}) << "not the ID the transport proved";
    EXPECT_EQ(asked_from, "127.0.0.9:40000");
    receiver.connection->close_with(make_error_code(errc::peer_not_allowed));
    const auto answer = receiver.listen();
    EXPECT_TRUE(answer.all<wire::hello>().empty()) << "a refused peer got our HELLO";
    const auto errors = answer.all<wire::error_msg>();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].code, static_cast<uint16_t>(errc::peer_not_allowed));
    EXPECT_EQ(errors[0].text, "not paired with this sender; run xfer pair");
}

TEST_F(upload_session, RefusesAnotherProtocolVersion) {
    auto hello = receiver_hello(1);
    hello.version = wire::protocol_version + 1;
    scripted_receiver receiver(1, context_, hello);
    EXPECT_EQ(receiver.deliver(), make_error_code(errc::version_mismatch));
    EXPECT_TRUE(receiver.listen().all<wire::hello>().empty()) << "answered a HELLO it refused";
}

TEST_F(upload_session, ServesAnnouncedPiecesAndRefusesOthersAsUnavailable) {
    const auto entry = partial_file("part.bin", {0, 2});
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    const auto announced = receiver->listen().all<wire::bitfield_msg>();
    ASSERT_EQ(announced.size(), 1u);
    EXPECT_EQ(announced[0].bits, std::vector<uint8_t>{0xa0});  // pieces 0 and 2

    receiver->say(request(1, 2));
    ASSERT_FALSE(receiver->deliver());
    const auto served = receiver->listen().pieces;
    ASSERT_EQ(served.size(), 1u);
    EXPECT_EQ(served[0], (wire::piece_header{1, 2, 0}));

    receiver->say(request(1, 1));  // never announced: not verified here
    EXPECT_EQ(receiver->deliver(), make_error_code(errc::piece_unavailable));
    EXPECT_TRUE(receiver->listen().pieces.empty()) << "served a piece it does not hold";
}

TEST_F(upload_session, SeederDeclinesToASecondReceiverAPieceItJustGave) {
    const auto entry = complete_file("whole.bin");
    auto first = connect(1);
    auto second = connect(2);
    opened(*first, 1, entry);
    opened(*second, 7, entry);
    (void)first->listen();
    (void)second->listen();

    first->say(request(1, 3));
    ASSERT_FALSE(first->deliver(t0));
    EXPECT_EQ(first->listen().pieces.size(), 1u);

    second->say(request(7, 3));
    ASSERT_FALSE(second->deliver(t0 + 500ms));
    const auto answer = second->listen();
    EXPECT_TRUE(answer.pieces.empty()) << "gave the piece twice within the window";
    const auto declines = answer.all<wire::decline_msg>();
    ASSERT_EQ(declines.size(), 1u);
    EXPECT_EQ(declines[0], (wire::decline_msg{7, 3}));

    // After the window the piece is the second receiver's for the asking.
    second->say(request(7, 3));
    ASSERT_FALSE(second->deliver(t0 + sender::piece_promises::window + 1ms));
    const auto later = second->listen();
    EXPECT_EQ(later.pieces.size(), 1u);
    EXPECT_TRUE(later.all<wire::decline_msg>().empty());
}

// Issue 13: a piece that takes longer than the window to leave (a seeder shared by 31
// receivers) stays the first receiver's until it has left, and for the window after.
TEST_F(upload_session, SeederHoldsAPieceUntilItHasLeft) {
    const auto entry = complete_file("whole.bin");
    auto first = connect(1);
    auto second = connect(2);
    opened(*first, 1, entry);
    opened(*second, 7, entry);
    (void)first->listen();
    (void)second->listen();

    first->stop_reading();
    first->say(request(1, 3));
    ASSERT_FALSE(first->deliver(t0));
    ASSERT_FALSE(first->connection->on_writable(t0));
    second->say(request(7, 3));
    ASSERT_FALSE(second->deliver(t0 + 5s));
    EXPECT_EQ(second->listen(t0 + 5s).all<wire::decline_msg>().size(), 1u)
        << "gave a piece still on its way to another receiver";

    first->resume_reading();
    EXPECT_EQ(first->listen(t0 + 6s).pieces.size(), 1u);
    second->say(request(7, 3));
    ASSERT_FALSE(second->deliver(t0 + 6s + 500ms));
    EXPECT_EQ(second->listen(t0 + 6s + 500ms).all<wire::decline_msg>().size(), 1u);
    second->say(request(7, 3));
    ASSERT_FALSE(second->deliver(t0 + 6s + sender::piece_promises::window));
    const auto later = second->listen(t0 + 6s + sender::piece_promises::window);
    EXPECT_EQ(later.pieces.size(), 1u) << "the window runs from when the piece left";
    EXPECT_TRUE(later.all<wire::decline_msg>().empty());
}

TEST_F(upload_session, CancelledPieceIsGivenToTheNextReceiverAtOnce) {
    const auto entry = complete_file("whole.bin");
    auto first = connect(1);
    auto second = connect(2);
    opened(*first, 1, entry);
    opened(*second, 7, entry);
    (void)first->listen();
    (void)second->listen();
    first->stop_reading();
    first->say(request(1, 3));
    ASSERT_FALSE(first->deliver(t0));
    first->say(wire::cancel{{1, 3, 0, piece_size}});
    ASSERT_FALSE(first->deliver(t0 + 1ms));
    second->say(request(7, 3));
    ASSERT_FALSE(second->deliver(t0 + 2ms));
    const auto answer = second->listen(t0 + 2ms);
    EXPECT_EQ(answer.pieces.size(), 1u);
    EXPECT_TRUE(answer.all<wire::decline_msg>().empty());
}

TEST_F(upload_session, LoneReceiverIsNeverDeclined) {
    const auto entry = complete_file("whole.bin");
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    (void)receiver->listen();
    for (uint32_t piece = 0; piece < piece_count; ++piece) receiver->say(request(1, piece));
    receiver->say(request(1, 0));  // asked again at once (a retry after a cancel)
    ASSERT_FALSE(receiver->deliver(t0));
    const auto answer = receiver->listen();
    EXPECT_TRUE(answer.all<wire::decline_msg>().empty());
    EXPECT_EQ(answer.pieces.size(), piece_count + 1);
}

TEST_F(upload_session, PartialSourceNeverDeclines) {
    const auto entry = partial_file("part.bin", {0, 1, 2, 3});
    auto first = connect(1);
    auto second = connect(2);
    opened(*first, 1, entry);
    opened(*second, 1, entry);
    first->say(request(1, 0));
    second->say(request(1, 0));
    ASSERT_FALSE(first->deliver(t0));
    ASSERT_FALSE(second->deliver(t0));
    EXPECT_EQ(first->listen().pieces.size(), 1u);
    const auto answer = second->listen();
    EXPECT_EQ(answer.pieces.size(), 1u);
    EXPECT_TRUE(answer.all<wire::decline_msg>().empty());
}

TEST_F(upload_session, ReceiverOpeningTooManyHandlesIsDropped) {
    const auto entry = complete_file("whole.bin");
    auto receiver = connect(1);
    for (uint32_t handle = 1; handle <= sender::max_handles_per_connection; ++handle)
        opened(*receiver, handle, entry);
    receiver->say(wire::open_request{1000, content_id{}, "whole.bin"});
    EXPECT_EQ(receiver->deliver(), make_error_code(errc::malformed_message));
}

TEST_F(upload_session, OpenUnderTheHandleLimitIsAccepted) {
    const auto entry = complete_file("whole.bin");
    auto receiver = connect(1);
    for (uint32_t handle = 1; handle < sender::max_handles_per_connection; ++handle)
        opened(*receiver, handle, entry);
    receiver->say(wire::open_request{1000, content_id{}, "whole.bin"});
    EXPECT_FALSE(receiver->deliver());
    receiver->say(wire::open_request{1, content_id{}, "whole.bin"});  // a handle already open
    EXPECT_EQ(receiver->deliver(), make_error_code(errc::malformed_message));
}

TEST_F(upload_session, ReceiverQueueingTooManyRequestsIsDropped) {
    const auto entry = complete_file("whole.bin");
    auto receiver = connect(1);
    opened(*receiver, 1, entry);
    for (size_t i = 0; i < sender::max_pending_requests; ++i) receiver->say(request(1, 0));
    ASSERT_FALSE(receiver->deliver()) << "refused requests within the limit";
    receiver->say(request(1, 0));
    EXPECT_EQ(receiver->deliver(), make_error_code(errc::malformed_message));
}

TEST_F(upload_session, PeersGoOnlyToHandlesOfThatContent) {
    const auto wanted = complete_file("a.bin");
    const auto other = partial_file("b.bin", {0});
    auto receiver = connect(1);
    opened(*receiver, 1, wanted);
    opened(*receiver, 2, other);
    (void)receiver->listen();
    receiver->connection->send_peers(wanted->id, {net::endpoint{"127.0.0.5", 7000}});
    const auto peers = receiver->listen().all<wire::peers_msg>();
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers[0].handle, 1u);
    ASSERT_EQ(peers[0].peers.size(), 1u);
    EXPECT_EQ(peers[0].peers[0], (wire::peer_address{7000, "127.0.0.5"}));
}

TEST_F(upload_session, AdvertisedSenderComesFromHello) {
    auto quiet = connect(1);
    EXPECT_FALSE(quiet->connection->advertised_sender())
        << "a receiver without a sender advertised one";
    auto listening = connect(2, 7422);
    const auto advertised = listening->connection->advertised_sender();
    ASSERT_TRUE(advertised);
    EXPECT_EQ(*advertised, (net::endpoint{"127.0.0.9", 7422}));  // the address it came from
}

TEST_F(upload_session, IdleConnectionSendsKeepaliveAndSilentReceiverIsDropped) {
    auto receiver = connect(1);
    // Dated from now on: the session's clocks started when it was made, a moment ago.
    EXPECT_FALSE(receiver->connection->tick(clock::now()));
    EXPECT_TRUE(receiver->listen().all<wire::keepalive>().empty())
        << "KEEPALIVE before the idle time";
    EXPECT_FALSE(receiver->connection->tick(clock::now() + session::keepalive_interval));
    EXPECT_EQ(receiver->listen().all<wire::keepalive>().size(), 1u);
    EXPECT_TRUE(receiver->connection->tick(clock::now() + sender::receiver_silence_limit + 1s))
        << "a receiver silent past the limit was kept";
}

}  // namespace
}  // namespace xfer::test
