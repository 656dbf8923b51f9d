#include "receiver/download_connection.hpp"

#include <zmq.h>

#include "shared/core/error.hpp"
#include "shared/net/socket.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::receiver {
namespace {
constexpr auto keepalive_interval = std::chrono::seconds(15);
// Enough to keep a fast link busy, small enough that the loop still serves other sockets.
constexpr size_t read_budget = 8 * 1024 * 1024;
constexpr uint32_t fetch_handle = 1;
}  // namespace

download_connection::download_connection(uint64_t key, net::endpoint source, download_listener& listener)
    : key_(key), source_(std::move(source)), listener_(listener), label_("->" + source_.to_string()) {}

std::string download_connection::start(const wire::hello& our_hello, const wire::open_request& open) {
    auto fd = net::start_connect(source_);
    if (!fd) {
        phase_ = phase::closed;
        return fd.error();
    }
    stream_ = std::make_unique<net::tcp_stream>(std::move(*fd));
    // Queued now, sent as soon as the connection is up.
    wire::encode(our_hello, queue_.bytes_for_append());
    wire::encode(open, queue_.bytes_for_append());
    return {};
}

short download_connection::poll_events() const {
    if (phase_ == phase::connecting) return ZMQ_POLLOUT;
    return static_cast<short>(ZMQ_POLLIN | (queue_.empty() ? 0 : ZMQ_POLLOUT));
}

std::error_code download_connection::flush() {
    const auto result = queue_.flush(*stream_);
    if (result.bytes > 0) last_sent_ = clock::now();
    if (result.error) return result.error;
    if (result.closed) return errc::peer_closed;
    return {};
}

std::error_code download_connection::on_poll(short revents, std::string& reason) {
    if (phase_ == phase::connecting) {
        if (!(revents & (ZMQ_POLLOUT | ZMQ_POLLERR))) return {};
        const auto problem = net::finish_connect(stream_->fd());
        if (!problem.empty()) {
            reason = "cannot connect: " + problem;
            return errc::peer_closed;
        }
        phase_ = phase::open;
        ever_connected_ = true;
        last_data_ = clock::now();
    }
    if ((revents & (ZMQ_POLLIN | ZMQ_POLLERR)) || stream_->has_buffered_input()) {
        const auto result = reader_.pump(
            *stream_,
            [&](wire::message_type type, std::span<const uint8_t> body) -> std::error_code {
                auto decoded = wire::decode(type, body);
                if (!decoded) return decoded.error();
                return listener_.on_message(*this, *decoded);
            },
            this, read_budget);
        if (result.bytes > 0) {
            bytes_received_ += result.bytes;
            last_data_ = clock::now();
        }
        if (result.error) return result.error;
        if (result.closed) return errc::peer_closed;
    }
    if (!queue_.empty()) return flush();
    return {};
}

void download_connection::request_piece(uint32_t piece_index, uint32_t piece_length) {
    auto& blocks = outstanding_[piece_index];
    auto& out = queue_.bytes_for_append();
    for (uint32_t offset = 0; offset < piece_length; offset += wire::block_size) {
        const uint32_t length = std::min(wire::block_size, piece_length - offset);
        wire::encode(wire::request{{fetch_handle, piece_index, offset, length}}, out);
        blocks[offset] = length;
        bytes_in_flight_ += length;
    }
    if (phase_ == phase::open) (void)flush();
}

bool download_connection::cancel_piece(uint32_t piece_index) {
    const auto it = outstanding_.find(piece_index);
    if (it == outstanding_.end()) return false;
    auto& out = queue_.bytes_for_append();
    for (const auto& [offset, length] : it->second) {
        wire::encode(wire::cancel{{fetch_handle, piece_index, offset, length}}, out);
        bytes_in_flight_ -= length;
    }
    outstanding_.erase(it);
    if (phase_ == phase::open) (void)flush();
    return true;
}

void download_connection::block_arrived(uint32_t piece_index, uint32_t offset) {
    const auto it = outstanding_.find(piece_index);
    if (it == outstanding_.end()) return;
    const auto block = it->second.find(offset);
    if (block == it->second.end()) return;
    bytes_in_flight_ -= block->second;
    it->second.erase(block);
    if (it->second.empty()) outstanding_.erase(it);
}

std::set<uint32_t> download_connection::pieces_outstanding() const {
    std::set<uint32_t> pieces;
    for (const auto& [piece, blocks] : outstanding_) pieces.insert(piece);
    return pieces;
}

void download_connection::send_keepalive_if_idle(clock::time_point now) {
    if (phase_ != phase::open || now - last_sent_ < keepalive_interval) return;
    wire::encode(wire::keepalive{}, queue_.bytes_for_append());
    (void)flush();
}

void download_connection::send_close_and_bye() {
    if (phase_ != phase::open) return;
    wire::encode(wire::close_msg{fetch_handle}, queue_.bytes_for_append());
    wire::encode(wire::bye{}, queue_.bytes_for_append());
    (void)flush();
    phase_ = phase::closed;
}

std::span<uint8_t> download_connection::block_destination(const wire::piece_header& header, uint32_t length) {
    if (header.handle != fetch_handle) return {};
    const auto it = outstanding_.find(header.piece);
    if (it == outstanding_.end()) return {};  // cancelled, or never asked: discard
    const auto block = it->second.find(header.offset);
    if (block == it->second.end() || block->second != length) return {};
    auto destination = listener_.block_destination(*this, header, length);
    // Data nobody wants any more is read and dropped; it is no longer outstanding either.
    if (destination.empty()) block_arrived(header.piece, header.offset);
    return destination;
}

std::error_code download_connection::block_received(const wire::piece_header& header, uint32_t length) {
    block_arrived(header.piece, header.offset);
    return listener_.block_received(*this, header, length);
}

}  // namespace xfer::receiver
