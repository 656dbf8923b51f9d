// One remote receiver connected to our sender: LIST / OPEN / REQUEST / CANCEL / CLOSE from it;
// LISTING, MANIFEST, BITFIELD, HAVE, PIECE, PEERS, DECLINE and ERROR to it. Data flows only from
// us to it. The handshake, framing, keepalive and BYE are its peer_session's.
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <zmq.hpp>

#include "sender/content_opener.hpp"
#include "sender/listing_stream.hpp"
#include "sender/manifest_streamer.hpp"
#include "sender/pairing_codes.hpp"
#include "sender/piece_promises.hpp"
#include "sender/served_transfers.hpp"
#include "sender/site_fanout.hpp"
#include "sender/upload_backlog.hpp"
#include "shared/core/token_bucket.hpp"
#include "shared/net/address.hpp"
#include "shared/net/stream.hpp"
#include "shared/pairing/pairing_exchange.hpp"
#include "shared/session/peer_policy.hpp"
#include "shared/session/peer_session.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::sender {

struct pairing_options;  // sender.hpp

// What every connection of one sender shares; owned by the sender thread.
struct sender_context {
    piece_store& store;
    content_opener& opener;
    wire::hello our_hello;
    zmq::socket_t& peer_events;            // PUB: connect-back hints for our own receiver
    piece_promises& promises;              // what this seeder gave to whom, for DECLINE
    site_fanout& fanout;                   // which site it gave each piece to, for DECLINE
    const session::peer_check& authorize;  // may this verified peer read from us
    listing_budget listings{};             // listing entries held for all receivers together
    // --limit-up over every receiver (null: none). A block is queued only while it has tokens.
    token_bucket* upload_limit = nullptr;
    // Finished transfers for the transfer log (null or empty: not recorded).
    const transfer_log::transfer_sink* log_transfer = nullptr;
    // Hashes contents served before they are hashed (null: the opener never streams).
    manifest_streamer* streamer = nullptr;
    // Pairing (null: no code offered). The codes are the sender loop's; our own peer ID is the
    // responder's in the channel binding.
    pairing_codes* codes = nullptr;
    const pairing_options* pairing_offer = nullptr;
    identity::peer_id own_peer_id{};
    // What the sender owes all receivers against its uplink, for DECLINE (null: never busy).
    upload_backlog* backlog = nullptr;
};

// One pairing exchange on a connection: the code it leased and the responder using it.
struct pairing_attempt {
    pairing_attempt(std::shared_ptr<pairing::code_limiter> leased,
                    const pairing::channel_binding& binding, std::string own_name)
        : code(std::move(leased)), responder(*code, binding, std::move(own_name)) {}
    std::shared_ptr<pairing::code_limiter> code;
    pairing::pairing_responder responder;
};

// Per-connection limits: a receiver that exceeds them is dropped.
inline constexpr size_t max_handles_per_connection = 64;
inline constexpr size_t max_pending_requests = 2048;  // 512 MiB of 256 KiB blocks
// A receiver says something (a request or a KEEPALIVE) at least every 15 s.
inline constexpr auto receiver_silence_limit = std::chrono::seconds(90);
// Encoded frames queued for one receiver: past the first bound we stop reading what it sends
// (its further requests wait in TCP), past the second it is dropped (it does not read even
// what it is told unasked: HAVE, PEERS). File data is not counted: sendfile holds no memory.
inline constexpr uint64_t pause_reading_above_bytes = 1024 * 1024;
inline constexpr uint64_t max_queued_frame_bytes = 16 * 1024 * 1024;

class upload_connection final : private session::message_handler {
  public:
    using clock = std::chrono::steady_clock;

    upload_connection(uint64_t id, std::unique_ptr<net::stream> stream, net::endpoint remote,
                      sender_context& context);

    uint64_t id() const { return id_; }
    int fd() const { return session_.fd(); }
    const std::string& label() const { return label_; }
    // POLLOUT: frames to write (or a TLS handshake message), listings to send, or requests to
    // serve that the upload limit lets us queue now.
    bool wants_write() const {
        return session_.wants_write() || (!pending_requests_.empty() && may_queue()) ||
               listing_.pending() || has_stream_work();
    }
    // False while a listing is still going out or too much is queued for this receiver: it
    // must read before it may ask for more.
    bool wants_read() const {
        return !listing_.pending() && session_.queued_frame_bytes() < pause_reading_above_bytes;
    }
    // The receiver let more pile up than it could have asked for: drop it.
    bool not_reading() const { return session_.queued_frame_bytes() > max_queued_frame_bytes; }
    uint64_t queued_frame_bytes() const { return session_.queued_frame_bytes(); }
    bool has_buffered_input() const { return session_.has_buffered_input(); }

