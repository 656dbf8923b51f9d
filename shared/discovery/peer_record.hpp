// What discovery knows about one peer: who it is, where its sender listens, what it holds.
// The same record travels in tracker registrations, tracker pushes and LAN announcements.
//
// Record byte layout (big-endian), used as one ZeroMQ frame by the tracker protocol:
//   peer_id        16 bytes, not all zero
//   sender_port    u16, 1..65535
//   host_len u8    + host bytes (0..255; empty or 0.0.0.0/:: = "the address it came from")
//   name_len u8    + name bytes (1..64, no control characters)
//   content_count  u16 (0..256), then per content:
//     content_id 32 bytes | size u64 | pieces_had u32 | piece_count u32 (pieces_had <= piece_count)
//     path_len u16 + path bytes (1..1024, no control characters)
// The whole record is at most limits::max_record_bytes.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/net/address.hpp"
#include "shared/wire/byte_io.hpp"

namespace xfer::discovery {

// Discovery encodes with xfer's one checked byte codec.
using wire::byte_reader;
using wire::byte_writer;

struct held_content {
    content_id id{};
    std::string path;  // relative to the shared directory, '/'-separated
    uint64_t size = 0;
    uint32_t pieces_had = 0;
    uint32_t piece_count = 0;

    friend bool operator==(const held_content&, const held_content&) = default;
};

struct peer_record {
    peer_id id{};  // random per run: which running xfer (several may share one identity)
    std::string name;
    net::endpoint sender;
    std::vector<held_content> contents;
    // Who it is: the peer ID of the key that signed its LAN announcement (lan_directory sets
    // it from the verified signature; never encoded, so zero in tracker records for now).
    identity::peer_id identity{};

    friend bool operator==(const peer_record&, const peer_record&) = default;
};

// Empty string when the record is acceptable, else what is wrong with it (for logs and REJECT).
std::string validate(const peer_record& record);
bool is_valid_name(std::string_view name);
bool is_valid_path(std::string_view path);
bool is_valid_host(std::string_view host);
// 0.0.0.0, ::, or empty: the peer did not say, so the observer fills in the source address.
bool is_unspecified_host(std::string_view host);
bool is_loopback_host(std::string_view host);

// Short forms for people: first 8 hex digits of the peer id, "97.5%" style completion.
std::string short_id(const peer_id& id);
std::string percent_complete(const held_content& content);

// A content "counts" as held once at least one piece is verified (an empty file, at once).
inline bool has_any_piece(const held_content& content) {
    return content.pieces_had > 0 || content.piece_count == 0;
}

// --- codec ---
void encode_content(byte_writer& out, const held_content& content);
// Reads one content; the caller checks the reader and validates.
held_content decode_content(byte_reader& in);
size_t encoded_content_size(const held_content& content);

std::string encode_record(const peer_record& record);
// Checks every length against its limit before using it; the result is validated.
std::expected<peer_record, std::error_code> decode_record(std::string_view bytes);

}  // namespace xfer::discovery
