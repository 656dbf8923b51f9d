// One remote sender we pull from: connect, then (through its peer_session) HELLO both ways,
// OPEN, REQUEST/CANCEL up and PIECE/HAVE down. It is a transport: what to request, what is in
// flight, what the source holds and what a message means for the fetch are the listener's (the
// fetcher and its transfer_scheduler); the connection keeps only its own liveness clocks.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "shared/core/ids.hpp"
#include "shared/core/token_bucket.hpp"
#include "shared/net/address.hpp"
#include "shared/net/frame_reader.hpp"
#include "shared/session/peer_session.hpp"
#include "shared/tls/tls_context.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::receiver {

class download_connection;

// How much of a block arriving counts as progress against the stall limit (a trickle of a few
// bytes does not: 16 KiB per stall period is about 13 kbit/s at the default 10 s).
inline constexpr uint64_t partial_block_progress_bytes = 16 * 1024;

// One handler per message a sender may send a receiver; an error drops the source.
class download_listener {
  public:
    virtual ~download_listener() = default;
    // The TLS handshake proved the source's peer ID; nothing of ours was sent yet. An error
    // refuses it (not the sender we meant; say why with note_refusal).
    virtual std::error_code on_peer_verified(download_connection& from,
                                             const identity::peer_id& peer) = 0;
    // The source's HELLO passed the session's checks; refuse ourselves or a peer we pull from.
    virtual std::error_code on_hello(download_connection& from, const wire::hello& hello) = 0;
    virtual std::error_code on_manifest(download_connection& from,
                                        const wire::manifest_msg& message) = 0;
    // A manifest streamed as the source hashes it (docs/PROTOCOL.md, "Streamed manifest").
    virtual std::error_code on_manifest_head(download_connection& from,
                                             const wire::manifest_head_msg& message) = 0;
    virtual std::error_code on_manifest_hashes(download_connection& from,
                                               const wire::manifest_hashes_msg& message) = 0;
    virtual std::error_code on_bitfield(download_connection& from,
                                        const wire::bitfield_msg& message) = 0;
    virtual std::error_code on_have(download_connection& from, const wire::have& message) = 0;
    virtual std::error_code on_error(download_connection& from, const wire::error_msg& message) = 0;
    virtual std::error_code on_decline(download_connection& from,
                                       const wire::decline_msg& message) = 0;
    virtual std::error_code on_peers(download_connection& from, const wire::peers_msg& message) = 0;
    virtual std::span<uint8_t> block_destination(download_connection& from,
                                                 const wire::piece_header& header,
                                                 uint32_t length) = 0;
    virtual std::error_code block_received(download_connection& from,
                                           const wire::piece_header& header, uint32_t length) = 0;
};

class download_connection final : private net::block_sink, private session::message_handler {
  public:
    using clock = std::chrono::steady_clock;
    enum class phase { connecting, open, closed };

    // `download_limit` (null: none) is the fetch's --limit-down, shared by all its sources.
    download_connection(uint64_t key, net::endpoint source, download_listener& listener,
                        token_bucket* download_limit = nullptr);

    // Starts a non-blocking connect, TLS over it with `tls`; the error string names the address
    // on failure. Large frame bodies (manifests) draw from `frame_memory`, shared by every
    // source of the fetch (null: unbounded); it must outlive this connection.
    std::string start(const wire::hello& our_hello, const wire::open_request& open,
                      std::shared_ptr<const tls::tls_context> tls,
                      net::byte_budget* frame_memory = nullptr);

    uint64_t key() const { return key_; }
    const net::endpoint& source() const { return source_; }
    const std::string& label() const { return label_; }
    phase state() const { return phase_; }
    int fd() const { return session_ ? session_->fd() : -1; }
    // ZMQ_POLLIN / ZMQ_POLLOUT for a zmq::pollitem_t (not the poll(2) values).
    short poll_events() const;
    // Input waiting in user space that may be read now (none while the limit is spent), or a
    // read that stopped on the fetch's full frame memory and goes on once room was made.
    bool has_buffered_input() const {
        return session_ && may_read() && (session_->has_buffered_input() || starved_now_);
    }

    // Bytes of an unfinished frame this source makes us hold, and whether its last read stopped
    // because the fetch's frame memory was full.
    size_t frame_bytes_held() const { return session_ ? session_->frame_bytes_held() : 0; }
    bool frame_starved() const { return starved_now_; }

    // Handles poll results. An error (with a reason) means: drop this connection.
    std::error_code on_poll(short revents, std::string& reason);

    // Requests all blocks of a piece (handle 1). `starts_wait`: nothing was in flight from this
    // source before, so its wait for data (the stall clock) starts now. Queued, not sent: see
    // send_queued_requests.
    void request_piece(uint32_t piece_index, uint32_t piece_length, bool starts_wait);
    // One CANCEL for each block of `blocks` (bit i: the block at i * wire::block_size). Queued.
    void cancel_blocks(uint32_t piece_index, uint32_t piece_length, uint64_t blocks);
    // Sends the REQUESTs and CANCELs queued since the last call, together: the fetch calls it
    // once a loop pass, before it polls. Sent one call at a time, each was a TLS record and a
    // write of its own (43 bytes): 18,300 of them in 5 s at 64 hosts, half of them answers to
    // DECLINEs that arrived together (issue 13).
    void send_queued_requests();
    void send_keepalive_if_idle(clock::time_point now);
    void send_close_and_bye();
    // The fetch loop read nothing for a while (it waited for its own writes): what the source
    // sent meanwhile is still unread, so its waits for data start again now.
    void restart_waits(clock::time_point now) { last_data_ = last_progress_ = now; }

