// One struct per message of the peer protocol, with its body layout (after the 5-byte frame
// header; all integers big-endian). encode() appends a whole frame; decode() takes a body whose
// length already passed validate_header() and returns the message or the reason it is malformed.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "shared/core/ids.hpp"
#include "shared/core/listing_entry.hpp"
#include "shared/wire/frame.hpp"

namespace xfer::wire {

// HELLO: "XFER" u16 version | instance_id[16] | u32 features | u16 listen_port | u16 host_len
//        | host [| u16 site_len | site]
// The instance id is random per process: it tells a connection to ourselves (or a second one to
// the same process) apart, and proves nothing. Who the peer is comes from TLS (the peer ID of
// its certificate key, peer_session::remote_peer_id()), never from the HELLO.
// listen_port = 0: this peer runs no sender. host empty: use the address the connection came from.
// site: the segment (rack, room) this peer says it is on (`--site`), empty = unknown; optional on
// the wire (absent when empty, so an older peer's HELLO decodes and a peer without --site sends
// what older peers read), at most max_site_length bytes of [A-Za-z0-9._:/-].
// HELLO's first four bytes: what tells an xfer peer from anything else on the port.
inline constexpr uint8_t hello_magic[4] = {'X', 'F', 'E', 'R'};
// HELLO features: bit 0, the sender lets anyone read (`xfer serve --public`).
inline constexpr uint32_t hello_feature_public = 1u << 0;
// Bit 1, set by a receiver: it reads MANIFEST_HEAD and MANIFEST_HASHES, so a sender may start
// before it has hashed the whole content. A receiver without it is sent MANIFEST once complete.
inline constexpr uint32_t hello_feature_manifest_stream = 1u << 1;
// Bit 2, set by a receiver that comes to pair: PAIR_INIT follows the HELLOs, and a sender that
// does not know it yet answers its HELLO (instead of refusing) and lets it read only once paired.
inline constexpr uint32_t hello_feature_pairing = 1u << 2;
// Bit 3, set by a receiver: a LISTING may hold kind 2 (symlink, with its target), so `ls` shows
// a link inside the share as the link a tree fetch recreates. A receiver without it (older
// ones reject the kind) is sent such a link as what it points to.
inline constexpr uint32_t hello_feature_listing_symlinks = 1u << 3;
// A site label: short, and only characters that are safe on any terminal and in any log.
bool is_valid_site(std::string_view site);

struct hello {
    uint16_t version = protocol_version;
    peer_id id{};  // instance id (see above)
    uint32_t features = 0;
    uint16_t listen_port = 0;
    std::string listen_host;
    std::string site;
    friend bool operator==(const hello&, const hello&) = default;
};

// ERROR: u32 handle (0 = whole connection) | u16 code (xfer::errc) | u16 text_len | text
struct error_msg {
    uint32_t handle = 0;
    uint16_t code = 0;
    std::string text;
    friend bool operator==(const error_msg&, const error_msg&) = default;
};

struct keepalive {  // empty body
    friend bool operator==(const keepalive&, const keepalive&) = default;
};
struct bye {  // empty body
    friend bool operator==(const bye&, const bye&) = default;
};

// LIST: u16 path_len | path (directory relative to the shared root; empty = root)
struct list_request {
    std::string path;
    friend bool operator==(const list_request&, const list_request&) = default;
};

// LISTING: u8 flags (bit 0: more frames follow) | u32 count | count x entry
//   entry: u8 kind (0 file, 1 directory, 2 symlink) | u64 size | u32 pieces_had | u32 piece_count
//          | u16 name_len | name [| u16 target_len | target: kind 2 only]
// (shared/core/listing_entry.hpp: the store makes these entries too.)
using listing_entry = xfer::listing_entry;
struct listing {
    bool more = false;
    std::vector<listing_entry> entries;
    friend bool operator==(const listing&, const listing&) = default;
};

// OPEN: u32 handle | content_id[32] (all zero = any version) | u16 path_len | path [| u8 flags]
// Asks for a file by path, by content id, or both (path must then hold that content). `flags`
// is sent only when one is set (an older sender refuses it as trailing bytes).
inline constexpr uint8_t open_flag_owners = 1;  // send a tree's owners record with its MANIFEST
struct open_request {
    uint32_t handle = 0;
    content_id content{};
    std::string path;
    bool want_owners = false;  // xfer fetch --owners
    friend bool operator==(const open_request&, const open_request&) = default;
};

// MANIFEST: u32 handle [| owners record] | manifest encoding (shared/manifest/manifest.hpp) to
// the end of the body. The owners record ("XFOW", shared/tree/tree_owners.hpp) only answers an
// OPEN with open_flag_owners, for a tree; the decoder tells it from a manifest by its magic.
struct manifest_msg {
    uint32_t handle = 0;
    std::vector<uint8_t> encoded;
    std::vector<uint8_t> owners{};  // empty, or one whole owners record (not yet checked)
    friend bool operator==(const manifest_msg&, const manifest_msg&) = default;
};
// The same frame from bytes someone else holds: a sender's manifest is the one the entry keeps
// (~10 MB at 1,000,000 entries), so a copy in the message would cost that much again.
struct manifest_view {
    uint32_t handle = 0;
    std::span<const uint8_t> encoded;
    std::span<const uint8_t> owners{};
};

// MANIFEST_HEAD: u32 handle | u32 known_hashes | manifest encoding holding only the first
// known_hashes of its piece_count hashes (0 <= known_hashes < piece_count; the count is in the
// encoding's header). The rest follow in MANIFEST_HASHES frames, in order.
struct manifest_head_msg {
    uint32_t handle = 0;
    uint32_t known_hashes = 0;
    std::vector<uint8_t> encoded_prefix;
    friend bool operator==(const manifest_head_msg&, const manifest_head_msg&) = default;
};
struct manifest_head_view {  // see manifest_view
    uint32_t handle = 0;
    uint32_t known_hashes = 0;
    std::span<const uint8_t> encoded_prefix;
};

// MANIFEST_HASHES: u32 handle | u32 first_piece | count x SHA-256[32], 1 <= count <=
// max_hashes_per_frame (count = (length - 8) / 32; a length that leaves a part hash is
// malformed). The hashes of pieces first_piece .. first_piece + count - 1.
struct manifest_hashes_msg {
    uint32_t handle = 0;
    uint32_t first_piece = 0;
    std::vector<sha256_digest> hashes;
    friend bool operator==(const manifest_hashes_msg&, const manifest_hashes_msg&) = default;
};

// BITFIELD: u32 handle | u32 piece_count | ceil(piece_count / 8) bytes, piece 0 = MSB of byte 0;
// spare bits are zero.
struct bitfield_msg {
    uint32_t handle = 0;
    uint32_t piece_count = 0;
    std::vector<uint8_t> bits;
    friend bool operator==(const bitfield_msg&, const bitfield_msg&) = default;
};

// HAVE: u32 handle | u32 piece
struct have {
    uint32_t handle = 0;
    uint32_t piece = 0;
    friend bool operator==(const have&, const have&) = default;
};

// REQUEST and CANCEL: u32 handle | u32 piece | u32 offset | u32 length
struct block_ref {
    uint32_t handle = 0;
    uint32_t piece = 0;
    uint32_t offset = 0;
    uint32_t length = 0;
    friend bool operator==(const block_ref&, const block_ref&) = default;
};
struct request : block_ref {};
struct cancel : block_ref {};

// PIECE: u32 handle | u32 piece | u32 offset | data (the rest of the body, 1..max_block_size)
// Only the 12-byte prefix is a struct: the data goes straight from the socket to its buffer.
struct piece_header {
    uint32_t handle = 0;
    uint32_t piece = 0;
    uint32_t offset = 0;
    friend bool operator==(const piece_header&, const piece_header&) = default;
};
inline constexpr uint32_t piece_prefix_size = 12;

// CLOSE: u32 handle. The receiver needs nothing more of that content from this sender.
struct close_msg {
    uint32_t handle = 0;
    friend bool operator==(const close_msg&, const close_msg&) = default;
};

// PEERS: u32 handle | u16 count | count x (u16 port | u16 host_len | host)
// Other receivers of the same content that run a sender (peer exchange): the receiver may pull
// from them too. An empty host means "the address this connection comes from" is not usable,
// so senders always fill it in.
struct peer_address {
    uint16_t port = 0;
    std::string host;
    friend bool operator==(const peer_address&, const peer_address&) = default;
};
struct peers_msg {
    uint32_t handle = 0;
    std::vector<peer_address> peers;
    friend bool operator==(const peers_msg&, const peers_msg&) = default;
};

// DECLINE: u32 handle | u32 piece. A seeder just gave this piece to another receiver of the
// content: get it from that peer (it will announce it), or ask again after a second. The
// sender drops the piece's other requested blocks from this receiver too.
struct decline_msg {
    uint32_t handle = 0;
    uint32_t piece = 0;
    friend bool operator==(const decline_msg&, const decline_msg&) = default;
};

using message = std::variant<hello, error_msg, keepalive, bye, list_request, listing, open_request,
                             manifest_msg, bitfield_msg, have, request, cancel, close_msg,
                             peers_msg, decline_msg, manifest_head_msg, manifest_hashes_msg>;

void encode(const hello&, std::vector<uint8_t>& out);
void encode(const error_msg&, std::vector<uint8_t>& out);
void encode(const keepalive&, std::vector<uint8_t>& out);
void encode(const bye&, std::vector<uint8_t>& out);
void encode(const list_request&, std::vector<uint8_t>& out);
void encode(const listing&, std::vector<uint8_t>& out);
void encode(const open_request&, std::vector<uint8_t>& out);
void encode(const manifest_msg&, std::vector<uint8_t>& out);
void encode(const manifest_view&, std::vector<uint8_t>& out);
void encode(const bitfield_msg&, std::vector<uint8_t>& out);
void encode(const have&, std::vector<uint8_t>& out);
void encode(const request&, std::vector<uint8_t>& out);
void encode(const cancel&, std::vector<uint8_t>& out);
void encode(const close_msg&, std::vector<uint8_t>& out);
void encode(const peers_msg&, std::vector<uint8_t>& out);
void encode(const decline_msg&, std::vector<uint8_t>& out);
void encode(const manifest_head_msg&, std::vector<uint8_t>& out);
void encode(const manifest_head_view&, std::vector<uint8_t>& out);
void encode(const manifest_hashes_msg&, std::vector<uint8_t>& out);
void encode(const message&, std::vector<uint8_t>& out);
// Frame header + PIECE prefix for `data_length` bytes of data that the caller sends after it.
void encode_piece_header(const piece_header&, uint32_t data_length, std::vector<uint8_t>& out);

// Decodes any message but PIECE (whose data the reader streams; see decode_piece_header).
std::expected<message, std::error_code> decode(message_type type, std::span<const uint8_t> body);
std::expected<piece_header, std::error_code> decode_piece_header(std::span<const uint8_t> prefix);

// Encoded size of a LISTING entry, so a sender can split listings under the frame limit.
size_t listing_entry_size(const listing_entry& entry);

}  // namespace xfer::wire
