#include "shared/bus/events.hpp"

#include <openssl/evp.h>

#include <cstring>

namespace xfer::bus {

std::string store_ipc_endpoint(const std::filesystem::path& directory) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(directory, ec);
    if (ec) canonical = std::filesystem::absolute(directory);
    const std::string text = canonical.string();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
    return "ipc://@xfer-store-" + to_hex(digest, 12);
}

namespace {
constexpr size_t header_size = 1 + 32 + 4;
}

zmq::message_t encode(const event& e) {
    const size_t text_size = std::min(e.text.size(), max_event_text);
    zmq::message_t frame(header_size + text_size);
    auto* out = static_cast<uint8_t*>(frame.data());
    out[0] = static_cast<uint8_t>(e.type);
    std::memcpy(out + 1, e.content.data(), e.content.size());
    out[33] = static_cast<uint8_t>(e.piece >> 24);
    out[34] = static_cast<uint8_t>(e.piece >> 16);
    out[35] = static_cast<uint8_t>(e.piece >> 8);
    out[36] = static_cast<uint8_t>(e.piece);
    std::memcpy(out + header_size, e.text.data(), text_size);
    return frame;
}

std::optional<event> decode(const zmq::message_t& frame) {
    if (frame.size() < header_size || frame.size() > header_size + max_event_text) return std::nullopt;
    const auto* in = static_cast<const uint8_t*>(frame.data());
    if (in[0] < 1 || in[0] > static_cast<uint8_t>(event_type::shutdown)) return std::nullopt;
    event e;
    e.type = static_cast<event_type>(in[0]);
    std::memcpy(e.content.data(), in + 1, e.content.size());
    e.piece = uint32_t{in[33]} << 24 | uint32_t{in[34]} << 16 | uint32_t{in[35]} << 8 | in[36];
    e.text.assign(reinterpret_cast<const char*>(in + header_size), frame.size() - header_size);
    return e;
}

}  // namespace xfer::bus
