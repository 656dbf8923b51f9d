// Which discovered peers a fetch by path takes content from. A path is a name anyone can
// announce, so `fetch --lan PATH` and `fetch --tracker T PATH` take bytes only from peers this
// installation trusts: its own ID, paired and allowed peers (shared/trust/known_peers). Checked
// twice: discovery drops holders whose record was signed by any other key (peer_finder's
// trusted_signer), and this check, at every connection's TLS handshake, refuses a sender whose
// verified peer ID is not trusted, or differs from the ID that signed the record naming its
// address (a trusted peer's announcement replayed from another host). A fetch by content id
// does not use it: any peer may serve, and every piece is checked against the id.
#pragma once

#include <functional>
#include <vector>

#include "shared/identity/peer_id.hpp"
#include "shared/session/peer_policy.hpp"
#include "shared/trust/known_peers.hpp"

namespace xfer::receiver {

using trusted_peer_test = std::function<bool(const identity::peer_id&)>;
// The peer IDs that signed discovery records naming this address (empty: discovery did not).
using discovery_signers = std::function<std::vector<identity::peer_id>(const net::endpoint&)>;

// Own ID, or a paired or allowed peer in `known` (a copy: the table is read once per fetch).
trusted_peer_test trusted_peers(const trust::known_peers& known, const identity::peer_id& own_id);

// `next` (the known_hosts check) runs only for a sender that passes; `trust_command` is the
// `xfer trust` command line to show in a refusal. Sources the user named (`named`: SOURCE and
// --from) are not discovered: only `next` decides about them.
session::peer_check trusted_sources_only(session::peer_check next, discovery_signers signers,
                                         trusted_peer_test trusted, std::string trust_command,
                                         std::vector<net::endpoint> named = {});

}  // namespace xfer::receiver
