// Stamped store events: the stamp's bytes, the tracker's gap rules, and a stamped event and a
// heartbeat through a real PUB/SUB pair, with the test hook that drops an event on purpose.
#include "shared/bus/sequence.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace xfer::bus {
namespace {

TEST(BusSequence, StampIsPublisherThenSequenceBigEndian) {
    const auto frame = encode(stamp{0x0102030405060708ULL, 0x1112131415161718ULL});
    ASSERT_EQ(frame.size(), stamp_size);
    const auto* bytes = static_cast<const uint8_t*>(frame.data());
    EXPECT_EQ(bytes[0], 0x01);
    EXPECT_EQ(bytes[7], 0x08);
    EXPECT_EQ(bytes[8], 0x11);
    EXPECT_EQ(bytes[15], 0x18);
    EXPECT_EQ(decode_stamp(frame), (stamp{0x0102030405060708ULL, 0x1112131415161718ULL}));
    EXPECT_FALSE(decode_stamp(zmq::message_t(15)));
    EXPECT_FALSE(decode_stamp(zmq::message_t(17)));
}

TEST(BusSequence, TrackerSeesGapsPerPublisher) {
    sequence_tracker t;
    EXPECT_FALSE(t.missed_before({1, 1}));
    EXPECT_FALSE(t.missed_before({1, 2}));
    EXPECT_TRUE(t.missed_before({1, 4})) << "3 is missing";
    EXPECT_FALSE(t.missed_before({1, 5}));
    EXPECT_FALSE(t.missed_before({1, 5})) << "a repeat is not a gap";
    EXPECT_TRUE(t.missed_before({2, 3})) << "a new publisher's 1 and 2 were missed";
    EXPECT_FALSE(t.missed_by_heartbeat({1, 5}));
    EXPECT_TRUE(t.missed_by_heartbeat({1, 6})) << "event 6 was sent and not seen";
    EXPECT_FALSE(t.missed_before({1, 7}));
    EXPECT_FALSE(t.missed_by_heartbeat({3, 0})) << "a publisher that sent nothing yet";
    EXPECT_EQ(t.publishers(), 3u);
}

TEST(BusSequence, TrackerForgetsPublishersPastItsBound) {
    sequence_tracker t;
    for (uint64_t p = 1; p <= sequence_tracker::max_publishers + 1; ++p) t.missed_before({p, 1});
    EXPECT_LE(t.publishers(), sequence_tracker::max_publishers);
}

// Sends heartbeats until the subscriber hears one: after that, the subscription is in place.
void wait_until_connected(sequenced_publisher& publisher, zmq::socket_t& sub) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        publisher.heartbeat();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (auto m = receive(sub)) {
            while (receive(sub)) {
            }
            return;
        }
    }
    FAIL() << "the subscriber never heard the publisher";
}

std::optional<store_message> receive_waiting(zmq::socket_t& sub) {
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::seconds(60));
    return receive(sub);
}

TEST(BusSequence, StampedEventsAndHeartbeatsCrossPubSub) {
    zmq::context_t context;
    zmq::socket_t sub(context, zmq::socket_type::sub);
    sub.set(zmq::sockopt::linger, 0);
    sub.set(zmq::sockopt::subscribe, "");
    sub.bind("inproc://bus-sequence-test");
    zmq::socket_t pub(context, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.connect("inproc://bus-sequence-test");
    sequenced_publisher publisher(pub);
    ASSERT_NO_FATAL_FAILURE(wait_until_connected(publisher, sub));

    publisher.drop_for_test([](const event& e) { return e.piece == 2; });
    content_id content{};
    content.fill(9);
    for (uint32_t piece = 1; piece <= 3; ++piece) {
        publisher.publish({event_type::piece_verified, content, piece, {}});
    }
    EXPECT_EQ(publisher.last_sequence(), 3u) << "a dropped event still takes its number";

    const auto first = receive_waiting(sub);
    ASSERT_TRUE(first && first->event && first->stamp);
    EXPECT_EQ(first->event->piece, 1u);
    EXPECT_EQ(first->stamp->sequence, 1u);
    const auto second = receive_waiting(sub);
    ASSERT_TRUE(second && second->event && second->stamp);
    EXPECT_EQ(second->event->piece, 3u) << "piece 2's event was dropped";
    EXPECT_EQ(second->stamp->sequence, 3u);
    EXPECT_EQ(second->stamp->publisher, first->stamp->publisher);

    publisher.heartbeat();
    const auto beat = receive_waiting(sub);
    ASSERT_TRUE(beat);
    EXPECT_TRUE(beat->heartbeat());
    EXPECT_EQ(beat->stamp->sequence, 3u);
}

TEST(BusSequence, AnUnstampedEventIsStillAnEvent) {
    zmq::context_t context;
    zmq::socket_t sub(context, zmq::socket_type::sub);
    sub.set(zmq::sockopt::linger, 0);
    sub.set(zmq::sockopt::subscribe, "");
    sub.bind("inproc://bus-sequence-unstamped");
    zmq::socket_t pub(context, zmq::socket_type::pub);
    pub.set(zmq::sockopt::linger, 0);
    pub.connect("inproc://bus-sequence-unstamped");
    sequenced_publisher publisher(pub);
    ASSERT_NO_FATAL_FAILURE(wait_until_connected(publisher, sub));
    pub.send(encode(event{event_type::file_completed, {}, 0, "a.bin"}), zmq::send_flags::none);
    const auto message = receive_waiting(sub);
    ASSERT_TRUE(message && message->event);
    EXPECT_FALSE(message->stamp);
    EXPECT_EQ(message->event->text, "a.bin");
}

}  // namespace
}  // namespace xfer::bus
