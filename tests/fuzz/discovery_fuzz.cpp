// Everything discovery decodes from the network: LAN datagrams (announcements, goodbyes), peer
// records, and tracker messages (ZeroMQ multipart). Byte 0 picks which; for tracker messages
// the rest is split into frames, each prefixed by a one-byte length.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/discovery/lan_protocol.hpp"
#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "shared/discovery/tracker_protocol.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace xfer::discovery;
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 3) {
        case 0:
            (void)lan::decode_datagram(rest);
            (void)lan::verify_datagram(rest);
            break;
        case 1:
            if (const auto record = decode_record(rest)) {
                const auto again = decode_record(encode_record(*record));
                XFER_FUZZ_CHECK(again && *again == *record);
            }
            break;
        default: {
            tracker::frame_list frames;
            size_t at = 0;
            while (at < rest.size() && frames.size() < 16) {
                const size_t length =
                    std::min<size_t>(static_cast<uint8_t>(rest[at]), rest.size() - at - 1);
                frames.emplace_back(rest.substr(at + 1, length));
                at += 1 + length;
            }
            if (const auto message = tracker::decode(frames)) (void)tracker::encode(*message);
            break;
        }
    }
    return 0;
}
