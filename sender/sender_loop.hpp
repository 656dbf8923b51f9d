// The sender thread's loop, thin: one zmq::poll over the listener, the upload connections and
// the ZeroMQ sockets, then bytes and events handed to the connections and to the pure policies
// (piece_promises for DECLINE, peer_exchange for PEERS). Everything here lives on that thread.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "sender/admission_policy.hpp"
#include "sender/content_opener.hpp"
#include "sender/have_feed.hpp"
#include "sender/manifest_streamer.hpp"
#include "sender/peer_exchange.hpp"
#include "sender/piece_promises.hpp"
#include "sender/sender.hpp"
#include "sender/site_fanout.hpp"
#include "sender/upload_connection.hpp"
#include "sender/upload_stats.hpp"

namespace xfer::sender {

class sender_loop {
  public:
    sender_loop(zmq::context_t& context, std::shared_ptr<piece_store> store,
                const sender_options& options, int listener_fd, const std::string& control_endpoint,
                upload_stats& stats);
    // Until the owner's stop message; then BYE to every receiver.
    void run();

  private:
    using clock = upload_connection::clock;

    void bind_store_events();
    void build_poll_items();
    std::chrono::milliseconds poll_timeout();
    void take_store_events();
    void take_opened_contents();
    void introduce(upload_connection& newcomer, const content_id& content);
    void accept_receivers();
    // Evicts what the admission policy gives up for a receiver from `host`; false: refuse it.
    bool make_room(const std::string& host, clock::time_point now);
    std::vector<admission_policy::connection_view> admission_views() const;
    // Once its TLS handshake proved a peer ID: false when that peer holds its limit and none of
    // its other connections may go (then it is closed).
    bool admit_peer(uint64_t id, clock::time_point now);
    // `events`: what the connection was polled for; `revents`: what poll said.
    void serve(uint64_t id, short events, short revents);
    void tick(clock::time_point now);
    std::optional<std::vector<uint8_t>> verified_bits(const content_id& content);
    void close_connection(uint64_t id, const std::error_code& cause);
    void publish_stats();
    void measure_backlog(clock::time_point now);
    void say_goodbye();
    // Issues the first pairing code or replaces a dead one, and has it announced.
    void refresh_pairing_code(clock::time_point now);

    std::shared_ptr<piece_store> store_;
    const sender_options& options_;
    const int listener_fd_;
    upload_stats& stats_;
    // Every ZeroMQ socket below is created, used and closed on the sender thread.
    zmq::socket_t control_;       // PAIR: the owner's stop message
    zmq::socket_t store_events_;  // SUB (bound): piece verified, file completed
    zmq::socket_t peer_events_;   // PUB: connect-back hints for our own receiver
    manifest_streamer streamer_;  // before opener_: what the opener streams, it hashes
    content_opener opener_;
    piece_promises promises_;
    site_fanout fanout_;
    upload_backlog backlog_;  // what all receivers are owed, measured at the tick
    // Bytes acknowledged by receivers that have left (the backlog's rate counts them too), and
    // the total acknowledged at the last tick.
    uint64_t acknowledged_by_closed_ = 0;
    uint64_t acknowledged_at_tick_ = 0;
    peer_exchange exchange_;
    admission_policy admission_;
    have_feed haves_;  // which HAVEs each receiver was sent; resyncs on a bus gap
    std::optional<token_bucket> upload_limit_;  // --limit-up, over every connection
    std::optional<pairing_codes> codes_;        // pairing offered: the code open now
    sender_context shared_;

    std::map<uint64_t, std::unique_ptr<upload_connection>> connections_;
    std::set<uint64_t> peer_admitted_;  // connections whose peer ID passed admit_peer
    uint64_t next_id_ = 1;
    clock::time_point last_tick_ = clock::now();
    clock::time_point last_measured_ = last_tick_;  // the backlog's (upload_backlog)
    std::vector<zmq::pollitem_t> items_;
    std::vector<uint64_t> item_connection_;  // connection of items_[first_connection_ + i]
};

}  // namespace xfer::sender
