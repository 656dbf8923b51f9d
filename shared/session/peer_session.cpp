#include "shared/session/peer_session.hpp"

#include <algorithm>

#include "shared/core/error.hpp"

namespace xfer::session {

peer_session::peer_session(role side, std::unique_ptr<net::stream> stream, wire::hello our_hello,
                           message_handler& handler, size_t read_budget)
    : role_(side),
      stream_(std::move(stream)),
      our_hello_(std::move(our_hello)),
      handler_(handler),
      read_budget_(read_budget) {
    if (role_ == role::initiator) send(our_hello_);
}

net::io_result peer_session::secure() {
    auto step = stream_->advance();
    if (step.error || remote_peer_ || !stream_->handshake_done()) return step;
    const auto* proved = stream_->verified_peer();
    if (proved == nullptr) {
        step.error = errc::not_authenticated;
        return step;
    }
    remote_peer_ = *proved;
    if (auto refused = handler_.on_peer_verified(*remote_peer_)) step.error = refused;
    return step;
}

std::error_code peer_session::receive(net::block_sink* sink, size_t max_bytes) {
    if (const auto step = secure(); step.error || !remote_peer_) return step.error;
    const auto result = reader_.pump(
        *stream_,
        [this](wire::message_type type, std::span<const uint8_t> body) {
            return on_frame(type, body);
        },
        sink, std::min(read_budget_, max_bytes));
    if (result.bytes > 0) {
        bytes_received_ += result.bytes;
        last_received_ = clock::now();
    }
    if (result.error) return result.error;
    if (result.closed) return errc::peer_closed;
    return {};
}

std::error_code peer_session::on_frame(wire::message_type type, std::span<const uint8_t> body) {
    if (type == wire::message_type::pair_init || type == wire::message_type::pair_reply ||
        type == wire::message_type::pair_confirm) {
        // Pairing follows the HELLOs; as a first frame it is not an xfer HELLO.
        if (!handshake_done()) return errc::bad_protocol;
        const auto pairing = wire::decode_pairing(type, body);
        if (!pairing) return pairing.error();
        return dispatch(handler_, *pairing);
    }
    auto decoded = wire::decode(type, body);
    if (!decoded) return decoded.error();
    if (!handshake_done()) return accept_hello(*decoded);
    return dispatch(handler_, *decoded);
}

// The one place a HELLO is validated (who the peer is was settled by TLS before any frame).
// A responder may answer with ERROR instead of its HELLO (it refuses us: not allowed to read).
std::error_code peer_session::accept_hello(const wire::message& message) {
    if (const auto* refusal = std::get_if<wire::error_msg>(&message);
        refusal != nullptr && role_ == role::initiator) {
        if (auto ec = handler_.on_error(*refusal)) return ec;
        return errc::peer_closed;
    }
    const auto* hello = std::get_if<wire::hello>(&message);
    if (hello == nullptr) return errc::bad_protocol;
    if (hello->version != wire::protocol_version) return errc::version_mismatch;
    remote_ = *hello;
    if (auto refused = handler_.on_hello(*remote_)) return refused;
    if (role_ == role::responder) send(our_hello_);
    return {};
}

void peer_session::send_piece(const wire::piece_header& header, uint32_t length,
                              std::shared_ptr<const void> holder, int file_fd,
                              uint64_t file_offset) {
    wire::encode_piece_header(header, length, queue_.bytes_for_append());
    queue_.append_file(std::move(holder), file_fd, file_offset, length);
}

void peer_session::send_piece(const wire::piece_header& header, uint32_t length,
                              std::span<const net::file_range> ranges) {
    wire::encode_piece_header(header, length, queue_.bytes_for_append());
    for (const auto& range : ranges) {
        if (range.data != nullptr)
            queue_.append_file_bytes(range.holder, range.data, range.length);
        else
            queue_.append_file(range.holder, range.fd, range.offset, range.length);
    }
}

void peer_session::send_piece(const wire::piece_header& header,
                              std::shared_ptr<net::filling_bytes> filling) {
    wire::encode_piece_header(header, filling->length, queue_.bytes_for_append());
    queue_.append_filling(std::move(filling));
}

net::io_result peer_session::flush() {
    // Nothing of ours goes out before the peer's identity was checked.
    if (const auto step = secure(); step.error || !remote_peer_ || step.would_block) return step;
    const auto result = queue_.flush(*stream_);
    bytes_sent_ += result.bytes;
    if (result.bytes > 0) last_sent_ = clock::now();
    return result;
}

void peer_session::keepalive_if_idle(clock::time_point now) {
    if (now - last_sent_ < keepalive_interval || !queue_.empty()) return;
    send(wire::keepalive{});
    last_sent_ = now;
}

void peer_session::send_bye_now() {
    send(wire::bye{});
    (void)flush();
}

}  // namespace xfer::session
