// One remote receiver connected to our sender: handshake, LIST / OPEN / REQUEST / CANCEL /
// CLOSE from it; HELLO, LISTING, MANIFEST, BITFIELD, HAVE, PIECE and ERROR to it. Data flows
// only from us to it.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <set>
#include <optional>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "sender/content_opener.hpp"
#include "sender/piece_promises.hpp"
#include "shared/net/address.hpp"
#include "shared/net/frame_reader.hpp"
#include "shared/net/send_queue.hpp"
#include "shared/net/stream.hpp"
#include "shared/store/piece_store.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::sender {

// What every connection of one sender shares; owned by the sender thread.
struct sender_context {
    piece_store& store;
    content_opener& opener;
    wire::hello our_hello;
    zmq::socket_t& peer_events;  // PUB: connect-back hints for our own receiver
    piece_promises& promises;    // what this seeder gave to whom, for DECLINE
};

// Per-connection limits: a receiver that exceeds them is dropped.
inline constexpr size_t max_handles_per_connection = 64;
inline constexpr size_t max_pending_requests = 2048;  // 512 MiB of 256 KiB blocks

class upload_connection {
public:
    using clock = std::chrono::steady_clock;

    upload_connection(uint64_t id, std::unique_ptr<net::stream> stream, net::endpoint remote);

    uint64_t id() const { return id_; }
    int fd() const { return stream_->fd(); }
    const std::string& label() const { return label_; }
    bool wants_write() const { return !queue_.empty() || !pending_requests_.empty(); }
    bool has_buffered_input() const { return stream_->has_buffered_input(); }

    // Each returns an error when the connection must be closed (after a best-effort ERROR).
    std::error_code on_readable(sender_context& context);
    std::error_code on_writable(sender_context& context);
    void on_opened(open_result& result, sender_context& context);
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

    uint64_t bytes_sent() const { return bytes_sent_; }
    bool serving_content(const content_id& id) const;
    bool has_open_handles() const { return !handles_.empty(); }
    // The receiver said BYE: close once everything queued is sent.
    bool finished() const { return closing_ && queue_.empty(); }

private:
    std::error_code handle(wire::message_type type, std::span<const uint8_t> body, sender_context& context);
    std::error_code handle_request(const wire::request& request, sender_context& context);
    template <typename Message>
    void send(const Message& message) {
        wire::encode(message, queue_.bytes_for_append());
    }
    void refill_queue(sender_context& context);

    const uint64_t id_;
    std::unique_ptr<net::stream> stream_;
    const net::endpoint remote_;
    std::string label_;
    net::frame_reader reader_;
    net::send_queue queue_;
    bool hello_received_ = false;
    bool closing_ = false;
    wire::hello remote_hello_;
    std::map<uint32_t, std::shared_ptr<content_entry>> handles_;
    std::deque<wire::request> pending_requests_;
    std::set<std::pair<uint32_t, uint32_t>> declined_;  // (handle, piece): its later blocks are dropped
    // Handles we ended with an ERROR (the file changed): requests the receiver sent before it
    // read that ERROR are still on their way, and are ignored rather than treated as a violation.
    std::set<uint32_t> ended_handles_;
    uint64_t bytes_sent_ = 0;
    clock::time_point last_received_ = clock::now();
    clock::time_point last_sent_ = clock::now();
};

}  // namespace xfer::sender
