#include "shared/net/frame_reader.hpp"

#include <algorithm>
#include <cstring>

#include "shared/core/error.hpp"

namespace xfer::net {
namespace {
constexpr size_t staging_capacity = 64 * 1024;
// A large body grows from this, doubling, as its bytes arrive.
constexpr size_t first_body_capacity = 1024 * 1024;
}  // namespace

frame_reader::frame_reader() : staging_(staging_capacity) {}

frame_reader::~frame_reader() {
    release_body();
}

bool frame_reader::make_room(size_t needed) {
    if (needed <= held_) return true;
    const size_t capacity =
        std::min<size_t>(header_.length, std::max({needed, 2 * held_, first_body_capacity}));
    if (budget_ && !budget_->try_take(capacity - held_)) {
        starved_ = true;
        return false;
    }
    // Sized (zeroed) once per growth, not per read: reads fill it from body_size_ on.
    large_body_.reserve(capacity);  // exactly: resize alone may double the capacity
    large_body_.resize(capacity);
    held_ = capacity;
    return true;
}

void frame_reader::release_body() {
    large_body_ = {};  // do not keep a multi-megabyte buffer around
    body_size_ = 0;
    if (budget_) budget_->give_back(held_);
    held_ = 0;
}

std::error_code frame_reader::consume_staged(const message_handler& on_message, block_sink* sink) {
    for (;;) {
        switch (state_) {
            case state::header: {
                if (staged() < wire::frame_header_size) return {};
                uint8_t raw[wire::frame_header_size];
                std::memcpy(raw, staging_.data() + begin_, sizeof raw);
                if (auto ec = wire::validate_header(raw, header_)) return ec;
                begin_ += wire::frame_header_size;
                if (header_.type == wire::message_type::piece) {
                    if (sink == nullptr) return errc::unexpected_message;
                    state_ = state::piece_prefix;
                } else {
                    state_ = state::body;
                    release_body();
                }
                break;
            }
            case state::body: {
                if (header_.length <= staging_.size()) {
                    if (staged() < header_.length) return {};
                    const std::span<const uint8_t> body(staging_.data() + begin_, header_.length);
                    begin_ += header_.length;
                    state_ = state::header;
                    if (auto ec = on_message(header_.type, body)) return ec;
                    break;
                }
                const size_t take = std::min(staged(), header_.length - body_size_);
                if (!make_room(body_size_ + take)) return {};
                if (take > 0)
                    std::memcpy(large_body_.data() + body_size_, staging_.data() + begin_, take);
                body_size_ += take;
                begin_ += take;
                if (body_size_ < header_.length) return {};
                state_ = state::header;
                const auto ec =
                    on_message(header_.type, std::span(large_body_).first(header_.length));
                release_body();
                if (ec) return ec;
                break;
            }
            case state::piece_prefix: {
                if (staged() < wire::piece_prefix_size) return {};
                auto prefix =
                    wire::decode_piece_header({staging_.data() + begin_, wire::piece_prefix_size});
                if (!prefix) return prefix.error();
                begin_ += wire::piece_prefix_size;
                piece_ = *prefix;
                data_length_ = header_.length - wire::piece_prefix_size;
                data_done_ = 0;
                destination_ = sink->block_destination(piece_, data_length_);
                if (!destination_.empty() && destination_.size() != data_length_)
                    return errc::malformed_message;
                state_ = state::piece_data;
                break;
            }
            case state::piece_data: {
                const size_t take = std::min<size_t>(staged(), data_length_ - data_done_);
                if (!destination_.empty())
                    std::memcpy(destination_.data() + data_done_, staging_.data() + begin_, take);
                begin_ += take;
                data_done_ += static_cast<uint32_t>(take);
                if (data_done_ < data_length_) return {};
                state_ = state::header;
                if (!destination_.empty()) {
                    destination_ = {};
                    if (auto ec = sink->block_received(piece_, data_length_)) return ec;
                }
                break;
            }
        }
    }
}

frame_reader::pump_result frame_reader::pump(stream& in, const message_handler& on_message,
                                             block_sink* sink, size_t budget) {
    pump_result result;
    starved_ = false;
    for (;;) {
        if (auto ec = consume_staged(on_message, sink)) {
            result.error = ec;
            return result;
        }
        if (starved_) {
            result.starved = true;
            return result;
        }
        if (result.bytes >= budget) return result;
        std::span<uint8_t> target;
        const bool direct_piece = state_ == state::piece_data && !destination_.empty();
        const bool direct_body = state_ == state::body && header_.length > staging_.size();
        if (direct_piece) {
            // Straight from the kernel into the piece buffer: the one copy block data takes.
            target = destination_.subspan(data_done_, data_length_ - data_done_);
        } else if (direct_body) {
            // Only as far as the bytes arrive (a header may claim 64 MiB and send none of it).
            if (!make_room(body_size_ + 1)) {
                result.starved = true;
                return result;
            }
            target = std::span<uint8_t>(large_body_).subspan(body_size_);
        } else {
            if (begin_ > 0) {
                std::memmove(staging_.data(), staging_.data() + begin_, staged());
                end_ -= begin_;
                begin_ = 0;
            }
            target = std::span<uint8_t>(staging_).subspan(end_);
        }
        const io_result got = in.read_some(target);
        result.bytes += got.bytes;
        if (direct_piece) {
            data_done_ += static_cast<uint32_t>(got.bytes);
            if (data_done_ == data_length_) {
                state_ = state::header;
                destination_ = {};
                if (auto ec = sink->block_received(piece_, data_length_)) {
                    result.error = ec;
                    return result;
                }
            }
        } else if (direct_body) {
            body_size_ += got.bytes;
            if (body_size_ == header_.length) {
                state_ = state::header;
                const auto ec =
                    on_message(header_.type, std::span(large_body_).first(header_.length));
                release_body();
                if (ec) {
                    result.error = ec;
                    return result;
                }
            }
        } else {
            end_ += got.bytes;
        }
        if (got.error) {
            result.error = got.error;
            return result;
        }
        if (got.closed) {
            // A clean close in the middle of a frame is still a truncated frame.
            result.closed = true;
            if (mid_frame()) result.error = errc::peer_closed;
            return result;
        }
        if (got.would_block) {
            if (auto ec = consume_staged(on_message, sink)) result.error = ec;
            return result;
        }
    }
}

}  // namespace xfer::net
