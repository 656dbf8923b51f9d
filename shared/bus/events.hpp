// The ZeroMQ bus between the halves of a peer, the piece store and discovery: endpoint names and
// event encodings, all in one place. Events say *what* happened; file bytes never travel here.
//
// Topology (one zmq::context_t per process, each socket owned by one thread):
//   store events   PUB (receiver, as it verifies pieces)  -> SUB (sender, pushes HAVE)
//                  bound at inproc://xfer-store-events; also connected out to the directory's
//                  ipc endpoint so a separate `xfer serve` on the same directory hears them.
//   peer events    PUB (discovery: tracker client, LAN listener, sender's connect-back)
//                  -> SUB (receiver, adds or drops sources)
//                  bound at inproc://xfer-peer-events.
//
// Wire form of an event: one ZeroMQ frame, [type u8][content id 32 bytes][piece u32 BE][text].
// The first byte is the PUB/SUB topic, so a subscriber filters by event type. Store events are
// followed by a second frame, a sequence stamp, and interleaved with heartbeats, so a lost one is
// noticed (shared/bus/sequence.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "shared/core/ids.hpp"

namespace xfer::bus {

inline constexpr const char* store_events_endpoint = "inproc://xfer-store-events";
inline constexpr const char* peer_events_endpoint = "inproc://xfer-peer-events";

// ipc endpoint (Linux abstract namespace, so nothing is left on disk) shared by every xfer
// process working on the same directory.
std::string store_ipc_endpoint(const std::filesystem::path& directory);

enum class event_type : uint8_t {
    piece_verified = 1,  // content, piece: verified and written; safe to serve now
    file_completed = 2,  // content; text = relative path of the completed file
    content_added = 3,   // content; text = relative path of a new partial file
    peer_learned = 4,    // content (zero = any); text = "host:port" of a sender to pull from
    peer_left = 5,       // text = "host:port" of a sender that went away
    shutdown = 6,        // the process is stopping
};

struct event {
    event_type type = event_type::shutdown;
    content_id content{};
    uint32_t piece = 0;
    std::string text;

    friend bool operator==(const event&, const event&) = default;
};

inline constexpr size_t max_event_text = 4096;

zmq::message_t encode(const event& e);
// nullopt for a frame that is not a well-formed event (wrong size, unknown type).
std::optional<event> decode(const zmq::message_t& frame);

// Topic prefix to subscribe to one event type.
inline std::string topic(event_type type) {
    return std::string(1, static_cast<char>(type));
}

}  // namespace xfer::bus