    uint64_t bytes_received() const { return session_ ? session_->bytes_received() : 0; }
    bool ever_connected() const { return ever_connected_; }
    clock::time_point last_data() const { return last_data_; }
    // Last useful progress: connected, MANIFEST, BITFIELD, HAVE, a block asked for (a new wait
    // for data starts the clock again), or another partial_block_progress_bytes of a block that
    // is arriving. KEEPALIVE and DECLINE are not progress.
    clock::time_point last_progress() const { return last_progress_; }
    clock::time_point connected_at() const { return connected_at_; }
    // The last block, or partial_block_progress_bytes of one, that arrived: data, not chatter.
    clock::time_point last_block_data() const { return last_block_data_; }
    uint32_t declines() const { return declines_; }

    // The source's instance id (random per process), once its HELLO was accepted.
    std::optional<peer_id> remote_id() const;
    // The source's peer ID, proved by its TLS certificate, once the handshake is done.
    std::optional<identity::peer_id> remote_peer_id() const;
    // Its MANIFEST was accepted: it serves the content we fetch.
    bool manifest_accepted() const { return manifest_accepted_; }
    bool greeted() const { return greeted_; }  // the sender's HELLO arrived
    void accept_manifest() { manifest_accepted_ = true; }
    // How many of the manifest's hashes this source has sent us (all of them after a MANIFEST):
    // the next MANIFEST_HASHES must start here, and it may announce only pieces below it.
    uint32_t& hashes_sent() { return hashes_sent_; }
    uint32_t hashes_sent() const { return hashes_sent_; }
    // What the source said when it refused us (its ERROR text), for the user.
    void note_refusal(std::string text) { refusal_ = std::move(text); }
    const std::string& refusal() const { return refusal_; }
    // Smoothed receive rate, bytes per second; update_rate is called once per `interval`.
    double rate() const { return rate_; }
    void update_rate(std::chrono::duration<double> interval);

  private:
    // net::block_sink
    std::span<uint8_t> block_destination(const wire::piece_header& header,
                                         uint32_t length) override;
    std::error_code block_received(const wire::piece_header& header, uint32_t length) override;
    // session::message_handler: forwarded to the listener with this connection.
    std::error_code on_peer_verified(const identity::peer_id& peer) override;
    std::error_code on_hello(const wire::hello& hello) override;
    std::error_code on_manifest(const wire::manifest_msg& message) override;
    std::error_code on_manifest_head(const wire::manifest_head_msg& message) override;
    std::error_code on_manifest_hashes(const wire::manifest_hashes_msg& message) override;
    std::error_code on_bitfield(const wire::bitfield_msg& message) override;
    std::error_code on_have(const wire::have& message) override;
    std::error_code on_error(const wire::error_msg& message) override;
    std::error_code on_decline(const wire::decline_msg& message) override;
    std::error_code on_peers(const wire::peers_msg& message) override;
    std::error_code on_bye() override { return errc::peer_closed; }
    std::error_code flush();
    // Bytes read while a block we asked for is arriving count as progress in steps of
    // partial_block_progress_bytes: a sender shared by 31 receivers at 5 Mbit/s sends each
    // ~20 KB/s, so one 256 KiB block takes ~13 s, longer than the stall limit (issue 13: 908
    // sources dropped as stalled in one 32-host run, their partial pieces fetched again).
    void note_block_bytes(uint64_t got, clock::time_point now);
    // False while the download limit is spent: the socket is then neither polled for input nor
    // read, so the kernel's window closes and the sender slows down.
    bool may_read() const { return !download_limit_ || download_limit_->ready(clock::now()); }

    const uint64_t key_;
    const net::endpoint source_;
    download_listener& listener_;
    token_bucket* download_limit_;
    std::string label_;
    phase phase_ = phase::connecting;
    bool ever_connected_ = false;
    std::optional<session::peer_session> session_;  // from start()
    clock::time_point last_data_ = clock::now();
    clock::time_point last_progress_ = clock::now();
    clock::time_point connected_at_ = clock::now();
    uint32_t declines_ = 0;
    bool in_block_ = false;  // between a wanted block's PIECE header and its last byte
    uint64_t block_bytes_since_progress_ = 0;
    clock::time_point last_block_data_{};
    bool manifest_accepted_ = false;
    bool greeted_ = false;
    bool starved_now_ = false;  // this poll's read stopped on the fetch's full frame memory
    uint32_t hashes_sent_ = 0;
    bool requests_queued_ = false;  // REQUESTs or CANCELs not yet flushed
    std::string refusal_;
    double rate_ = 0;
    uint64_t rate_mark_ = 0;  // bytes_received() at the last update_rate
};

}  // namespace xfer::receiver
