#include "shared/discovery/lan_protocol.hpp"

#include <algorithm>

#include "shared/core/error.hpp"
#include "shared/discovery/limits.hpp"
#include "shared/discovery/signed_datagram.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer::discovery::lan {
namespace {

constexpr char magic[4] = {'X', 'F', 'L', 'A'};
constexpr uint8_t type_announce = 1;
constexpr uint8_t type_goodbye = 2;
constexpr size_t goodbye_bytes = 4 + 1 + 1 + 16;
constexpr size_t content_min_bytes = 32 + 8 + 4 + 4 + 2;
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
    for (const auto& content : page.contents) encode_content(writer, content);
    return out;
}

encoded_announcement encode_announcement(const peer_record& record, uint32_t generation) {
    const std::string host = is_unspecified_host(record.sender.host) ? "" : record.sender.host;
    const size_t header = page_header_bytes(host, record.name);
    std::vector<std::vector<held_content>> pages(1);
    size_t used = header;
    encoded_announcement out;
    for (const auto& content : record.contents) {
        const size_t size = encoded_content_size(content);
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
    if (!in.ok() || in.remaining() < size_t{count} * content_min_bytes)
        return fail(errc::frame_truncated);
    for (uint8_t i = 0; i < count && in.ok(); ++i) page.contents.push_back(decode_content(in));
    if (!in.ok()) return fail(errc::frame_truncated);
    if (!in.complete()) return fail(errc::malformed_message);
    const bool fields_ok =
        page.page_count >= 1 && page.page_count <= limits::max_pages &&
        page.page < page.page_count && page.sender_port != 0 && is_valid_host(page.sender_host) &&
        is_valid_name(page.name) &&
        std::all_of(page.contents.begin(), page.contents.end(), [](const held_content& c) {
            return is_valid_path(c.path) && c.pieces_had <= c.piece_count;
        });
    if (!fields_ok) return fail(errc::malformed_message);
    return page;
}

}  // namespace xfer::discovery::lan
