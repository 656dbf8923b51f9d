// Keeps one peer registered with a tracker: REGISTER when first seen or when the record changed
// in a way fetchers act on (a content added, removed, first held or completed, a new address or
// name), at most every progress_update_interval for progress alone (pieces_had: fetchers learn
// pieces from BITFIELD and HAVE, and every UPDATED goes to every subscriber: 4 a second from each
// of N fetching hosts is 4N^2 pushes a second), HEARTBEAT otherwise, REGISTER again when the
// tracker says UNKNOWN_PEER (it restarted or expired us), LEAVE at the end. Every REGISTER is
// signed with the peer's identity key. Not a thread: presence owns it and polls socket().
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "shared/discovery/registry.hpp"
#include "shared/discovery/tracker_link.hpp"
#include "shared/discovery/tracker_protocol.hpp"

namespace xfer::discovery {

inline constexpr std::chrono::milliseconds progress_update_interval{5000};

// The record as fetchers use it: each content's pieces_had reduced to none / some / all.
peer_record material_part(const peer_record& record);

class tracker_registration {
  public:
    // `signer`: the identity key every REGISTER is signed with (the tracker rejects unsigned).
    // The link is a CURVE client of `tracker.key`: a tracker that cannot prove it gets nothing
    // (a warning is logged once per failure).
    tracker_registration(zmq::context_t& context, tracker_link tracker,
                         std::shared_ptr<const lan::datagram_signer> signer);

    zmq::socket_t& socket() { return socket_; }
    void add_poll_items(std::vector<zmq::pollitem_t>& items);
    // Call at least every interval() with the current record.
    void tick(const peer_record& record, steady_time now);
    void process_replies(steady_time now);
    // Best effort: queues LEAVE and lets the socket linger briefly so it reaches the tracker.
    void leave(const peer_id& id);

    // The heartbeat interval the tracker asked for (the default until it has answered).
    std::chrono::milliseconds interval() const { return interval_; }
    bool registered() const { return registered_; }
    // When tick() next has something to send.
    steady_time next_action() const { return registered_ ? next_heartbeat_ : next_register_; }

  private:
    zmq::socket_t socket_;
    tracker_link tracker_;
    link_watch watch_;  // after socket_: stops monitoring it before it closes
    std::string reported_failure_;
    std::shared_ptr<const lan::datagram_signer> signer_;
    std::chrono::milliseconds interval_ = limits::default_heartbeat_interval;
    bool registered_ = false;
    bool rejected_ = false;
    std::string last_sent_;  // encoded record of the last REGISTER
    peer_record last_material_;
    steady_time last_register_{};
    peer_id id_{};
    steady_time next_register_{};
    steady_time next_heartbeat_{};
    std::string last_reject_text_;
};

}  // namespace xfer::discovery