    // Each returns an error when the connection must be closed (after a best-effort ERROR).
    // `now` dates what is read and written (a DECLINE window counts from when a piece left).
    std::error_code on_readable(clock::time_point now);
    std::error_code on_writable(clock::time_point now);
    void on_opened(open_result& result);
    void on_piece_verified(const content_id& id, uint32_t piece_index);
    // Sends ERROR naming the cause, then BYE, as far as the socket takes them now.
    void close_with(const std::error_code& cause);
    void send_bye();
    // KEEPALIVE after idle time; true when the peer has been silent too long.
    bool tick(clock::time_point now);

    // Where this receiver's own sender listens (from its HELLO), if it runs one.
    std::optional<net::endpoint> advertised_sender() const;
    // Peer exchange: tells the receiver about other senders of a content it has open.
    void send_peers(const content_id& id, const std::vector<net::endpoint>& peers);

    uint64_t bytes_sent() const { return session_.bytes_sent(); }
    // Asked of us and not yet acknowledged by the receiver: requests waiting, data queued, and
    // data in the socket (upload_backlog).
    uint64_t owed_bytes() const;
    // Sent and acknowledged by the receiver's TCP (bytes_sent less what the socket still holds).
    uint64_t bytes_acknowledged() const;
    bool serving_content(const content_id& id) const;
    bool has_open_handles() const { return !handles_.empty(); }
    // The receiver said BYE: close once everything queued is sent.
    bool finished() const { return closing_ && !session_.has_output() && !listing_.pending(); }

    // The receiver's peer ID, proved by its TLS certificate (once the handshake is done).
    const std::optional<identity::peer_id>& remote_peer_id() const {
        return session_.remote_peer_id();
    }
    // How its bytes travel, and OpenSSL's reason if the TLS layer failed.
    std::string transport() const { return session_.transport(); }
    std::string transport_failure() const { return session_.transport_failure(); }

    // For the admission policy: who may be evicted to make room.
    const std::string& remote_host() const { return remote_.host; }
    bool greeted() const { return session_.handshake_done(); }
    // Being served: content open, an OPEN or requests in flight, or output still queued.
    bool busy() const {
        return !handles_.empty() || opens_in_flight_ > 0 || !pending_requests_.empty() ||
               listing_.pending() || session_.has_output();
    }
    clock::time_point accepted_at() const { return accepted_at_; }
    // HELLO or the last LIST/OPEN/REQUEST/CANCEL/CLOSE (KEEPALIVE is not progress).
    clock::time_point last_useful() const { return last_useful_; }
    // last_useful, or later when the socket last took file data queued for this receiver.
    clock::time_point last_progress() const { return std::max(last_useful_, last_served_); }

  private:
    bool may_queue() const {
        return !context_.upload_limit || context_.upload_limit->ready(clock::now());
    }
    // session::message_handler: what a receiver may send us.
    std::error_code on_peer_verified(const identity::peer_id& peer) override;
    std::error_code on_hello(const wire::hello& hello) override;
    std::error_code on_list(const wire::list_request& message) override;
    std::error_code on_open(const wire::open_request& message) override;
    std::error_code on_request(const wire::request& request) override;
    std::error_code on_cancel(const wire::cancel& message) override;
    std::error_code on_close(const wire::close_msg& message) override;
    std::error_code on_bye() override;
    std::error_code on_error(const wire::error_msg& message) override;
    // Pairing (upload_pairing.cpp). A peer that came to pair and asks for anything else first
    // is refused as any unknown peer is (logged, ERROR peer_not_allowed).
    std::error_code refuse_unpaired();
    std::error_code on_pair_init(const wire::pair_init& init) override;
    std::error_code on_pair_confirm(const wire::pair_confirm& confirm) override;

