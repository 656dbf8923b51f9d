#include "shared/discovery/peer_record.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

#include "shared/core/error.hpp"
#include "shared/discovery/limits.hpp"

namespace xfer::discovery {
namespace {

bool has_control_character(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

constexpr size_t content_fixed_bytes = 32 + 8 + 4 + 4 + 2;

}  // namespace

bool is_valid_name(std::string_view name) {
    return !name.empty() && name.size() <= limits::max_name_bytes && !has_control_character(name);
}

bool is_valid_path(std::string_view path) {
    return !path.empty() && path.size() <= limits::max_path_bytes && !has_control_character(path);
}

bool is_valid_host(std::string_view host) {
    // Names and IP literals only: nothing a ZeroMQ endpoint string or a terminal could misread.
    return host.size() <= limits::max_host_bytes &&
           std::all_of(host.begin(), host.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == ':' || c == '_' || c == '%';
           });
}

bool is_unspecified_host(std::string_view host) {
    return host.empty() || host == "0.0.0.0" || host == "::" || host == "*";
}

bool is_loopback_host(std::string_view host) {
    if (host == "::1" || host == "localhost") return true;
    in_addr v4{};
    const std::string text(host);
    return ::inet_pton(AF_INET, text.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

std::string validate(const peer_record& record) {
    if (std::all_of(record.id.begin(), record.id.end(), [](uint8_t b) { return b == 0; })) {
        return "peer id is all zero";
    }
    if (!is_valid_name(record.name))
        return "name is empty, longer than 64 bytes or has control characters";
    if (!is_valid_host(record.sender.host)) return "sender host is not a host name or IP literal";
    if (record.sender.port == 0) return "sender port is 0";
    if (record.contents.size() > limits::max_contents_per_peer) return "more than 256 contents";
    size_t total = 16 + 2 + 1 + record.sender.host.size() + 1 + record.name.size() + 2;
    for (const auto& content : record.contents) {
        // A content heard on the LAN has a path tag instead of a path; the tracker codec never
        // sets a tag, so its records still need a valid path.
        const bool lan_content = content.path.empty() && content.lan_tag != path_tag{};
        if (!lan_content && !is_valid_path(content.path))
            return "a content path is empty, too long or has control characters";
        if (content.pieces_had > content.piece_count) return "pieces_had exceeds piece_count";
        total += encoded_content_size(content);
    }
    if (total > limits::max_record_bytes) return "record larger than 64 KiB";
    return {};
}

std::string short_id(const peer_id& id) {
    return to_hex(id).substr(0, 8);
}

std::string percent_complete(const held_content& content) {
    if (content.piece_count == 0 || content.pieces_had >= content.piece_count) return "100%";
    // Rounded down so a file one piece short never shows as 100%.
    const double percent = 100.0 * content.pieces_had / content.piece_count;
    char text[16];
    std::snprintf(text, sizeof text, "%.1f%%",
                  static_cast<double>(static_cast<int>(percent * 10)) / 10);
    return text;
}

size_t encoded_content_size(const held_content& content) {
    return content_fixed_bytes + content.path.size();
}

void encode_content(byte_writer& out, const held_content& content) {
    out.bytes(content.id);
    out.u64(content.size);
    out.u32(content.pieces_had);
    out.u32(content.piece_count);
    out.u16(static_cast<uint16_t>(content.path.size()));
    out.bytes(content.path);
}

held_content decode_content(byte_reader& in) {
    held_content content;
    in.bytes(content.id);
    content.size = in.u64();
    content.pieces_had = in.u32();
    content.piece_count = in.u32();
    const uint16_t path_length = in.u16();
    // Checked before the read: a bogus length never becomes a large copy.
    if (path_length > limits::max_path_bytes) {
        in.fail();
        return content;
    }
    content.path = std::string(in.text_view(path_length));
    return content;
}

std::string encode_record(const peer_record& record) {
    std::string out;
    byte_writer writer(out);
    writer.bytes(record.id);
    writer.u16(record.sender.port);
    writer.u8(static_cast<uint8_t>(record.sender.host.size()));
    writer.bytes(record.sender.host);
    writer.u8(static_cast<uint8_t>(record.name.size()));
    writer.bytes(record.name);
    writer.u16(static_cast<uint16_t>(record.contents.size()));
    for (const auto& content : record.contents) encode_content(writer, content);
    return out;
}

std::expected<peer_record, std::error_code> decode_record(std::string_view bytes) {
    if (bytes.size() > limits::max_record_bytes)
        return std::unexpected(make_error_code(errc::frame_too_large));
    byte_reader in(bytes);
    peer_record record;
    in.bytes(record.id);
    record.sender.port = in.u16();
    record.sender.host = std::string(in.text_view(in.u8()));
    const uint8_t name_length = in.u8();
    if (name_length > limits::max_name_bytes)
        return std::unexpected(make_error_code(errc::malformed_message));
    record.name = std::string(in.text_view(name_length));
    const uint16_t count = in.u16();
    if (count > limits::max_contents_per_peer)
        return std::unexpected(make_error_code(errc::malformed_message));
    // Each content takes at least content_fixed_bytes, so `count` cannot promise more than is
    // there.
    if (!in.ok() || in.remaining() < size_t{count} * content_fixed_bytes) {
        return std::unexpected(make_error_code(errc::frame_truncated));
    }
    record.contents.reserve(count);
    for (uint16_t i = 0; i < count && in.ok(); ++i) record.contents.push_back(decode_content(in));
    if (!in.ok()) return std::unexpected(make_error_code(errc::frame_truncated));
    if (!in.complete() || !validate(record).empty()) {
        return std::unexpected(make_error_code(errc::malformed_message));
    }
    return record;
}

}  // namespace xfer::discovery
