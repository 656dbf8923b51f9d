#include "receiver/download_connection.hpp"

#include <zmq.h>

#include <utility>

#include "shared/core/error.hpp"
#include "shared/core/log.hpp"
#include "shared/net/socket.hpp"
#include "shared/tls/tls_stream.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::receiver {
namespace {
// Enough to keep a fast link busy, small enough that the loop still serves other sockets.
constexpr size_t read_budget = 8 * 1024 * 1024;
constexpr uint32_t fetch_handle = 1;
}  // namespace

download_connection::download_connection(uint64_t key, net::endpoint source,
                                         download_listener& listener, token_bucket* download_limit)
    : key_(key),
      source_(std::move(source)),
      listener_(listener),
      download_limit_(download_limit),
      label_("->" + source_.to_string()) {}

std::string download_connection::start(const wire::hello& our_hello, const wire::open_request& open,
                                       std::shared_ptr<const tls::tls_context> tls,
                                       net::byte_budget* frame_memory) {
    auto fd = net::start_connect(source_);
    if (!fd) {
        phase_ = phase::closed;
        return fd.error();
    }
    // Our HELLO, then OPEN: queued now, sent as soon as the connection is up.
    session_.emplace(
        session::role::initiator,
        std::make_unique<tls::tls_stream>(std::move(*fd), std::move(tls), tls::side::client),
        our_hello, static_cast<session::message_handler&>(*this), read_budget);
    session_->share_frame_budget(frame_memory);
    session_->send(open);
    return {};
}

short download_connection::poll_events() const {
    if (phase_ == phase::connecting) return ZMQ_POLLOUT;
    return static_cast<short>((may_read() ? ZMQ_POLLIN : 0) |
                              (session_->wants_write() ? ZMQ_POLLOUT : 0));
}

std::error_code download_connection::flush() {
    requests_queued_ = false;
    const auto result = session_->flush();
    if (result.error) return result.error;
    if (result.closed) return errc::peer_closed;
    return {};
}

std::error_code download_connection::on_poll(short revents, std::string& reason) {
    const bool was_starved = std::exchange(starved_now_, false);
    if (phase_ == phase::connecting) {
        if (!(revents & (ZMQ_POLLOUT | ZMQ_POLLERR))) return {};
        const auto problem = net::finish_connect(session_->fd());
        if (!problem.empty()) {
            reason = "cannot connect: " + problem;
            return errc::peer_closed;
        }
        phase_ = phase::open;
        ever_connected_ = true;
        last_data_ = clock::now();
        last_progress_ = last_data_;
        connected_at_ = last_data_;
    }
    std::error_code ec;
    const bool readable =
        (revents & (ZMQ_POLLIN | ZMQ_POLLERR)) || session_->has_buffered_input() || was_starved;
    if (readable && may_read()) {
        const uint64_t before = session_->bytes_received();
        // At most what the limit holds now (its balance is positive: may_read()).
        const size_t allowed = download_limit_
                                   ? static_cast<size_t>(download_limit_->balance(clock::now()))
                                   : SIZE_MAX;
        ec = session_->receive(this, allowed);
        starved_now_ = session_->frame_starved();
        if (const auto got = session_->bytes_received() - before; got > 0) {
            last_data_ = clock::now();
            if (download_limit_) download_limit_->spend(got, last_data_);
            note_block_bytes(got, last_data_);
        }
    }
    if (!ec && session_->wants_write()) ec = flush();
    if (ec == make_error_code(errc::tls_failed))
        reason = (session_->remote_peer_id() ? "TLS error: " : "TLS handshake failed: ") +
                 session_->transport_failure();
    return ec;
}

std::optional<peer_id> download_connection::remote_id() const {
    if (!session_ || !session_->remote_hello()) return std::nullopt;
    return session_->remote_hello()->id;
}

void download_connection::update_rate(std::chrono::duration<double> interval) {
    const double instant = static_cast<double>(bytes_received() - rate_mark_) / interval.count();
    rate_ = rate_ == 0 ? instant : 0.7 * rate_ + 0.3 * instant;
    rate_mark_ = bytes_received();
}

std::optional<identity::peer_id> download_connection::remote_peer_id() const {
    if (!session_) return std::nullopt;
    return session_->remote_peer_id();
}

