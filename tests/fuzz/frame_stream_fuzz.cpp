// The frame reader on a byte stream from a peer: headers checked against the length table,
// bodies decoded, PIECE data read into a sink, in read chunks that the input also chooses.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "shared/net/frame_reader.hpp"
#include "shared/wire/messages.hpp"
#include "tests/support/fake_stream.hpp"

namespace {

class discarding_sink final : public xfer::net::block_sink {
  public:
    std::span<uint8_t> block_destination(const xfer::wire::piece_header&,
                                         uint32_t length) override {
        if (length > buffer_.size()) return {};  // an unknown block: the reader discards it
        return std::span<uint8_t>(buffer_).first(length);
    }
    std::error_code block_received(const xfer::wire::piece_header&, uint32_t) override {
        return {};
    }

  private:
    std::vector<uint8_t> buffer_ = std::vector<uint8_t>(64 * 1024);
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    xfer::test::fake_stream stream(data[0]);
    stream.input.assign(data + 1, data + size);
    stream.max_read_chunk = 1 + data[0] % 64;
    stream.random_read_chunks = true;
    stream.would_block_between_reads = (data[0] & 0x80) != 0;
    stream.close_at_end = true;
    xfer::net::frame_reader reader;
    discarding_sink sink;
    const auto on_message = [](xfer::wire::message_type type,
                               std::span<const uint8_t> body) -> std::error_code {
        auto decoded = xfer::wire::decode(type, body);
        return decoded ? std::error_code{} : decoded.error();
    };
    for (int round = 0; round < 100000; ++round) {
        const auto result = reader.pump(stream, on_message, &sink, 4096);
        if (result.closed || result.error) break;
        if (result.bytes == 0 && stream.input_position == stream.input.size()) break;
    }
    return 0;
}
