#include "shared/wire/pairing_messages.hpp"

#include <cassert>

#include "shared/core/error.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer::wire {

namespace {

// Writes the frame header, then the body `write` produces, then patches the length.
template <typename Write>
void frame(message_type type, std::vector<uint8_t>& out, Write write) {
    byte_writer w(out);
    const size_t start = w.size();
    w.u32(0);
    w.u8(static_cast<uint8_t>(type));
    write(w);
    const auto length = static_cast<uint32_t>(w.size() - start - frame_header_size);
    [[maybe_unused]] const auto bounds = bounds_for(type);
    assert(bounds && length >= bounds->min && length <= bounds->max);
    w.patch_u32(start, length);
}

void name8(byte_writer& w, const std::string& name) {
    assert(is_valid_pairing_name(name));
    w.u8(static_cast<uint8_t>(name.size()));
    w.bytes(name);
}

bool read_name8(byte_reader& r, std::string& name) {
    const uint8_t length = r.u8();
    if (!r.ok()) return false;
    if (length > max_pairing_name) return r.fail();
    name.assign(r.text_view(length));
    return r.ok() && is_valid_pairing_name(name);
}

template <typename Message>
std::expected<pairing_message, std::error_code> finish(const byte_reader& r, Message message) {
    if (!r.complete()) return std::unexpected(make_error_code(errc::malformed_message));
    return message;
}

}  // namespace

bool is_valid_pairing_name(std::string_view name) {
    if (name.empty() || name.size() > max_pairing_name) return false;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) return false;
    }
    return true;
}

void encode(const pair_init& m, std::vector<uint8_t>& out) {
    frame(message_type::pair_init, out, [&](byte_writer& w) {
        w.bytes(m.Ya);
        name8(w, m.name);
    });
}

void encode(const pair_reply& m, std::vector<uint8_t>& out) {
    frame(message_type::pair_reply, out, [&](byte_writer& w) {
        w.u8(m.status);
        if (m.status != 0) return;
        w.bytes(m.Yb);
        name8(w, m.name);
        w.bytes(m.tag);
    });
}

void encode(const pair_confirm& m, std::vector<uint8_t>& out) {
    frame(message_type::pair_confirm, out, [&](byte_writer& w) { w.bytes(m.tag); });
}

std::expected<pairing_message, std::error_code> decode_pairing(message_type type,
                                                               std::span<const uint8_t> body) {
    byte_reader r(body);
    switch (type) {
        case message_type::pair_init: {
            pair_init m;
            r.bytes(m.Ya);
            if (!read_name8(r, m.name)) r.fail();
            return finish(r, std::move(m));
        }
        case message_type::pair_reply: {
            pair_reply m;
            m.status = r.u8();
            if (m.status > max_pair_refusal) r.fail();  // nothing follows a refusal
            if (m.status != 0) return finish(r, std::move(m));
            r.bytes(m.Yb);
            if (!read_name8(r, m.name)) r.fail();
            r.bytes(m.tag);
            return finish(r, std::move(m));
        }
        case message_type::pair_confirm: {
            pair_confirm m;
            r.bytes(m.tag);
            return finish(r, std::move(m));
        }
        default:
            break;
    }
    return std::unexpected(make_error_code(errc::unexpected_message));
}

}  // namespace xfer::wire
