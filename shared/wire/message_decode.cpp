// Decoding of every message body from the wire (docs/PROTOCOL.md): each decoder reads exactly
// its body, bounds every count and length before use, and refuses trailing bytes.
#include <cstring>

#include "shared/core/error.hpp"
#include "shared/tree/tree_owners.hpp"
#include "shared/wire/byte_io.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::wire {
namespace {

std::unexpected<std::error_code> malformed() {
    return std::unexpected(make_error_code(errc::malformed_message));
}
std::unexpected<std::error_code> truncated() {
    return std::unexpected(make_error_code(errc::frame_truncated));
}

// Every decoder ends here: the body must be consumed exactly.
template <typename T>
std::expected<message, std::error_code> finish(const byte_reader& reader, T&& value) {
    if (!reader.ok()) return truncated();
    if (!reader.at_end()) return malformed();
    return message{std::forward<T>(value)};
}

std::expected<message, std::error_code> decode_hello(byte_reader& r) {
    uint8_t magic[4];
    if (!r.bytes(magic)) return truncated();
    if (std::memcmp(magic, hello_magic, 4) != 0)
        return std::unexpected(make_error_code(errc::bad_protocol));
    hello h;
    r.u16(h.version);
    r.bytes(h.id);
    r.u32(h.features);
    r.u16(h.listen_port);
    r.string16(h.listen_host, max_text_length);
    // The site came later: an older peer's HELLO ends here.
    if (r.ok() && !r.at_end()) {
        if (!r.string16(h.site, max_site_length)) return malformed();
        if (h.site.empty() || !is_valid_site(h.site)) return malformed();
    }
    return finish(r, std::move(h));
}

std::expected<message, std::error_code> decode_listing(byte_reader& r) {
    listing l;
    uint8_t flags = 0;
    uint32_t count = 0;
    r.u8(flags);
    r.u32(count);
    if (!r.ok()) return truncated();
    if (flags > 1 || count > max_listing_entries) return malformed();
    l.more = flags & 1;
    l.entries.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
        listing_entry e;
        uint8_t kind = 0;
        r.u8(kind);
        r.u64(e.size);
        r.u32(e.pieces_had);
        r.u32(e.piece_count);
        if (!r.string16(e.name, max_path_length)) return truncated();
        if (kind > 2 || e.pieces_had > e.piece_count || e.name.empty()) return malformed();
        e.kind = static_cast<listing_entry::kind_t>(kind);
        if (e.kind == listing_entry::kind_t::symlink) {
            if (!r.string16(e.link_target, max_path_length)) return truncated();
            // A link is no content: nothing of a size or pieces, and it points somewhere.
            if (e.size != 0 || e.piece_count != 0 || e.link_target.empty()) return malformed();
        }
        l.entries.push_back(std::move(e));
    }
    return finish(r, std::move(l));
}

std::expected<message, std::error_code> decode_bitfield(byte_reader& r) {
    bitfield_msg b;
    r.u32(b.handle);
    r.u32(b.piece_count);
    if (!r.ok()) return truncated();
    if (b.piece_count > max_pieces) return malformed();
    const size_t bytes = (b.piece_count + 7) / 8;
    if (r.remaining() != bytes) return malformed();
    const auto data = r.take(bytes);
    b.bits.assign(data.begin(), data.end());
    // Spare bits past piece_count must be zero, so two encodings of one set are identical.
    if (b.piece_count % 8 != 0 && (b.bits.back() & (0xff >> (b.piece_count % 8))) != 0)
        return malformed();
    return finish(r, std::move(b));
}

// Whole hashes only, and none past the largest manifest (the frame bound caps their count).
std::expected<message, std::error_code> decode_manifest_hashes(byte_reader& r) {
    manifest_hashes_msg m;
    r.u32(m.handle);
    r.u32(m.first_piece);
    if (!r.ok()) return truncated();
    if (r.remaining() == 0 || r.remaining() % 32 != 0 ||
        r.remaining() / 32 > max_hashes_per_frame) {
        return malformed();
    }
    m.hashes.resize(r.remaining() / 32);
    for (auto& hash : m.hashes) r.bytes(hash);
    if (uint64_t{m.first_piece} + m.hashes.size() > max_pieces) return malformed();
    return finish(r, std::move(m));
}

template <typename T>
std::expected<message, std::error_code> decode_block(byte_reader& r) {
    T block;
    r.u32(block.handle);
    r.u32(block.piece);
    r.u32(block.offset);
    r.u32(block.length);
    if (r.ok() && (block.length == 0 || block.length > max_block_size)) return malformed();
    return finish(r, std::move(block));
}

