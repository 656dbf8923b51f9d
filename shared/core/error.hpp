// xfer's own error codes: peer, disk and protocol faults, returned (not thrown) in the data path.
#pragma once

#include <string>
#include <system_error>

namespace xfer {

enum class errc {
    ok = 0,
    // Protocol: what a remote peer sent is not acceptable.
    frame_too_large = 1,  // a frame's length field exceeds the limit for its type
    frame_truncated,      // a message body ends before its fields do
    unknown_message,      // a message type this version does not know
    malformed_message,    // fields out of range or inconsistent
    bad_protocol,         // the first bytes are not an xfer hello
    version_mismatch,     // the peer speaks a protocol version we do not
    unexpected_message,   // a valid message at the wrong point of the conversation
    // Content: what a peer asked for or offered.
    not_found = 20,     // the path or content id is not shared by that peer
    path_escapes_root,  // a path tries to leave the shared directory
    content_changed,    // the served file changed after its manifest was made
    piece_unavailable,  // the peer does not have that piece
    hash_mismatch,      // a piece's SHA-256 differs from the manifest
    manifest_invalid,   // a manifest's fields are inconsistent
    content_mismatch,   // a source offers a different version of the file
    // Transfer-level outcomes.
    peer_closed = 40,  // the peer closed the connection
    peer_timeout,      // no data from the peer within the stall timeout
    peer_banned,       // the peer sent bad data too often
    no_source,         // no connected source can supply a missing piece
    cancelled,         // the operation was stopped (Ctrl-C)
    state_corrupt,     // resume state on disk is unreadable
    peer_not_reading,  // the peer does not read what it asked for (our queue to it is full)
    sender_busy,       // the sender holds too much queued work for others: try again later
    // Trees (shared/tree/): a tree manifest whose entries are not a clean, confined tree.
    tree_path_invalid = 60,     // an entry path is absolute, has "", ".", ".." or bad bytes
    tree_entry_order,           // entries out of canonical order, or a path listed twice
    tree_parent_missing,        // an entry whose parent directory is not listed before it
    tree_parent_not_directory,  // an entry under a path listed as a file
    tree_path_through_symlink,  // an entry under a path listed as a symlink
    tree_symlink_escapes,       // a symlink target that is absolute or leaves the tree
    tree_entry_invalid,         // unknown kind, mode bits beyond 01777, size or target misplaced
    tree_too_large,             // more entries, depth or bytes than the tree limits allow
    // Transport security: the TLS layer and who the peer is.
    not_tls = 70,       // the peer did not answer (or start) a TLS handshake: not an xfer peer
    tls_failed,         // the TLS handshake or a TLS record failed (see the stream's detail)
    not_authenticated,  // the transport proved no peer identity (a plaintext stream)
    peer_not_allowed,   // a policy refused this peer ID (sender: not allowed to read; receiver:
                        // not the sender it expected)
    // A manifest streamed as its hashes are computed (MANIFEST_HEAD + MANIFEST_HASHES).
    manifest_stream_invalid = 80,  // hashes out of order, twice, past the piece count, or unasked
    manifest_root_mismatch,  // the streamed manifest, once complete, is not the content asked for
    // Pairing (the exchange's own reasons are shared/pairing/pairing_error.hpp).
    pairing_failed = 74,  // sent in ERROR by a sender whose pairing exchange failed (wrong code)
    // Hostile or merely curious peers (issue 9).
    closed_before_speaking = 90,  // a client connected and closed without sending a byte (a
                                  // port check, such as a LAN listener's answer probe)
};

const std::error_category& xfer_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), xfer_category()};
}

// The peer broke the protocol (bad framing, wrong messages, a manifest that does not add up,
// another version of the content): asking it again cannot help.
bool is_protocol_violation(const std::error_code& ec) noexcept;

// errno captured as a std::error_code in the system category.
std::error_code last_system_error() noexcept;

}  // namespace xfer

template <>
struct std::is_error_code_enum<xfer::errc> : std::true_type {};
