// Sequence numbers on store events, so a consumer notices a lost one (zguide's Clone pattern).
//
// PUB/SUB drops messages by design: a publisher sending with dontwait drops at its high-water
// mark, and messages sent before a subscriber's subscription arrives are never delivered. So the
// receiver's store events are *stamped*: each carries its publisher's id and a sequence number
// one higher than the last, in a second ZeroMQ frame after the event frame:
//
//   frame 1: the event (shared/bus/events.hpp, unchanged)
//   frame 2: [publisher id u64 BE][sequence u64 BE]
//
// and the publisher also sends a heartbeat now and then: the stamp frame alone, carrying its last
// sequence number, so a consumer notices even a lost *last* event. A consumer that sees a gap
// does not ask for the missed events: it resyncs from the state they describe (the store's
// bitfields), which is always there.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <zmq.hpp>

#include "shared/bus/events.hpp"

namespace xfer::bus {

struct stamp {
    uint64_t publisher = 0;
    uint64_t sequence = 0;
    friend bool operator==(const stamp&, const stamp&) = default;
};

inline constexpr size_t stamp_size = 16;

zmq::message_t encode(const stamp& s);
// nullopt unless the frame is exactly a stamp.
std::optional<stamp> decode_stamp(const zmq::message_t& frame);

// One message read from a store-events SUB: an event (stamped or not) or a heartbeat (a stamp
// alone). Neither set: a message that is neither (ignored by consumers).
struct store_message {
    std::optional<bus::event> event;
    std::optional<bus::stamp> stamp;
    bool heartbeat() const { return !event && stamp; }
};
// Reads one whole message (every frame of it) without waiting; nullopt if none is queued.
std::optional<store_message> receive(zmq::socket_t& socket);

// Stamps and sends a publisher's store events on its PUB socket (never blocks: dontwait).
class sequenced_publisher {
  public:
    // A random publisher id: two publishers (two fetches into one directory) never share one.
    explicit sequenced_publisher(zmq::socket_t& pub);

    void publish(const event& e);
    // The last sequence number, alone: lets a consumer notice it missed the last events.
    void heartbeat();
    uint64_t last_sequence() const { return sequence_; }

    // Test hook: events it returns true for take a sequence number but are not sent, as if the
    // socket had dropped them.
    void drop_for_test(std::function<bool(const event&)> drop) { drop_ = std::move(drop); }

  private:
    zmq::socket_t& pub_;
    uint64_t publisher_;
    uint64_t sequence_ = 0;
    std::function<bool(const event&)> drop_;
};

// Per publisher, the last sequence number seen; says when messages were missed.
class sequence_tracker {
  public:
    // An event's stamp: true if any earlier event of its publisher was missed (a publisher seen
    // for the first time counts from 1: the ones before were missed too).
    bool missed_before(const stamp& s);
    // A heartbeat's stamp: true if events up to s.sequence were announced but not all seen.
    bool missed_by_heartbeat(const stamp& s);
    size_t publishers() const { return last_.size(); }

    // Bound on remembered publishers (each fetch into the directory is one). Forgetting one only
    // costs a resync on its next message.
    static constexpr size_t max_publishers = 1024;

  private:
    uint64_t& last_of(uint64_t publisher);
    std::map<uint64_t, uint64_t> last_;
};

}  // namespace xfer::bus
