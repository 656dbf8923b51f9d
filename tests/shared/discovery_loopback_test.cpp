// Discovery's socket parts in one process over loopback: a tracker_server thread, presences,
// a tracker_mirror, and a peer_finder publishing on the process bus.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <thread>

#include "shared/bus/events.hpp"
#include "shared/discovery/peer_finder.hpp"
#include "shared/discovery/presence.hpp"
#include "shared/discovery/tracker_mirror.hpp"
#include "shared/discovery/tracker_registration.hpp"
#include "shared/discovery/tracker_server.hpp"
#include "shared/discovery/zmq_frames.hpp"
#include "tests/support/discovery_fixtures.hpp"

namespace xfer::discovery {
namespace {

using namespace std::chrono_literals;
using test::discovery_deadline;
using test::test_content;

// One tracker key for every tracker of these tests: a restarted tracker keeps its key.
std::shared_ptr<const tracker_keypair> test_tracker_key() {
    static const auto key = std::make_shared<const tracker_keypair>(tracker_keypair::generate());
    return key;
}

// A tracker_server on 127.0.0.1 running in its own thread for the test's lifetime.
class tracker_thread {
  public:
    explicit tracker_thread(zmq::context_t& context, uint16_t port = 0)
        : server_(context, {{"127.0.0.1", port}, std::nullopt, 5s, test_tracker_key()}),
          thread_([this] { server_.run([this] { return stop_.load(); }); }) {}
    ~tracker_thread() {
        stop_ = true;
        thread_.join();
    }
    tracker_link link() const { return {server_.endpoint(), test_tracker_key()->public_key(), {}}; }

  private:
    std::atomic<bool> stop_{false};
    tracker_server server_;
    std::thread thread_;
};

presence::options presence_options(const std::string& name, uint8_t seed, uint16_t port,
                                   std::optional<tracker_link> tracker, bool lan = false) {
    return {std::move(tracker),  lan, name, test::test_peer_id(seed), {"0.0.0.0", port},
            test::fresh_signer()};
}

std::function<std::vector<held_content>()> holding(std::vector<held_content> contents) {
    return [contents] { return contents; };
}

// Runs the mirror until `done` holds; false on the deadline.
bool pump_until(tracker_mirror& mirror, const std::function<bool()>& done,
                std::vector<membership_change>* seen = nullptr) {
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<zmq::pollitem_t> items;
        mirror.add_poll_items(items);
        poll_for(items, std::min<std::chrono::milliseconds>(
                            mirror.next_timeout(std::chrono::steady_clock::now()), 50ms));
        auto changes = mirror.process(std::chrono::steady_clock::now());
        if (seen) seen->insert(seen->end(), changes.begin(), changes.end());
        if (done()) return true;
    }
    return false;
}

// The first bus event of `type` for sender `text` (repeats of other events are skipped: the
// finder republishes its holders when a subscription arrives), or nullopt after the deadline.
std::optional<bus::event> wait_for_event(zmq::socket_t& subscriber, bus::event_type type,
                                         const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        std::vector<zmq::pollitem_t> items{{subscriber.handle(), 0, ZMQ_POLLIN, 0}};
        poll_for(items, 100ms);
        zmq::message_t frame;
        while (subscriber.recv(frame, zmq::recv_flags::dontwait)) {
            auto event = bus::decode(frame);
            if (event && event->type == type && event->text == text) return event;
        }
    }
    return std::nullopt;
}

TEST(DiscoveryLoopback, PresenceShowsInTheMirrorAndLeavesCleanly) {
    zmq::context_t context;
    tracker_thread tracker(context);
    tracker_mirror mirror(context, tracker.link());
    const auto id = test::test_peer_id(1);
    std::vector<membership_change> seen;
    {
        presence visible(context, presence_options("alpha", 1, 9001, tracker.link()),
                         holding({test_content("a.bin", 1, 4096, 2, 4)}));
        ASSERT_TRUE(pump_until(
            mirror, [&] { return mirror.peers().contains(id); }, &seen));
        const auto& record = mirror.peers().at(id);
        EXPECT_EQ(record.name, "alpha");
        EXPECT_EQ(record.sender.to_string(), "127.0.0.1:9001");
        ASSERT_EQ(record.contents.size(), 1u);
        EXPECT_EQ(record.contents[0].path, "a.bin");
        EXPECT_EQ(record.contents[0].pieces_had, 2u);
    }
    ASSERT_TRUE(pump_until(
        mirror, [&] { return !mirror.peers().contains(id); }, &seen));
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().what, membership_change::kind::left);
    EXPECT_EQ(seen.back().reason, tracker::leave_reason::left)
        << "a clean exit says LEAVE, no timeout needed";
}

