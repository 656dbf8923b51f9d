#include "shared/discovery/lan_protocol.hpp"

#include <algorithm>

#include "shared/core/error.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "shared/hash/sha256.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer::discovery::lan {
namespace {

constexpr char magic[4] = {'X', 'F', 'L', 'A'};
constexpr uint8_t type_announce = 1;
constexpr uint8_t type_goodbye = 2;
constexpr size_t goodbye_bytes = 4 + 1 + 1 + 16;
constexpr size_t lan_content_bytes = 32 + 16 + 1;
constexpr uint8_t flag_has_piece = 1;
// Every datagram is signed (signed_datagram.hpp): its body leaves room for the trailer.
constexpr size_t max_body_bytes = limits::max_datagram_bytes - signature_trailer_bytes;

size_t page_header_bytes(std::string_view host, std::string_view name) {
    return goodbye_bytes + 4 + 1 + 1 + 2 + 1 + host.size() + 1 + name.size() + 1;
}

void write_prefix(byte_writer& out, uint8_t type, const peer_id& id) {
    out.bytes(std::string_view(magic, sizeof magic));
    out.u8(protocol_version);
    out.u8(type);
    out.bytes(id);
}

void encode_lan_content(byte_writer& out, const peer_id& announcer, const held_content& content) {
    out.bytes(content.id);
    out.bytes(lan_path_tag(announcer, content.path));
    out.u8(has_any_piece(content) ? flag_has_piece : 0);
}

// What a listener knows of a content: its id, its tag, and whether any piece is there (shown
// as 1 of 1 or 0 of 1 pieces; the size is not announced).
held_content decode_lan_content(byte_reader& in) {
    held_content content;
    in.bytes(content.id);
    in.bytes(content.lan_tag);
    const uint8_t flags = in.u8();
    if (flags & ~flag_has_piece) in.fail();
    content.piece_count = 1;
    content.pieces_had = (flags & flag_has_piece) ? 1 : 0;
    return content;
}

std::unexpected<std::error_code> fail(errc code) {
    return std::unexpected(make_error_code(code));
}

}  // namespace

std::string encode_page(const announce_page& page) {
    std::string out;
    byte_writer writer(out);
    write_prefix(writer, type_announce, page.id);
    writer.u32(page.generation);
    writer.u8(page.page);
    writer.u8(page.page_count);
    writer.u16(page.sender_port);
    writer.u8(static_cast<uint8_t>(page.sender_host.size()));
    writer.bytes(page.sender_host);
    writer.u8(static_cast<uint8_t>(page.name.size()));
    writer.bytes(page.name);
    writer.u8(static_cast<uint8_t>(page.contents.size()));
    for (const auto& content : page.contents) encode_lan_content(writer, page.id, content);
    return out;
}

encoded_announcement encode_announcement(const peer_record& record, uint32_t generation) {
    const std::string host = is_unspecified_host(record.sender.host) ? "" : record.sender.host;
    const size_t header = page_header_bytes(host, record.name);
    std::vector<std::vector<held_content>> pages(1);
    size_t used = header;
    encoded_announcement out;
    for (const auto& content : record.contents) {
        const size_t size = lan_content_bytes;
        if (header + size > max_body_bytes) {
            ++out.contents_left_out;
            continue;
        }
        if (used + size > max_body_bytes || pages.back().size() == 255) {
            if (pages.size() == limits::max_pages) {
                ++out.contents_left_out;
                continue;
            }
            pages.emplace_back();
            used = header;
        }
        pages.back().push_back(content);
        used += size;
    }
    for (size_t index = 0; index < pages.size(); ++index) {
        out.datagrams.push_back(encode_page(announce_page{
            record.id, generation, static_cast<uint8_t>(index), static_cast<uint8_t>(pages.size()),
            record.sender.port, host, record.name, std::move(pages[index])}));
    }
    return out;
}

std::string encode_goodbye(const peer_id& id) {
    std::string out;
    byte_writer writer(out);
    write_prefix(writer, type_goodbye, id);
    return out;
}

std::expected<datagram, std::error_code> decode_datagram(std::string_view bytes) {
    if (bytes.size() > max_body_bytes) return fail(errc::frame_too_large);
    byte_reader in(bytes);
    const auto head = in.take(sizeof magic);
    if (!in.ok() || !std::equal(head.begin(), head.end(), magic)) return fail(errc::bad_protocol);
    if (in.u8() != protocol_version) return fail(errc::version_mismatch);
    const uint8_t type = in.u8();
    peer_id id{};
    in.bytes(id);
    if (!in.ok()) return fail(errc::frame_truncated);
    if (std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; }))
        return fail(errc::malformed_message);
    if (type == type_goodbye) {
        if (!in.complete()) return fail(errc::malformed_message);
        return goodbye{id};
    }
    if (type != type_announce) return fail(errc::unknown_message);
    announce_page page;
    page.id = id;
    page.generation = in.u32();
    page.page = in.u8();
    page.page_count = in.u8();
    page.sender_port = in.u16();
    page.sender_host = std::string(in.text_view(in.u8()));
    const uint8_t name_length = in.u8();
    if (name_length > limits::max_name_bytes) return fail(errc::malformed_message);
    page.name = std::string(in.text_view(name_length));
    const uint8_t count = in.u8();
    if (!in.ok() || in.remaining() < size_t{count} * lan_content_bytes)
        return fail(errc::frame_truncated);
    for (uint8_t i = 0; i < count && in.ok(); ++i) page.contents.push_back(decode_lan_content(in));
    if (!in.ok()) return fail(errc::frame_truncated);
    if (!in.complete()) return fail(errc::malformed_message);
    const bool fields_ok = page.page_count >= 1 && page.page_count <= limits::max_pages &&
                           page.page < page.page_count && page.sender_port != 0 &&
                           is_valid_host(page.sender_host) && is_valid_name(page.name);
    if (!fields_ok) return fail(errc::malformed_message);
    return page;
}

path_tag lan_path_tag(const peer_id& announcer, std::string_view path) {
    sha256_hasher hasher;
    static constexpr char label[] = "xfer-lan-path-v1";  // with its terminating zero
    hasher.update({reinterpret_cast<const uint8_t*>(label), sizeof label});
    hasher.update(announcer);
    hasher.update({reinterpret_cast<const uint8_t*>(path.data()), path.size()});
    const auto digest = hasher.finish();
    path_tag tag{};
    std::copy_n(digest.begin(), tag.size(), tag.begin());
    return tag;
}

}  // namespace xfer::discovery::lan
