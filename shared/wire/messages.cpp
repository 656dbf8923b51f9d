// Encoding of every message into its frame (docs/PROTOCOL.md); decoding is in message_decode.cpp.
#include "shared/wire/messages.hpp"

#include <cassert>

#include "shared/core/error.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer::wire {
namespace {

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

}  // namespace

void encode(const hello& h, std::vector<uint8_t>& out) {
    frame(message_type::hello, out, [&](byte_writer& w) {
        w.bytes(std::span<const uint8_t>(hello_magic));
        w.u16(h.version);
        w.bytes(h.id);
        w.u32(h.features);
        w.u16(h.listen_port);
        w.string16(std::string_view(h.listen_host).substr(0, max_text_length));
        // Only when set: a peer without --site sends the HELLO every 0.2 peer reads.
        if (!h.site.empty() && is_valid_site(h.site)) w.string16(h.site);
    });
}

bool is_valid_site(std::string_view site) {
    if (site.size() > max_site_length) return false;
    for (const char c : site) {
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '.' && c != '_' && c != ':' && c != '/' && c != '-') return false;
    }
    return true;
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
    const size_t target = e.kind == listing_entry::kind_t::symlink ? 2 + e.link_target.size() : 0;
    return 1 + 8 + 4 + 4 + 2 + e.name.size() + target;
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
            if (e.kind == listing_entry::kind_t::symlink) w.string16(e.link_target);
        }
    });
}

void encode(const open_request& o, std::vector<uint8_t>& out) {
    frame(message_type::open, out, [&](byte_writer& w) {
        w.u32(o.handle);
        w.bytes(o.content);
        w.string16(o.path);
        if (o.want_owners) w.u8(open_flag_owners);
    });
}

void encode(const manifest_msg& m, std::vector<uint8_t>& out) {
    encode(manifest_view{m.handle, m.encoded, m.owners}, out);
}

void encode(const manifest_view& m, std::vector<uint8_t>& out) {
    frame(message_type::manifest, out, [&](byte_writer& w) {
        w.u32(m.handle);
        w.bytes(m.owners);
        w.bytes(m.encoded);
    });
}

void encode(const manifest_head_msg& m, std::vector<uint8_t>& out) {
    encode(manifest_head_view{m.handle, m.known_hashes, m.encoded_prefix}, out);
}

void encode(const manifest_head_view& m, std::vector<uint8_t>& out) {
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

}  // namespace xfer::wire