TEST(DiscoveryLoopback, ContentChangesArePushedAsUpdates) {
    zmq::context_t context;
    tracker_thread tracker(context);
    tracker_mirror mirror(context, tracker.link());
    std::atomic<uint32_t> pieces{1};
    presence visible(context, presence_options("alpha", 1, 9001, tracker.link()),
                     [&] { return std::vector{test_content("a.bin", 1, 4096, pieces.load(), 4)}; });
    const auto id = test::test_peer_id(1);
    ASSERT_TRUE(pump_until(mirror, [&] { return mirror.peers().contains(id); }));
    pieces = 4;
    EXPECT_TRUE(pump_until(mirror, [&] {
        return mirror.peers().contains(id) && mirror.peers().at(id).contents[0].pieces_had == 4;
    }));
}

// Progress alone (more pieces, not yet all) is pushed too, but at most every 5 s: every UPDATED
// reaches every subscriber, and fetchers learn pieces from BITFIELD and HAVE.
TEST(DiscoveryLoopback, ProgressAloneStillReachesTheMirror) {
    zmq::context_t context;
    tracker_thread tracker(context);
    tracker_mirror mirror(context, tracker.link());
    std::atomic<uint32_t> pieces{1};
    presence visible(context, presence_options("alpha", 1, 9001, tracker.link()),
                     [&] { return std::vector{test_content("a.bin", 1, 4096, pieces.load(), 4)}; });
    const auto id = test::test_peer_id(1);
    ASSERT_TRUE(pump_until(mirror, [&] { return mirror.peers().contains(id); }));
    pieces = 2;
    EXPECT_TRUE(pump_until(mirror, [&] {
        return mirror.peers().contains(id) && mirror.peers().at(id).contents[0].pieces_had == 2;
    }));
}

TEST(DiscoveryMaterialRecord, KeepsWhatFetchersActOnAndDropsProgress) {
    peer_record record;
    record.contents = {test_content("a", 1, 4096, 0, 4), test_content("b", 2, 4096, 3, 4),
                       test_content("c", 3, 4096, 4, 4)};
    auto progressed = record;
    progressed.contents[1].pieces_had = 2;
    EXPECT_EQ(material_part(record), material_part(progressed)) << "progress alone is material";
    auto first_piece = record;
    first_piece.contents[0].pieces_had = 1;
    EXPECT_NE(material_part(record), material_part(first_piece)) << "a new holder is not";
    auto completed = record;
    completed.contents[1].pieces_had = 4;
    EXPECT_NE(material_part(record), material_part(completed)) << "completion is not";
    auto renamed = record;
    renamed.name = "other";
    EXPECT_NE(material_part(record), material_part(renamed));
}

TEST(DiscoveryLoopback, PresenceRegistersAgainAfterATrackerRestart) {
    zmq::context_t context;
    auto first = std::make_unique<tracker_thread>(context);
    const auto where = first->link();
    presence visible(context, presence_options("alpha", 1, 9001, where), holding({}));
    {
        tracker_mirror mirror(context, where);
        ASSERT_TRUE(pump_until(mirror, [&] { return mirror.peers().size() == 1; }));
    }
    first.reset();
    // libzmq releases the old listening socket asynchronously: retry the bind until it is free.
    std::unique_ptr<tracker_thread> second;
    const auto deadline = std::chrono::steady_clock::now() + discovery_deadline;
    while (!second && std::chrono::steady_clock::now() < deadline) {
        try {
            second = std::make_unique<tracker_thread>(context, where.endpoint.port);
        } catch (const std::runtime_error&) {
            std::this_thread::sleep_for(50ms);
        }
    }
    ASSERT_TRUE(second) << "port " << where.endpoint.port << " never came free";
    tracker_mirror mirror(context, where);
    EXPECT_TRUE(pump_until(mirror, [&] { return mirror.peers().size() == 1; }))
        << "the new tracker answers heartbeats with UNKNOWN_PEER, and the peer registers again";
}

