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
    // Do not keep a multi-megabyte buffer around. Swapped with an empty one: `large_body_ = {}`
    // is the initializer-list assignment, which keeps the capacity (a 1,000,000-entry tree's
    // manifest, ~10 MB, stayed for the connection's life).
    std::vector<uint8_t>().swap(large_body_);
    body_size_ = 0;
    if (budget_) budget_->give_back(held_);
    held_ = 0;
}

// Each consume_* step takes what it can from the staging buffer: true when it moved on (so
// the next step may run), false when it waits for more bytes.
std::error_code frame_reader::consume_staged(const message_handler& on_message, block_sink* sink) {
    for (;;) {
        std::expected<bool, std::error_code> step = false;
        switch (state_) {
            case state::header:
                step = consume_header(sink);
                break;
            case state::body:
                step = consume_body(on_message);
                break;
            case state::piece_prefix:
                step = consume_piece_prefix(sink);
                break;
            case state::piece_data:
                step = consume_piece_data(sink);
                break;
        }
        if (!step) return step.error();
        if (!*step) return {};
    }
}

std::expected<bool, std::error_code> frame_reader::consume_header(const block_sink* sink) {
    if (staged() < wire::frame_header_size) return false;
    uint8_t raw[wire::frame_header_size];
    std::memcpy(raw, staging_.data() + begin_, sizeof raw);
    if (auto ec = wire::validate_header(raw, header_)) return std::unexpected(ec);
    begin_ += wire::frame_header_size;
    if (header_.type == wire::message_type::piece) {
        if (sink == nullptr) return std::unexpected(make_error_code(errc::unexpected_message));
        state_ = state::piece_prefix;
    } else {
        state_ = state::body;
        release_body();
    }
    return true;
}

// A small body is handed over from the staging buffer; a large one is gathered first.
std::expected<bool, std::error_code> frame_reader::consume_body(const message_handler& on_message) {
    if (header_.length <= staging_.size()) {
        if (staged() < header_.length) return false;
        const std::span<const uint8_t> body(staging_.data() + begin_, header_.length);
        begin_ += header_.length;
        state_ = state::header;
        if (auto ec = on_message(header_.type, body)) return std::unexpected(ec);
        return true;
    }
    const size_t take = std::min(staged(), header_.length - body_size_);
    if (!make_room(body_size_ + take)) return false;
    if (take > 0) std::memcpy(large_body_.data() + body_size_, staging_.data() + begin_, take);
    body_size_ += take;
    begin_ += take;
    if (body_size_ < header_.length) return false;
    state_ = state::header;
    const auto ec = on_message(header_.type, std::span(large_body_).first(header_.length));
    release_body();
    if (ec) return std::unexpected(ec);
    return true;
}

std::expected<bool, std::error_code> frame_reader::consume_piece_prefix(block_sink* sink) {
    if (staged() < wire::piece_prefix_size) return false;
    auto prefix = wire::decode_piece_header({staging_.data() + begin_, wire::piece_prefix_size});
    if (!prefix) return std::unexpected(prefix.error());
    begin_ += wire::piece_prefix_size;
    piece_ = *prefix;
    data_length_ = header_.length - wire::piece_prefix_size;
    data_done_ = 0;
    destination_ = sink->block_destination(piece_, data_length_);
    if (!destination_.empty() && destination_.size() != data_length_)
        return std::unexpected(make_error_code(errc::malformed_message));
    state_ = state::piece_data;
    return true;
}

// Block bytes that arrived with earlier reads; no destination means the block is dropped.
std::expected<bool, std::error_code> frame_reader::consume_piece_data(block_sink* sink) {
    const size_t take = std::min<size_t>(staged(), data_length_ - data_done_);
    if (!destination_.empty())
        std::memcpy(destination_.data() + data_done_, staging_.data() + begin_, take);
    begin_ += take;
    data_done_ += static_cast<uint32_t>(take);
    if (data_done_ < data_length_) return false;
    state_ = state::header;
    if (!destination_.empty()) {
        destination_ = {};
        if (auto ec = sink->block_received(piece_, data_length_)) return std::unexpected(ec);
    }
    return true;
}

// Where the next read lands: a piece buffer (block data), a large body as far as its bytes
// arrive, or the staging buffer (headers and small bodies).
frame_reader::read_mode frame_reader::next_read_mode() const {
    if (state_ == state::piece_data && !destination_.empty()) return read_mode::piece_data;
    if (state_ == state::body && header_.length > staging_.size()) return read_mode::large_body;
    return read_mode::staged;
}

std::optional<std::span<uint8_t>> frame_reader::read_target(read_mode mode) {
    switch (mode) {
        case read_mode::piece_data:
            // Straight from the kernel into the piece buffer: the one copy block data takes.
            return destination_.subspan(data_done_, data_length_ - data_done_);
        case read_mode::large_body:
            // Only as far as the bytes arrive (a header may claim 64 MiB and send none of it).
            if (!make_room(body_size_ + 1)) return std::nullopt;
            return std::span<uint8_t>(large_body_).subspan(body_size_);
        case read_mode::staged:
            break;
    }
    if (begin_ > 0) {
        std::memmove(staging_.data(), staging_.data() + begin_, staged());
        end_ -= begin_;
        begin_ = 0;
    }
    return std::span<uint8_t>(staging_).subspan(end_);
}

// Counts `bytes` just read into the target of `mode`; a block or a large body that is now
// complete goes to its consumer.
std::error_code frame_reader::take_read(read_mode mode, size_t bytes,
                                        const message_handler& on_message, block_sink* sink) {
    switch (mode) {
        case read_mode::piece_data:
            data_done_ += static_cast<uint32_t>(bytes);
            if (data_done_ < data_length_) return {};
            state_ = state::header;
            destination_ = {};
            return sink->block_received(piece_, data_length_);
        case read_mode::large_body: {
            body_size_ += bytes;
            if (body_size_ < header_.length) return {};
            state_ = state::header;
            const auto ec = on_message(header_.type, std::span(large_body_).first(header_.length));
            release_body();
            return ec;
        }
        case read_mode::staged:
            end_ += bytes;
            return {};
    }
    return {};
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
        const auto mode = next_read_mode();
        const auto target = read_target(mode);
        if (!target) {
            result.starved = true;
            return result;
        }
        const io_result got = in.read_some(*target);
        result.bytes += got.bytes;
        if (auto ec = take_read(mode, got.bytes, on_message, sink)) {
            result.error = ec;
            return result;
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