    // True when the piece's blocks are declined (DECLINE sent, or already sent for it).
    bool declines(const wire::request& request, const content_entry& entry);
    void decline(const wire::request& request);
    // Queues listing frames and pending requests up to their targets; false when it queued
    // nothing (the upload limit is spent).
    bool refill_queue();
    // Tells the promises which pieces' last blocks have left since (see last_blocks_queued_).
    void note_pieces_sent(clock::time_point now);
    uint64_t unacknowledged_bytes() const;
    void start_next_listing();
    // errc::content_changed when the served file changed; checked once per piece.
    std::error_code check_unchanged_at_piece_start(const wire::request& request,
                                                   const content_entry& entry);
    void end_handle(uint32_t handle, const content_entry& entry, const std::error_code& cause);
    void publish_connect_back(const content_entry& entry);
    // A content still being hashed (upload_streaming.cpp): its head and known hashes now, the
    // rest as they are hashed; a receiver that does not read them gets MANIFEST once complete.
    void open_streaming(uint32_t handle, const std::shared_ptr<content_entry>& entry);
    void send_streamed_hashes();
    bool has_stream_work() const;
    // May this receiver ask for the piece: it was sent its hash.
    bool streamed_piece_sent(uint32_t handle, const content_entry& entry, uint32_t piece) const;
    // MANIFEST and BITFIELD of a streamed content whose hashing ended well.
    void send_whole_manifest(uint32_t handle, const content_entry& entry);
    // A tree's block of a great many small files is read a part at a time (upload_tree_blocks.cpp):
    // 262,144 one-byte files opened and read at once held the loop for seconds while the
    // receiver's stall clock ran. Its PIECE header goes out with the first part, each call of
    // on_writable reads the next, and no other request becomes a block until it is whole.
    // False when the block's files cannot be read (the handle is ended with the error).
    bool queue_tree_block(const wire::request& request,
                          const std::shared_ptr<content_entry>& entry);
    void start_filling(const wire::request& request, const std::shared_ptr<content_entry>& entry);
    void fill_next_part();

    const uint64_t id_;
    const net::endpoint remote_;
    sender_context& context_;
    std::string label_;
    session::peer_session session_;
    bool closing_ = false;
    std::string refusal_;  // why authorize refused this peer (sent to it in ERROR)
    // authorize let this peer read, or it paired on this connection. A peer that may not read
    // is refused at its HELLO unless it comes to pair; then it may only pair.
    bool may_read_ = false;
    std::unique_ptr<pairing_attempt> pairing_;  // the exchange in progress
    bool pairing_tried_ = false;                // one exchange per connection
    clock::time_point read_at_{};               // the `now` of the on_readable being handled
    const clock::time_point accepted_at_ = clock::now();
    clock::time_point last_useful_ = accepted_at_;
    clock::time_point last_served_ = accepted_at_;
    size_t opens_in_flight_ = 0;  // submitted to the opener, not yet answered
    std::map<uint32_t, std::shared_ptr<content_entry>> handles_;
    std::deque<wire::request> pending_requests_;
    listing_stream listing_;
    std::set<std::pair<uint32_t, uint32_t>>
        declined_;  // (handle, piece): its later blocks are dropped
    // Handles we ended with an ERROR (the file changed): requests the receiver sent before it
    // read that ERROR are still on their way, and are ignored rather than treated as a violation.
    std::set<uint32_t> ended_handles_;
    // The piece whose file identity was last checked (handle, piece) and the offset of its last
    // block queued since: its further blocks, asked for in order, skip the fstat.
    std::optional<wire::block_ref> identity_checked_for_;
    std::vector<net::file_range> ranges_;  // reused by every block of a tree
    struct block_filling {
        wire::request request;
        std::shared_ptr<content_entry> entry;
        std::shared_ptr<net::filling_bytes> bytes;
    };
    std::optional<block_filling> filling_;  // the block being read, if any
    served_transfers served_;               // for the transfer log
    // Last blocks of pieces of complete contents, queued: out once bytes_sent() reaches `mark`.
    struct queued_last_block {
        uint64_t mark = 0;
        content_id content{};
        uint32_t piece = 0;
    };
    std::deque<queued_last_block> last_blocks_queued_;
    // Handles of contents being hashed: how many of its hashes this receiver was sent
    // (waits_for_whole_manifest: it does not read a streamed manifest).
    static constexpr uint32_t waits_for_whole_manifest = UINT32_MAX;
    std::map<uint32_t, uint32_t> hashes_sent_;
    // Per handle opened with --owners: the tree's owners record, until its MANIFEST takes it.
    std::map<uint32_t, std::vector<uint8_t>> owners_;
    std::vector<uint8_t> take_owners(uint32_t handle);
};

}  // namespace xfer::sender
