#include "shared/wire/messages.hpp"

#include <cassert>

#include "shared/core/error.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer::wire {
namespace {

constexpr uint8_t hello_magic[4] = {'X', 'F', 'E', 'R'};

// Writes the frame header with a placeholder length, runs `body`, then patches the length and
// checks it against the same table the receiving side enforces.
template <typename Body>
void frame(message_type type, std::vector<uint8_t>& out, Body&& body) {
    byte_writer writer(out);
    const size_t start = writer.size();
    writer.u32(0);
    writer.u8(static_cast<uint8_t>(type));
    body(writer);
    const auto length = static_cast<uint32_t>(writer.size() - start - frame_header_size);
    [[maybe_unused]] const auto bounds = bounds_for(type);
    assert(bounds && length >= bounds->min && length <= bounds->max);
    writer.patch_u32(start, length);
}

void block_body(const block_ref& block, byte_writer& w) {
    w.u32(block.handle);
    w.u32(block.piece);
    w.u32(block.offset);
    w.u32(block.length);
}

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
        if (kind > 1 || e.pieces_had > e.piece_count || e.name.empty()) return malformed();
        e.kind = static_cast<listing_entry::kind_t>(kind);
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

}  // namespace

void encode(const hello& h, std::vector<uint8_t>& out) {
    frame(message_type::hello, out, [&](byte_writer& w) {
        w.bytes(std::span<const uint8_t>(hello_magic));
        w.u16(h.version);
        w.bytes(h.id);
        w.u32(h.features);
        w.u16(h.listen_port);
        w.string16(std::string_view(h.listen_host).substr(0, max_text_length));
    });
}

void encode(const error_msg& e, std::vector<uint8_t>& out) {
    frame(message_type::error, out, [&](byte_writer& w) {
        w.u32(e.handle);
        w.u16(e.code);
        w.string16(std::string_view(e.text).substr(0, max_text_length));
    });
}

void encode(const keepalive&, std::vector<uint8_t>& out) {
    frame(message_type::keepalive, out, [](byte_writer&) {});
}
void encode(const bye&, std::vector<uint8_t>& out) {
    frame(message_type::bye, out, [](byte_writer&) {});
}

void encode(const list_request& l, std::vector<uint8_t>& out) {
    frame(message_type::list, out, [&](byte_writer& w) { w.string16(l.path); });
}

size_t listing_entry_size(const listing_entry& e) {
    return 1 + 8 + 4 + 4 + 2 + e.name.size();
}

void encode(const listing& l, std::vector<uint8_t>& out) {
    frame(message_type::listing, out, [&](byte_writer& w) {
        w.u8(l.more ? 1 : 0);
        w.u32(static_cast<uint32_t>(l.entries.size()));
        for (const auto& e : l.entries) {
            w.u8(static_cast<uint8_t>(e.kind));
            w.u64(e.size);
            w.u32(e.pieces_had);
            w.u32(e.piece_count);
            w.string16(e.name);
        }
    });
}

void encode(const open_request& o, std::vector<uint8_t>& out) {
    frame(message_type::open, out, [&](byte_writer& w) {
        w.u32(o.handle);
        w.bytes(o.content);
        w.string16(o.path);
    });
}

void encode(const manifest_msg& m, std::vector<uint8_t>& out) {
    frame(message_type::manifest, out, [&](byte_writer& w) {
        w.u32(m.handle);
        w.bytes(m.encoded);
    });
}

void encode(const manifest_head_msg& m, std::vector<uint8_t>& out) {
    frame(message_type::manifest_head, out, [&](byte_writer& w) {
        w.u32(m.handle);
        w.u32(m.known_hashes);
        w.bytes(m.encoded_prefix);
    });
}

void encode(const manifest_hashes_msg& m, std::vector<uint8_t>& out) {
    assert(!m.hashes.empty() && m.hashes.size() <= max_hashes_per_frame);
    frame(message_type::manifest_hashes, out, [&](byte_writer& w) {
        w.u32(m.handle);
        w.u32(m.first_piece);
        for (const auto& hash : m.hashes) w.bytes(hash);
    });
}