std::error_code download_connection::on_peer_verified(const identity::peer_id& peer) {
    label_ = "->" + source_.to_string() + "/" + identity::format_peer_id(peer).substr(0, 7);
    XLOG_INFO("receiver", label_,
              "sender " << identity::format_peer_id(peer) << " over " << session_->transport());
    return listener_.on_peer_verified(*this, peer);
}

std::error_code download_connection::on_hello(const wire::hello& hello) {
    greeted_ = true;
    return listener_.on_hello(*this, hello);
}

std::error_code download_connection::on_manifest(const wire::manifest_msg& message) {
    last_progress_ = clock::now();
    return listener_.on_manifest(*this, message);
}

std::error_code download_connection::on_manifest_head(const wire::manifest_head_msg& message) {
    last_progress_ = clock::now();
    return listener_.on_manifest_head(*this, message);
}

std::error_code download_connection::on_manifest_hashes(const wire::manifest_hashes_msg& message) {
    last_progress_ = clock::now();
    return listener_.on_manifest_hashes(*this, message);
}

std::error_code download_connection::on_bitfield(const wire::bitfield_msg& message) {
    last_progress_ = clock::now();
    return listener_.on_bitfield(*this, message);
}

std::error_code download_connection::on_have(const wire::have& message) {
    last_progress_ = clock::now();
    return listener_.on_have(*this, message);
}

std::error_code download_connection::on_error(const wire::error_msg& message) {
    return listener_.on_error(*this, message);
}

std::error_code download_connection::on_decline(const wire::decline_msg& message) {
    ++declines_;
    return listener_.on_decline(*this, message);
}

std::error_code download_connection::on_peers(const wire::peers_msg& message) {
    return listener_.on_peers(*this, message);
}

void download_connection::request_piece(uint32_t piece_index, uint32_t piece_length,
                                        bool starts_wait) {
    if (starts_wait) last_progress_ = clock::now();
    for (uint32_t offset = 0; offset < piece_length; offset += wire::block_size) {
        const uint32_t length = std::min(wire::block_size, piece_length - offset);
        session_->send(wire::request{{fetch_handle, piece_index, offset, length}});
    }
    requests_queued_ = true;
}

void download_connection::cancel_blocks(uint32_t piece_index, uint32_t piece_length,
                                        uint64_t blocks) {
    for (uint32_t offset = 0; blocks != 0 && offset < piece_length;
         offset += wire::block_size, blocks >>= 1) {
        if ((blocks & 1) == 0) continue;
        const uint32_t length = std::min(wire::block_size, piece_length - offset);
        session_->send(wire::cancel{{fetch_handle, piece_index, offset, length}});
    }
    requests_queued_ = true;
}

void download_connection::send_queued_requests() {
    if (!requests_queued_ || phase_ != phase::open) return;
    // An error is the next poll's to report (on_poll reads and fails there).
    (void)flush();
}

void download_connection::send_keepalive_if_idle(clock::time_point now) {
    if (phase_ != phase::open) return;
    session_->keepalive_if_idle(now);
    (void)flush();
}

void download_connection::send_close_and_bye() {
    if (phase_ != phase::open) return;
    session_->send(wire::close_msg{fetch_handle});
    session_->send_bye_now();
    phase_ = phase::closed;
}

std::span<uint8_t> download_connection::block_destination(const wire::piece_header& header,
                                                          uint32_t length) {
    if (header.handle != fetch_handle) return {};
    // Empty (never asked, cancelled, not wanted any more): read and dropped.
    auto destination = listener_.block_destination(*this, header, length);
    in_block_ = !destination.empty();
    return destination;
}

void download_connection::note_block_bytes(uint64_t got, clock::time_point now) {
    if (!in_block_) return;
    block_bytes_since_progress_ += got;
    if (block_bytes_since_progress_ < partial_block_progress_bytes) return;
    last_progress_ = now;
    last_block_data_ = now;
    block_bytes_since_progress_ = 0;
}

std::error_code download_connection::block_received(const wire::piece_header& header,
                                                    uint32_t length) {
    last_progress_ = clock::now();
    last_block_data_ = last_progress_;
    in_block_ = false;
    block_bytes_since_progress_ = 0;
    return listener_.block_received(*this, header, length);
}

}  // namespace xfer::receiver
