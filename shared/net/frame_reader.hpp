// Incremental reader of xfer frames from a non-blocking stream. Small messages are parsed from a
// staging buffer; PIECE data is read straight into the buffer its sink names, so block data is
// copied once, from the kernel to its piece buffer. Every header is validated against the
// length table before anything is allocated or read further.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <system_error>
#include <vector>

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

    struct pump_result {
        size_t bytes = 0;
        bool closed = false;
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
    size_t staged() const { return end_ - begin_; }
    std::error_code consume_staged(const message_handler& on_message, block_sink* sink);

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
};

}  // namespace xfer::net
