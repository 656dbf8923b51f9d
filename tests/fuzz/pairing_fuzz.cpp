// The pairing messages (PAIR_INIT, PAIR_REPLY, PAIR_CONFIRM) as they arrive from an unpaired
// peer, through their decoder and on into the state machines. Byte 0 picks the message type
// (40 + byte % 3); the rest is the frame body.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "shared/pairing/pairing_exchange.hpp"
#include "shared/wire/pairing_messages.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace xfer;
    if (size == 0) return 0;
    const auto type = static_cast<wire::message_type>(40 + data[0] % 3);
    const std::span<const uint8_t> body(data + 1, size - 1);
    const auto bounds = wire::bounds_for(type);
    if (!bounds || body.size() < bounds->min || body.size() > bounds->max) return 0;
    const auto decoded = wire::decode_pairing(type, body);
    if (!decoded) return 0;

    // A decoded message encodes back to the same body: the decoder accepts one form only.
    std::vector<uint8_t> frame;
    std::visit([&](const auto& message) { wire::encode(message, frame); }, *decoded);
    XFER_FUZZ_CHECK(std::vector<uint8_t>(frame.begin() + wire::frame_header_size, frame.end()) ==
                    std::vector<uint8_t>(body.begin(), body.end()));

    const auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    const pairing::pairing_code code{7, 1, 2};
    pairing::channel_binding binding;
    if (const auto* init = std::get_if<wire::pair_init>(&*decoded)) {
        pairing::code_limiter limiter(code, now);
        pairing::pairing_responder responder(limiter, binding, "fuzz");
        (void)responder.on_init(*init, now);
    } else if (const auto* reply = std::get_if<wire::pair_reply>(&*decoded)) {
        pairing::pairing_initiator initiator(code, binding, "fuzz");
        const auto step = initiator.on_reply(*reply);
        XFER_FUZZ_CHECK(!step.outcome);  // nobody pairs without the secret scalar
    } else if (const auto* confirm = std::get_if<wire::pair_confirm>(&*decoded)) {
        pairing::code_limiter limiter(code, now);
        pairing::pairing_responder responder(limiter, binding, "fuzz");
        XFER_FUZZ_CHECK(!responder.on_confirm(*confirm));
    }
    return 0;
}
