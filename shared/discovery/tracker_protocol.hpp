// The tracker's messages: one struct per message, each a ZeroMQ multipart message whose first
// frame is a 4-byte header "XT" | version | type. docs/DISCOVERY.md has the full layout.
//
// REGISTER's [record] is followed by a [public_key 32 | signature 64] frame; every other [record]
// (pushes, PEER_LIST) is the record followed by the signer's 32-byte peer ID digest.
// Requests (DEALER -> tracker ROUTER):          Replies (ROUTER -> that DEALER):
//   REGISTER  [hdr][record]                       WELCOME      [hdr][interval u32 ms][timeout u32
//   ms] HEARTBEAT [hdr][peer_id 16]                                [pub_port u16][host_len
//   u8][host] LEAVE     [hdr][peer_id 16]                   REJECT       [hdr][reason u8][text_len
//   u8][text] QUERY     [hdr]                               UNKNOWN_PEER [hdr][peer_id 16] INFO_REQ
//   [hdr]                               PEER_LIST    [hdr][instance u64][seq u64][count u16] SYNC
//   [hdr][token u64]                                 then one [record] frame per peer
//                                                 INFO         [hdr][instance u64][seq
//                                                 u64][pub_port u16]
// Pushed (tracker PUB -> every SUB):                           [interval u32 ms][timeout u32 ms]
//   JOINED / UPDATED / LEFT  [hdr][instance u64][seq u64][reason u8][record]
//   SYNC_ECHO                [hdr][instance u64][seq u64][token u64]
// All integers big-endian. `seq` counts membership pushes, so a subscriber detects a gap.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "shared/discovery/peer_record.hpp"
#include "shared/discovery/signed_datagram.hpp"

namespace xfer::discovery::tracker {

// 2: REGISTER is signed by the peer's identity key; pushed and listed records carry its peer ID.
inline constexpr uint8_t protocol_version = 2;
// Signed with REGISTER's record, so no other signed bytes (a LAN datagram) pass as one.
inline constexpr std::string_view register_signature_domain = "xfer tracker REGISTER v2\n";

enum class message_type : uint8_t {
    register_peer = 0x01,
    heartbeat = 0x02,
    leave = 0x03,
    query = 0x04,
    info_request = 0x05,
    sync = 0x06,
    welcome = 0x81,
    reject = 0x82,
    unknown_peer = 0x83,
    peer_list = 0x84,
    info = 0x85,
    joined = 0xA1,
    updated = 0xA2,
    left = 0xA3,
    sync_echo = 0xA4,
};

// Frames of one message, as bytes (a routing id is not part of it).
using frame_list = std::vector<std::string>;

struct register_request {
    peer_record record;  // record.identity is not sent: the tracker sets it from the signature
    // public_key 32 | Ed25519 signature 64 over domain || record frame || public_key
    // (lan::datagram_signer::signature_trailer); empty: unsigned, which the tracker rejects.
    std::string signature;
};
// A REGISTER for `record` signed by `signer`.
register_request signed_registration(peer_record record, const lan::datagram_signer& signer);
// The peer ID of the key that signed the registration, or errc::malformed_message (unsigned,
// not a valid key, or the signature does not cover this record under that key).
std::expected<identity::peer_id, std::error_code> registration_signer(
    const register_request& request);
struct heartbeat_request {
    peer_id id{};
};
struct leave_request {
    peer_id id{};
};
struct query_request {};
struct info_request {};
struct sync_request {
    uint64_t token = 0;
};

struct welcome_reply {
    uint32_t heartbeat_interval_ms = 0;
    uint32_t heartbeat_timeout_ms = 0;
    uint16_t pub_port = 0;
    std::string sender_host;  // the host the tracker stored (the source address if unspecified)
};
enum class reject_reason : uint8_t {
    invalid = 1,
    tracker_full = 2,
    source_full = 3,
    not_owner = 4
};
struct reject_reply {
    reject_reason reason = reject_reason::invalid;
    std::string text;  // at most limits::max_reject_text_bytes
};
struct unknown_peer_reply {
    peer_id id{};
};
struct peer_list_reply {
    uint64_t instance = 0;  // random per tracker run: a restart resets seq
    uint64_t seq = 0;       // the last push included in this list
    std::vector<peer_record> peers;
};
struct info_reply {
    uint64_t instance = 0;
    uint64_t seq = 0;
    uint16_t pub_port = 0;
    uint32_t heartbeat_interval_ms = 0;
    uint32_t heartbeat_timeout_ms = 0;
};

enum class leave_reason : uint8_t { none = 0, left = 1, expired = 2 };
struct membership_push {
    message_type kind = message_type::joined;  // joined, updated or left
    uint64_t instance = 0;
    uint64_t seq = 0;
    leave_reason reason = leave_reason::none;
    peer_record record;
};
struct sync_echo_push {
    uint64_t instance = 0;
    uint64_t seq = 0;
    uint64_t token = 0;
};

using message =
    std::variant<register_request, heartbeat_request, leave_request, query_request, info_request,
                 sync_request, welcome_reply, reject_reply, unknown_peer_reply, peer_list_reply,
                 info_reply, membership_push, sync_echo_push>;

frame_list encode(const message& value);
// Never trusts a length or a count before checking it against limits.hpp; any deviation from
// the layout (frame count, sizes, version, unknown type, invalid record) is an error.
std::expected<message, std::error_code> decode(const frame_list& frames);

}  // namespace xfer::discovery::tracker
