// Incremental reader of xfer frames from a non-blocking stream. Small messages are parsed from a
// staging buffer; PIECE data is read straight into the buffer its sink names, so block data is
// copied once, from the kernel to its piece buffer. Every header is validated against the
// length table before anything is allocated or read further. A large body (a manifest, a
// listing) is held only as far as its bytes arrived, not as far as its header claims, and, when
// the reader shares a byte_budget, only while the budget has room: a full budget stops the reader
// (starved) without losing its place, until its owner frees room or drops a connection.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "shared/net/byte_budget.hpp"
#include "shared/net/stream.hpp"
#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::net {

// Where PIECE data goes. block_destination() returns a span of exactly `length` bytes, or an
// empty span to discard the data (a cancelled or unknown block).
class block_sink {
  public:
    virtual ~block_sink() = default;
    virtual std::span<uint8_t> block_destination(const wire::piece_header& header,
                                                 uint32_t length) = 0;
    virtual std::error_code block_received(const wire::piece_header& header, uint32_t length) = 0;
};

class frame_reader {
  public:
    using message_handler =
        std::function<std::error_code(wire::message_type, std::span<const uint8_t> body)>;

    frame_reader();
    ~frame_reader();
    frame_reader(const frame_reader&) = delete;
    frame_reader& operator=(const frame_reader&) = delete;

    // Large bodies draw their bytes from `budget` (null: unbounded, the default); it must
    // outlive this reader. Set before the first pump.
    void share_budget(byte_budget* budget) { budget_ = budget; }
    // Bytes of an unfinished large body this reader holds (drawn from its budget).
    size_t body_bytes_held() const { return held_; }
    // The last pump stopped because the budget had no room for the body's next bytes.
    bool starved() const { return starved_; }

    struct pump_result {
        size_t bytes = 0;
        bool closed = false;
        bool starved = false;   // the budget is full: nothing more was read (see starved())
        std::error_code error;  // I/O error, or a protocol error (bad header, handler refusal)
    };
    // Reads and dispatches until the stream would block or `budget` bytes were read (so one busy
    // connection cannot starve the others). A null sink treats PIECE as unexpected.
    pump_result pump(stream& in, const message_handler& on_message, block_sink* sink,
                     size_t budget);

    // True when a frame is partially read: a stall timer may use it.
    bool mid_frame() const { return state_ != state::header || staged() > 0; }

  private:
    enum class state { header, body, piece_prefix, piece_data };
    enum class read_mode { staged, piece_data, large_body };
    read_mode next_read_mode() const;
    std::optional<std::span<uint8_t>> read_target(read_mode mode);
    std::error_code take_read(read_mode mode, size_t bytes, const message_handler& on_message,
                              block_sink* sink);
    size_t staged() const { return end_ - begin_; }
    std::error_code consume_staged(const message_handler& on_message, block_sink* sink);
    std::expected<bool, std::error_code> consume_header(const block_sink* sink);
    std::expected<bool, std::error_code> consume_body(const message_handler& on_message);
    std::expected<bool, std::error_code> consume_piece_prefix(block_sink* sink);
    std::expected<bool, std::error_code> consume_piece_data(block_sink* sink);
    // Room in large_body_ for `needed` bytes, drawn from the budget; false: starved.
    bool make_room(size_t needed);
    void release_body();

    std::vector<uint8_t> staging_;
    size_t begin_ = 0;
    size_t end_ = 0;
    state state_ = state::header;
    wire::frame_header header_{};
    std::vector<uint8_t>
        large_body_;  // bodies larger than the staging buffer (manifests, listings)
    wire::piece_header piece_{};
    std::span<uint8_t> destination_;
    uint32_t data_length_ = 0;
    uint32_t data_done_ = 0;
    byte_budget* budget_ = nullptr;
    size_t body_size_ = 0;  // bytes of the large body received (large_body_ may be longer)
    size_t held_ = 0;       // large_body_'s size, as drawn from budget_
    bool starved_ = false;
};

}  // namespace xfer::net
