// Whether a receiver takes data from the sender that answered: ssh's known_hosts model over
// verified peer IDs. Pure: the table of known peers and what the TLS session verified go in, a
// decision and the one line to show come out; remembering is a separate step on the table.
//
//   --peer ID given              the sender must be that ID (else pin_mismatch), whatever the
//                                table says; it is then remembered at this address
//   the sender is our own ID     accepted (another xfer of this installation)
//   a paired or allowed peer     accepted at any address (the address is recorded for it)
//   the address (or its host, as a paired peer's name) belongs to another peer: changed_id, a hard
//                                error showing both IDs and the command that accepts the new one
//   a seen peer                  accepted (it was pinned or public before)
//   unknown, the sender is public: accepted and remembered as seen (the first fetch trusts the
//                                network, as ssh's first connection does: the summary says so)
//   unknown otherwise            refused, showing its ID and how to pin or pair
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "shared/trust/known_peers.hpp"

namespace xfer::receiver {

using identity::peer_id;

struct sender_check_options {
    peer_id own_id;
    std::optional<peer_id> pinned;             // --peer ID
    std::string trust_command = "xfer trust";  // with --home DIR when one was given
    bool pairing_available = false;            // the refusal then offers --code
};

struct presented_sender {
    peer_id id;                  // verified by the TLS handshake
    std::string address;         // what we dialled: "HOST:PORT"
    bool serves_public = false;  // the sender says it lets anyone read
};

enum class sender_verdict {
    own_id,
    trusted_peer,
    seen_peer,
    pinned,
    public_first_contact,
    changed_id,    // refused
    pin_mismatch,  // refused
    unknown,       // refused
};

struct sender_decision {
    sender_verdict verdict = sender_verdict::unknown;
    bool remember = false;  // record the peer (as seen if new) and this address in known_peers
    std::string message;    // refused: the one line; public first contact: the summary's note

    bool accepted() const {
        return verdict != sender_verdict::changed_id && verdict != sender_verdict::pin_mismatch &&
               verdict != sender_verdict::unknown;
    }
};

// A known peer's record is refreshed at most this often (a fetch does not rewrite the file).
inline constexpr auto last_seen_refresh = std::chrono::hours(1);

sender_decision check_sender(const trust::known_peers& known, const sender_check_options& options,
                             const presented_sender& sender, trust::timestamp now);

// Applies an accepted decision with `remember` to the table: a new peer is added as seen (named
// after the host dialled), the address is recorded for it.
std::expected<void, std::string> remember_sender(trust::known_peers& known,
                                                 const presented_sender& sender,
                                                 trust::timestamp now);

// "HOST" of "HOST:PORT" ("[::1]:7420" -> "::1").
std::string host_of(std::string_view address);

}  // namespace xfer::receiver
