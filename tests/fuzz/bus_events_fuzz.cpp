// What the directory's ipc bus delivers: any local process that can reach the abstract socket
// of a served directory can publish there, so its frames are untrusted bytes. Byte 0 picks an
// event frame or a sequence stamp; each decodes only to what encodes back to itself.
#include <cstddef>
#include <cstdint>

#include <zmq.hpp>

#include "shared/bus/events.hpp"
#include "shared/bus/sequence.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace xfer::bus;
    if (size == 0) return 0;
    const zmq::message_t frame(data + 1, size - 1);
    if (data[0] % 2 == 0) {
        if (const auto decoded = decode(frame)) {
            XFER_FUZZ_CHECK(decoded->text.size() <= max_event_text);
            const auto again = decode(encode(*decoded));
            XFER_FUZZ_CHECK(again && *again == *decoded);
        }
    } else if (const auto decoded = decode_stamp(frame)) {
        const auto again = decode_stamp(encode(*decoded));
        XFER_FUZZ_CHECK(again && *again == *decoded);
    }
    return 0;
}