void encode(const bitfield_msg& b, std::vector<uint8_t>& out) {
    frame(message_type::bitfield, out, [&](byte_writer& w) {
        w.u32(b.handle);
        w.u32(b.piece_count);
        w.bytes(b.bits);
    });
}

void encode(const have& h, std::vector<uint8_t>& out) {
    frame(message_type::have, out, [&](byte_writer& w) {
        w.u32(h.handle);
        w.u32(h.piece);
    });
}

void encode(const request& r, std::vector<uint8_t>& out) {
    frame(message_type::request, out, [&](byte_writer& w) { block_body(r, w); });
}
void encode(const cancel& c, std::vector<uint8_t>& out) {
    frame(message_type::cancel, out, [&](byte_writer& w) { block_body(c, w); });
}
void encode(const close_msg& c, std::vector<uint8_t>& out) {
    frame(message_type::close, out, [&](byte_writer& w) { w.u32(c.handle); });
}

void encode(const peers_msg& p, std::vector<uint8_t>& out) {
    frame(message_type::peers, out, [&](byte_writer& w) {
        const size_t count = std::min<size_t>(p.peers.size(), max_peers_per_message);
        w.u32(p.handle);
        w.u16(static_cast<uint16_t>(count));
        for (size_t i = 0; i < count; ++i) {
            w.u16(p.peers[i].port);
            w.string16(std::string_view(p.peers[i].host).substr(0, max_host_length));
        }
    });
}

void encode(const decline_msg& d, std::vector<uint8_t>& out) {
    frame(message_type::decline, out, [&](byte_writer& w) {
        w.u32(d.handle);
        w.u32(d.piece);
    });
}

void encode(const message& m, std::vector<uint8_t>& out) {
    std::visit([&](const auto& value) { encode(value, out); }, m);
}

void encode_piece_header(const piece_header& p, uint32_t data_length, std::vector<uint8_t>& out) {
    assert(data_length > 0 && data_length <= max_block_size);
    byte_writer w(out);
    w.u32(piece_prefix_size + data_length);
    w.u8(static_cast<uint8_t>(message_type::piece));
    w.u32(p.handle);
    w.u32(p.piece);
    w.u32(p.offset);
}

std::expected<message, std::error_code> decode(message_type type, std::span<const uint8_t> body) {
    byte_reader r(body);
    switch (type) {
        case message_type::hello:
            return decode_hello(r);
        case message_type::error: {
            error_msg e;
            r.u32(e.handle);
            r.u16(e.code);
            r.string16(e.text, max_text_length);
            return finish(r, std::move(e));
        }
        case message_type::keepalive:
            return finish(r, keepalive{});
        case message_type::bye:
            return finish(r, bye{});
        case message_type::list: {
            list_request l;
            r.string16(l.path, max_path_length);
            return finish(r, std::move(l));
        }
        case message_type::listing:
            return decode_listing(r);
        case message_type::open: {
            open_request o;
            r.u32(o.handle);
            r.bytes(o.content);
            r.string16(o.path, max_path_length);
            return finish(r, std::move(o));
        }
        case message_type::manifest: {
            manifest_msg m;
            if (!r.u32(m.handle)) return truncated();
            const auto rest = r.take(r.remaining());
            m.encoded.assign(rest.begin(), rest.end());
            return finish(r, std::move(m));
        }
        case message_type::manifest_head: {
            manifest_head_msg m;
            r.u32(m.handle);
            if (!r.u32(m.known_hashes)) return truncated();
            const auto rest = r.take(r.remaining());
            m.encoded_prefix.assign(rest.begin(), rest.end());
            return finish(r, std::move(m));
        }
        case message_type::manifest_hashes:
            return decode_manifest_hashes(r);
        case message_type::bitfield:
            return decode_bitfield(r);
        case message_type::have: {
            have h;
            r.u32(h.handle);
            r.u32(h.piece);
            return finish(r, std::move(h));
        }
        case message_type::request:
            return decode_block<request>(r);
        case message_type::cancel:
            return decode_block<cancel>(r);
        case message_type::close: {
            close_msg c;
            r.u32(c.handle);
            return finish(r, std::move(c));
        }
        case message_type::decline: {
            decline_msg d;
            r.u32(d.handle);
            r.u32(d.piece);
            return finish(r, std::move(d));
        }
        case message_type::peers: {
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
