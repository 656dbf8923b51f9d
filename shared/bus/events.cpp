#include "shared/bus/events.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "shared/wire/byte_io.hpp"

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
    std::string out;
    out.reserve(header_size + text_size);
    wire::byte_writer w(out);
    w.u8(static_cast<uint8_t>(e.type));
    w.bytes(e.content);
    w.u32(e.piece);
    w.bytes(std::string_view(e.text).substr(0, text_size));
    return zmq::message_t(out.data(), out.size());
}

std::optional<event> decode(const zmq::message_t& frame) {
    if (frame.size() < header_size || frame.size() > header_size + max_event_text)
        return std::nullopt;
    wire::byte_reader r(std::span(static_cast<const uint8_t*>(frame.data()), frame.size()));
    const uint8_t type = r.u8();
    if (type < 1 || type > static_cast<uint8_t>(event_type::shutdown)) return std::nullopt;
    event e;
    e.type = static_cast<event_type>(type);
    r.bytes(e.content);
    e.piece = r.u32();
    e.text = r.text_view(r.remaining());
    if (!r.complete()) return std::nullopt;
    return e;
}

}  // namespace xfer::bus
