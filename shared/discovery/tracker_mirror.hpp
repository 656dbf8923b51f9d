// A live copy of a tracker's peer list, for whoever wants to watch it (`xfer peers --watch`,
// peer_finder). It follows the Clone pattern: subscribe to the pushes first, prove the
// subscription is live (SYNC: the tracker echoes a token on its PUB), then take a snapshot
// (QUERY), then apply every push in seq order. A gap in seq, a tracker restart (new instance)
// or a moved PUB port means: take a new snapshot and report only the difference.
//
// Not a thread: its owner polls the sockets from add_poll_items() and calls process().
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <vector>
#include <zmq.hpp>

#include "shared/discovery/membership.hpp"
#include "shared/discovery/registry.hpp"
#include "shared/discovery/tracker_link.hpp"
#include "shared/discovery/tracker_protocol.hpp"

namespace xfer::discovery {

class tracker_mirror {
  public:
    // Every socket is a CURVE client of `tracker.key`: nothing is believed from a tracker that
    // has not proven it (see link_failure()).
    tracker_mirror(zmq::context_t& context, tracker_link tracker);

    // The sockets to wake up on; process() must be called after the poll either way.
    void add_poll_items(std::vector<zmq::pollitem_t>& items);
    // Handles everything that arrived and every timer that is due; changes come out in order.
    std::vector<membership_change> process(steady_time now);
    // How long the owner may sleep before process() has a timer to run.
    std::chrono::milliseconds next_timeout(steady_time now) const;

    // True once a full snapshot arrived (stays true across later resyncs).
    bool synced() const { return synced_; }
    // When the tracker last said anything (a reply or a push): a fetch waiting for the first
    // snapshot tells a slow tracker from a silent one by it.
    std::optional<steady_time> last_heard() const { return last_heard_; }
    const std::map<peer_id, peer_record>& peers() const { return peers_; }
    // The peers sorted by name, for listings.
    std::vector<peer_record> list() const;
    const net::endpoint& tracker() const { return tracker_.endpoint; }
    // The sentence when the tracker at the address failed to prove its key (a wrong key, a
    // plaintext tracker); empty otherwise. Callers fail with it rather than wait.
    const std::string& link_failure() const { return watch_.failure(); }

  private:
    enum class phase { asking_info, syncing, listing, live };

    void send_request(const tracker::message& request);
    void on_reply(tracker::message reply, steady_time now, std::vector<membership_change>& changes);
    void on_push(tracker::message push, steady_time now, std::vector<membership_change>& changes);
    void on_info(const tracker::info_reply& info, steady_time now);
    void start_listing(steady_time now);
    void apply(const tracker::membership_push& push, std::vector<membership_change>& changes);
    void reconcile(std::vector<peer_record> snapshot, std::vector<membership_change>& changes);
    void apply_buffered(std::vector<membership_change>& changes, steady_time now);
    void run_timers(steady_time now);

    zmq::context_t& context_;
    tracker_link tracker_;
    zmq::socket_t requests_;
    link_watch watch_;  // after requests_: stops monitoring it before it closes
    std::optional<zmq::socket_t> pushes_;
    uint16_t pub_port_ = 0;

    phase phase_ = phase::asking_info;
    bool synced_ = false;
    uint64_t instance_ = 0;
    uint64_t last_seq_ = 0;
    uint64_t sync_token_ = 0;
    steady_time next_send_{};
    std::chrono::milliseconds retry_{100};
    steady_time next_liveness_check_{};
    std::optional<steady_time> last_heard_;
    std::vector<tracker::membership_push> buffered_;
    std::map<peer_id, peer_record> peers_;
};

}  // namespace xfer::discovery
