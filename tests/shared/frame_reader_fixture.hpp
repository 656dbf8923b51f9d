// Helpers of the frame reader tests: a recorder of dispatched messages, a block sink with one
// flat buffer, and a pump loop that fails the test instead of hanging when nothing moves.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <vector>

#include "shared/core/error.hpp"
#include "shared/net/frame_reader.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/fake_stream.hpp"

namespace xfer::test {

struct received_message {
    wire::message_type type;
    std::vector<uint8_t> body;
};

// Collects what the reader dispatches; can be told to refuse the Nth message.
struct recorder {
    std::vector<received_message> messages;
    size_t refuse_at = SIZE_MAX;
    net::frame_reader::message_handler handler() {
        return [this](wire::message_type type, std::span<const uint8_t> body) -> std::error_code {
            if (messages.size() == refuse_at) return errc::unexpected_message;
            messages.push_back({type, {body.begin(), body.end()}});
            return {};
        };
    }
    std::vector<wire::message> decoded() const {
        std::vector<wire::message> out;
        for (const auto& m : messages) {
            auto value = wire::decode(m.type, m.body);
            EXPECT_TRUE(value) << "type " << int(m.type);
            if (value) out.push_back(std::move(*value));
        }
        return out;
    }
};

// Piece data goes into one flat buffer at the header's offset (piece numbers are ignored).
class buffer_sink final : public net::block_sink {
  public:
    explicit buffer_sink(size_t size) : buffer(size, 0) {}
    std::span<uint8_t> block_destination(const wire::piece_header& header,
                                         uint32_t length) override {
        ++destination_calls;
        if (discard) return {};
        if (wrong_size) return {buffer.data(), length + 1};
        if (header.offset + uint64_t{length} > buffer.size()) return {};
        return {buffer.data() + header.offset, length};
    }
    std::error_code block_received(const wire::piece_header& header, uint32_t length) override {
        received.push_back(header);
        lengths.push_back(length);
        return refuse_blocks ? std::error_code(errc::hash_mismatch) : std::error_code();
    }
    std::vector<uint8_t> buffer;
    std::vector<wire::piece_header> received;
    std::vector<uint32_t> lengths;
    size_t destination_calls = 0;
    bool discard = false;
    bool wrong_size = false;
    bool refuse_blocks = false;
};

inline void append_piece(std::vector<uint8_t>& out, const wire::piece_header& header,
                         std::span<const uint8_t> data) {
    wire::encode_piece_header(header, static_cast<uint32_t>(data.size()), out);
    out.insert(out.end(), data.begin(), data.end());
}

// Pumps until the stream closes or fails; a reader that stops making progress fails the test
// instead of hanging it.
inline net::frame_reader::pump_result pump_to_end(net::frame_reader& reader, fake_stream& in,
                                                  recorder& messages, net::block_sink* sink,
                                                  size_t budget = 1 << 20) {
    const auto handler = messages.handler();
    size_t idle = 0;
    for (;;) {
        const size_t before = in.input_position;
        auto result = reader.pump(in, handler, sink, budget);
        if (result.closed || result.error) return result;
        idle = in.input_position == before ? idle + 1 : 0;
        if (idle > 3) {
            ADD_FAILURE() << "reader stopped at byte " << in.input_position << " of "
                          << in.input.size();
            return result;
        }
    }
}

}  // namespace xfer::test
