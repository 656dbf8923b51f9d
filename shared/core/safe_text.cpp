#include "shared/core/safe_text.hpp"

#include <cstdint>
#include <cstdio>

namespace xfer {
namespace {

void append_byte_escape(std::string& out, uint8_t byte) {
    char escaped[5];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
    out += escaped;
}

// Length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong forms,
// no surrogates, nothing past U+10FFFF), and its code point; 0 if it is not well formed.
size_t utf8_sequence(std::string_view text, uint32_t& code_point) {
    const auto lead = static_cast<uint8_t>(text[0]);
    size_t length = 0;
    uint32_t minimum = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, code_point = lead & 0x1Fu, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, code_point = lead & 0x0Fu, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, code_point = lead & 0x07u, minimum = 0x10000;
    } else {
        return 0;
    }
    if (text.size() < length) return 0;
    for (size_t i = 1; i < length; ++i) {
        const auto next = static_cast<uint8_t>(text[i]);
        if ((next & 0xC0u) != 0x80u) return 0;
        code_point = (code_point << 6) | (next & 0x3Fu);
    }
    if (code_point < minimum || code_point > 0x10FFFF) return 0;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
    return length;
}

// C1 controls (U+009B is CSI to many terminals, as ESC [ is), line and paragraph separators, and
// the bidirectional overrides and isolates that make shown text read differently from its bytes.
bool shown_escaped(uint32_t code_point) {
    return code_point <= 0x9F || code_point == 0x2028 || code_point == 0x2029 ||
           (code_point >= 0x202A && code_point <= 0x202E) ||
           (code_point >= 0x2066 && code_point <= 0x2069);
}

}  // namespace

std::string safe_text(std::string_view peer_text) {
    std::string out;
    out.reserve(peer_text.size());
    size_t at = 0;
    while (at < peer_text.size()) {
        const auto byte = static_cast<uint8_t>(peer_text[at]);
        if (byte == '\\') {
            out += "\\\\";
            ++at;
        } else if (byte < 0x20 || byte == 0x7F) {
            append_byte_escape(out, byte);
            ++at;
        } else if (byte < 0x80) {
            out += static_cast<char>(byte);
            ++at;
        } else {
            uint32_t code_point = 0;
            const size_t length = utf8_sequence(peer_text.substr(at), code_point);
            if (length == 0) {
                append_byte_escape(out, byte);
                ++at;
            } else if (shown_escaped(code_point)) {
                // Every escaped code point is at most 0xFFFF ("\\u" and 4 digits); the room
                // for any 32-bit value keeps gcc's -Wformat-truncation (at -O1, TSan) quiet.
                char escaped[16];
                std::snprintf(escaped, sizeof escaped, "\\u%04x",
                              static_cast<unsigned>(code_point));
                out += escaped;
                at += length;
            } else {
                out.append(peer_text.substr(at, length));
                at += length;
            }
        }
    }
    return out;
}

}  // namespace xfer
