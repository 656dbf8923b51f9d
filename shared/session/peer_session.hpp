// One connection to a peer, whichever half we are: the handshake (TLS, then HELLO both ways and
// the version check), framing in and out, keepalive, BYE and the silence deadline. Each decoded
// message goes to the owner's message_handler, one method per type; what a message means is the
// owner's business.
//
// Trust: the stream is a tls::tls_stream for every peer connection. When its handshake is done
// the session takes the peer ID it proved (remote_peer_id()) and asks the owner
// (message_handler::on_peer_verified) before it handles any frame of the peer or sends any of
// its own; a stream that proves no identity is refused (errc::not_authenticated), so there is no
// plaintext peer protocol. The HELLO carries no identity: its 16-byte id is a random instance id
// per process, used only to notice a connection to ourselves or a second one to the same process.
// Nothing outside this class reads a HELLO.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>

#include "shared/net/frame_reader.hpp"
#include "shared/net/send_queue.hpp"
#include "shared/net/stream.hpp"
#include "shared/session/message_handler.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::session {

enum class role {
    initiator,  // connected out (a receiver, `xfer ls`): sends its HELLO first
    responder,  // accepted (a sender): answers a valid HELLO with its own
};

// A peer says something at least this often; an idle session sends KEEPALIVE after it.
inline constexpr auto keepalive_interval = std::chrono::seconds(15);

class peer_session {
  public:
    using clock = std::chrono::steady_clock;

    // An initiator queues its HELLO at once (sent with the first flush).
    peer_session(role side, std::unique_ptr<net::stream> stream, wire::hello our_hello,
                 message_handler& handler, size_t read_budget);

    int fd() const { return stream_->fd(); }
    bool has_buffered_input() const { return stream_->has_buffered_input(); }
    // Poll for POLLOUT: the transport needs it (TLS handshake), or frames wait and the
    // transport is ready for them (never while the TLS handshake waits for the peer's bytes).
    bool wants_write() const {
        return stream_->wants_write() || (stream_->handshake_done() && !queue_.empty());
    }
    bool handshake_done() const { return remote_.has_value(); }
    // The peer ID the TLS handshake proved, once it is done (and accepted by on_peer_verified).
    const std::optional<identity::peer_id>& remote_peer_id() const { return remote_peer_; }
    // How this connection's bytes travel ("TLS 1.3 TLS_AES_128_GCM_SHA256, ...").
    std::string transport() const { return stream_->describe(); }
    // TLS exporter output for `label` (RFC 8446 7.5), the same on both ends of this connection
    // only: binds an exchange above (pairing) to this session. False before the handshake.
    bool export_keying_material(std::string_view label, std::span<uint8_t> out) const {
        return stream_->export_keying_material(label, out);
    }
    // OpenSSL's reason when the transport failed (for the log).
    std::string transport_failure() const { return stream_->failure_detail(); }
    // The peer's HELLO, once the handshake is done.
    const std::optional<wire::hello>& remote_hello() const { return remote_; }

    // Reads what the stream has (up to the read budget, and up to `max_bytes`: a rate limit's
    // tokens, overshot by at most one read) and dispatches it. PIECE data goes to `sink` (null:
    // PIECE is unexpected). An error means: drop this connection.
    std::error_code receive(net::block_sink* sink = nullptr, size_t max_bytes = SIZE_MAX);

    // Large frame bodies draw from `budget` (shared by the owner's connections; it must outlive
    // this session), and what this session holds of one (see net::frame_reader).
    void share_frame_budget(net::byte_budget* budget) { reader_.share_budget(budget); }
    size_t frame_bytes_held() const { return reader_.body_bytes_held(); }
    bool frame_starved() const { return reader_.starved(); }

    template <typename Message>
    void send(const Message& message) {
        wire::encode(message, queue_.bytes_for_append());
    }
    // A small frame that goes out ahead of queued PIECE data (see send_queue::bytes_for_urgent).
    template <typename Message>
    void send_urgent(const Message& message) {
        wire::encode(message, queue_.bytes_for_urgent());
    }
    // A PIECE frame whose data goes out of `file_fd` with sendfile; `holder` keeps it open.
    void send_piece(const wire::piece_header& header, uint32_t length,
                    std::shared_ptr<const void> holder, int file_fd, uint64_t file_offset);
    // A PIECE frame whose data spans several files (a tree's piece): one sendfile range each.
    void send_piece(const wire::piece_header& header, uint32_t length,
                    std::span<const net::file_range> ranges);
    // A PIECE frame whose data is still being read (`filling` grows to `length`; see
    // net::filling_bytes): its header and what is read go out, the rest as it comes.
    void send_piece(const wire::piece_header& header, std::shared_ptr<net::filling_bytes> filling);
    // Writes what the socket takes now.
    net::io_result flush();
    bool has_output() const { return !queue_.empty(); }
    uint64_t queued_file_bytes() const { return queue_.queued_file_bytes(); }
    // Encoded frames not yet written: what a peer that does not read makes us hold.
    uint64_t queued_frame_bytes() const { return queue_.queued_frame_bytes(); }

    // Queues KEEPALIVE when nothing was sent for keepalive_interval and nothing is waiting.
    void keepalive_if_idle(clock::time_point now);
    // BYE, written as far as the socket takes it now (the connection is about to close).
    void send_bye_now();

    // The silence deadline: nothing received from the peer for longer than `limit`.
    bool silent_longer_than(clock::duration limit, clock::time_point now) const {
        return now - last_received_ > limit;
    }
    clock::time_point last_received() const { return last_received_; }
    uint64_t bytes_received() const { return bytes_received_; }
    uint64_t bytes_sent() const { return bytes_sent_; }

  private:
    // Drives the transport's handshake; once done, checks and hands on the peer's identity.
    // would_block while it waits; an error drops the connection.
    net::io_result secure();
    std::error_code on_frame(wire::message_type type, std::span<const uint8_t> body);
    std::error_code accept_hello(const wire::message& message);

    const role role_;
    std::unique_ptr<net::stream> stream_;
    const wire::hello our_hello_;
    message_handler& handler_;
    const size_t read_budget_;
    net::frame_reader reader_;
    net::send_queue queue_;
    std::optional<identity::peer_id> remote_peer_;
    std::optional<wire::hello> remote_;
    uint64_t bytes_received_ = 0;
    uint64_t bytes_sent_ = 0;
    clock::time_point last_received_ = clock::now();
    clock::time_point last_sent_ = clock::now();
};

}  // namespace xfer::session
