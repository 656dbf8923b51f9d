// Every peer-protocol message decoder: byte 0 picks the type, the rest is the body. A message
// that decodes must survive encode -> decode unchanged.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "shared/wire/frame.hpp"
#include "shared/wire/messages.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace xfer::wire;
    if (size == 0) return 0;
    const auto type = static_cast<message_type>(data[0]);
    const std::span<const uint8_t> body(data + 1, size - 1);
    if (type == message_type::piece) {
        (void)decode_piece_header(body);
        return 0;
    }
    auto decoded = decode(type, body);
    if (!decoded) return 0;
    std::vector<uint8_t> frame;
    encode(*decoded, frame);
    XFER_FUZZ_CHECK(frame.size() >= frame_header_size);
    const auto again = decode(type, std::span<const uint8_t>(frame).subspan(frame_header_size));
    XFER_FUZZ_CHECK(again && *again == *decoded);
    return 0;
}