std::expected<message, std::error_code> decode_error(byte_reader& r) {
    error_msg e;
    r.u32(e.handle);
    r.u16(e.code);
    r.string16(e.text, max_text_length);
    return finish(r, std::move(e));
}

std::expected<message, std::error_code> decode_list(byte_reader& r) {
    list_request l;
    r.string16(l.path, max_path_length);
    return finish(r, std::move(l));
}

std::expected<message, std::error_code> decode_open(byte_reader& r) {
    open_request o;
    r.u32(o.handle);
    r.bytes(o.content);
    r.string16(o.path, max_path_length);
    // The flags came later: an older receiver's OPEN ends here. Sent only when a bit is set, and
    // only known bits: one OPEN, one encoding.
    if (r.ok() && !r.at_end()) {
        if (r.u8() != open_flag_owners) return malformed();
        o.want_owners = true;
    }
    return finish(r, std::move(o));
}

// A whole manifest after its handle; decode_manifest checks what is inside.
std::expected<message, std::error_code> decode_manifest(byte_reader& r) {
    manifest_msg m;
    if (!r.u32(m.handle)) return truncated();
    auto rest = r.take(r.remaining());
    // A manifest starts "XFMF" or "XFTR": "XFOW" is the owners record before it.
    if (const size_t owners = tree::owners_record_size(rest); owners > 0) {
        m.owners.assign(rest.begin(), rest.begin() + static_cast<ptrdiff_t>(owners));
        rest = rest.subspan(owners);
    }
    m.encoded.assign(rest.begin(), rest.end());
    return finish(r, std::move(m));
}

std::expected<message, std::error_code> decode_manifest_head(byte_reader& r) {
    manifest_head_msg m;
    r.u32(m.handle);
    if (!r.u32(m.known_hashes)) return truncated();
    const auto rest = r.take(r.remaining());
    m.encoded_prefix.assign(rest.begin(), rest.end());
    return finish(r, std::move(m));
}

// HAVE and DECLINE: a handle and a piece.
template <typename T>
std::expected<message, std::error_code> decode_piece_ref(byte_reader& r) {
    T value;
    r.u32(value.handle);
    r.u32(value.piece);
    return finish(r, std::move(value));
}

std::expected<message, std::error_code> decode_close(byte_reader& r) {
    close_msg c;
    r.u32(c.handle);
    return finish(r, std::move(c));
}

std::expected<message, std::error_code> decode_peers(byte_reader& r) {
    peers_msg p;
    uint16_t count = 0;
    r.u32(p.handle);
    r.u16(count);
    if (!r.ok()) return truncated();
    if (count > max_peers_per_message) return malformed();
    for (uint16_t i = 0; i < count; ++i) {
        peer_address address;
        r.u16(address.port);
        if (!r.string16(address.host, max_host_length)) return truncated();
        if (address.port == 0 || address.host.empty()) return malformed();
        p.peers.push_back(std::move(address));
    }
    return finish(r, std::move(p));
}

}  // namespace

std::expected<message, std::error_code> decode(message_type type, std::span<const uint8_t> body) {
    byte_reader r(body);
    switch (type) {
        case message_type::hello:
            return decode_hello(r);
        case message_type::error:
            return decode_error(r);
        case message_type::keepalive:
            return finish(r, keepalive{});
        case message_type::bye:
            return finish(r, bye{});
        case message_type::list:
            return decode_list(r);
        case message_type::listing:
            return decode_listing(r);
        case message_type::open:
            return decode_open(r);
        case message_type::manifest:
            return decode_manifest(r);
        case message_type::manifest_head:
            return decode_manifest_head(r);
        case message_type::manifest_hashes:
            return decode_manifest_hashes(r);
        case message_type::bitfield:
            return decode_bitfield(r);
        case message_type::have:
            return decode_piece_ref<have>(r);
        case message_type::request:
            return decode_block<request>(r);
        case message_type::cancel:
            return decode_block<cancel>(r);
        case message_type::close:
            return decode_close(r);
        case message_type::decline:
            return decode_piece_ref<decline_msg>(r);
        case message_type::peers:
            return decode_peers(r);
        case message_type::piece:
            break;  // streamed: see decode_piece_header
        case message_type::pair_init:
        case message_type::pair_reply:
        case message_type::pair_confirm:
            break;  // pairing comes before the session: see decode_pairing
    }
    return std::unexpected(make_error_code(errc::unexpected_message));
}

std::expected<piece_header, std::error_code> decode_piece_header(std::span<const uint8_t> prefix) {
    byte_reader r(prefix);
    piece_header p;
    r.u32(p.handle);
    r.u32(p.piece);
    r.u32(p.offset);
    if (!r.ok()) return truncated();
    return p;
}

}  // namespace xfer::wire