TEST(DiscoveryLoopback, FinderPublishesHoldersJoinsAndLeavesOnTheBus) {
    zmq::context_t context;
    tracker_thread tracker(context);
    zmq::socket_t subscriber(context, zmq::socket_type::sub);
    subscriber.set(zmq::sockopt::subscribe, "");
    subscriber.bind(bus::peer_events_endpoint);

    auto holder =
        std::make_unique<presence>(context, presence_options("holder", 1, 9001, tracker.link()),
                                   holding({test_content("a.bin", 7)}));
    presence other(context, presence_options("other", 2, 9002, tracker.link()),
                   holding({test_content("b.bin", 8)}));
    presence empty(context, presence_options("empty", 3, 9003, tracker.link()),
                   holding({test_content("a.bin", 7, 4096, 0, 4)}));
    presence self(context, presence_options("self", 4, 9004, tracker.link()),
                  holding({test_content("a.bin", 7)}));
    {
        tracker_mirror mirror(context, tracker.link());
        ASSERT_TRUE(pump_until(mirror, [&] { return mirror.peers().size() == 4; }));
    }

    peer_finder finder(context,
                       {tracker.link(), false, "a.bin", std::nullopt, test::test_peer_id(4), {}});
    const auto holders = finder.current_holders(discovery_deadline);
    ASSERT_EQ(holders.size(), 1u)
        << "not 'other' (b.bin), not 'empty' (no piece yet), not ourselves";
    EXPECT_EQ(holders[0].to_string(), "127.0.0.1:9001");
    auto learned = wait_for_event(subscriber, bus::event_type::peer_learned, "127.0.0.1:9001");
    ASSERT_TRUE(learned);
    EXPECT_EQ(learned->content, content_id{}) << "searched by path: any version";

    presence joiner(context, presence_options("joiner", 5, 9005, tracker.link()),
                    holding({test_content("a.bin", 7)}));
    learned = wait_for_event(subscriber, bus::event_type::peer_learned, "127.0.0.1:9005");
    ASSERT_TRUE(learned);

    holder.reset();
    const auto left = wait_for_event(subscriber, bus::event_type::peer_left, "127.0.0.1:9001");
    ASSERT_TRUE(left);
}

TEST(DiscoveryLoopback, LateSubscriberHearsEveryKnownHolder) {
    zmq::context_t context;
    tracker_thread tracker(context);
    presence holder(context, presence_options("holder", 1, 9001, tracker.link()),
                    holding({test_content("a.bin", 7)}));
    {
        tracker_mirror mirror(context, tracker.link());
        ASSERT_TRUE(pump_until(mirror, [&] { return mirror.peers().size() == 1; }));
    }
    peer_finder finder(
        context, {tracker.link(), false, "", test::test_content_id(7), test::test_peer_id(9), {}});
    ASSERT_EQ(finder.current_holders(discovery_deadline).size(), 1u) << "matched by content id";

    // The receiver's SUB binds only now: the finder republishes when the subscription arrives.
    zmq::socket_t subscriber(context, zmq::socket_type::sub);
    subscriber.set(zmq::sockopt::subscribe, bus::topic(bus::event_type::peer_learned));
    subscriber.bind(bus::peer_events_endpoint);
    const auto learned =
        wait_for_event(subscriber, bus::event_type::peer_learned, "127.0.0.1:9001");
    ASSERT_TRUE(learned);
    EXPECT_EQ(learned->content, test::test_content_id(7)) << "searched by id: that id";
}

TEST(DiscoveryLoopback, LanAnnouncementsOverLoopbackFindHolders) {
    for (const auto& setting : test::loopback_lan_environment()) {
        const auto equals = setting.find('=');
        ::setenv(setting.substr(0, equals).c_str(), setting.substr(equals + 1).c_str(), 1);
    }
    zmq::context_t context;
    zmq::socket_t subscriber(context, zmq::socket_type::sub);
    subscriber.set(zmq::sockopt::subscribe, "");
    subscriber.bind(bus::peer_events_endpoint);
    auto announcer = std::make_unique<presence>(
        context, presence_options("lan-peer", 1, 9011, std::nullopt, true),
        holding({test_content("a.bin", 7)}));
    peer_finder finder(context,
                       {std::nullopt, true, "a.bin", std::nullopt, test::test_peer_id(9), {}});
    auto learned = wait_for_event(subscriber, bus::event_type::peer_learned, "127.0.0.1:9011");
    ASSERT_TRUE(learned);
    EXPECT_EQ(finder.current_holders(100ms).size(), 1u);
    announcer.reset();  // says GOODBYE
    const auto left = wait_for_event(subscriber, bus::event_type::peer_left, "127.0.0.1:9011");
    ASSERT_TRUE(left);
}

}  // namespace
}  // namespace xfer::discovery
