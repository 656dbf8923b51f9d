// Frame layout and limits of the xfer peer protocol (docs/PROTOCOL.md).
//
//   +----------------+---------+------------------+
//   | length u32 BE  | type u8 | body (length B)  |
//   +----------------+---------+------------------+
//
// `length` counts the body only. A receiver of a frame checks `type` is known and `length` is
// within that type's bounds (one table, used to assert on send and to reject on receive) before
// it reads or allocates anything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <system_error>

namespace xfer::wire {

inline constexpr uint16_t protocol_version = 2;  // 2: TLS 1.3 under every frame
inline constexpr size_t frame_header_size = 5;

// Protocol-wide limits. Each is also written in docs/PROTOCOL.md.
inline constexpr uint32_t block_size = 256 * 1024;       // data unit of REQUEST/PIECE
inline constexpr uint32_t max_block_size = 1024 * 1024;  // largest REQUEST a sender accepts
inline constexpr uint32_t max_pieces = 131072;           // largest manifest: 4 MiB of hashes
// Largest manifest encoding in MANIFEST: a file's is at most 4 MiB of hashes; a tree's also
// holds its entries (about 1,000,000 short paths fit).
inline constexpr uint32_t max_manifest_bytes = 64 * 1024 * 1024;
inline constexpr size_t max_path_length = 4096;        // a relative path in LIST/OPEN/LISTING
inline constexpr size_t max_text_length = 1024;        // ERROR text, hello host
inline constexpr size_t max_site_length = 64;          // hello site (--site)
inline constexpr uint32_t max_listing_entries = 4096;  // per LISTING frame (more frames follow)
inline constexpr uint32_t max_peers_per_message = 64;  // per PEERS frame
inline constexpr size_t max_host_length = 255;         // a host in PEERS
// Hashes per MANIFEST_HASHES frame (128 KiB): a sender cuts a long run into several frames.
inline constexpr uint32_t max_hashes_per_frame = 4096;

enum class message_type : uint8_t {
    hello = 1,      // both ways, first frame of each side
    error = 2,      // both ways
    keepalive = 3,  // both ways
    bye = 4,        // both ways
    list = 10,      // receiver -> sender
    listing = 11,   // sender -> receiver
    open = 12,      // receiver -> sender
    manifest = 13,  // sender -> receiver
    bitfield = 14,  // sender -> receiver
    have = 15,      // sender -> receiver
    request = 16,   // receiver -> sender
    piece = 17,     // sender -> receiver
    cancel = 18,    // receiver -> sender
    close = 19,     // receiver -> sender
    peers = 20,     // sender -> receiver
    decline = 21,   // sender -> receiver
    // A manifest sent while its hashes are still being computed (docs/PROTOCOL.md, "Streamed
    // manifest"); only to a receiver whose HELLO has hello_feature_manifest_stream.
    manifest_head = 50,    // sender -> receiver
    manifest_hashes = 51,  // sender -> receiver
    // Pairing (shared/wire/pairing_messages.hpp): right after the HELLOs of a receiver that
    // comes to pair (hello_feature_pairing); decode() leaves them to decode_pairing.
    pair_init = 40,     // receiver -> sender
    pair_reply = 41,    // sender -> receiver
    pair_confirm = 42,  // receiver -> sender
};

struct frame_header {
    message_type type;
    uint32_t length;
};

// Smallest and largest legal body for a type; nullopt for an unknown type.
struct length_bounds {
    uint32_t min;
    uint32_t max;
};
std::optional<length_bounds> bounds_for(message_type type);

// Checks a raw header: known type, length within its bounds. Nothing is allocated before this.
std::error_code validate_header(const uint8_t (&raw)[frame_header_size], frame_header& out);

}  // namespace xfer::wire
