// Where trust policy plugs into the connections: a function that sees each peer's verified
// identity (the peer ID its TLS certificate key proves) and the address it came from or was
// reached at, and says whether to go on. The sender asks it before it serves a receiver
// (sender_options::authorize); the receiver asks it before it sends anything to a sender
// (fetch_request::check_sender, and `xfer ls`). Unset means "accept": the policies themselves
// (known peers, allow lists, --public, pinning) live with the commands that configure them.
#pragma once

#include <functional>
#include <string>

#include "shared/identity/peer_id.hpp"
#include "shared/net/address.hpp"
#include "shared/wire/messages.hpp"

namespace xfer::session {

struct peer_verdict {
    bool allowed = true;
    // When refused: one line for the user, naming the way out ("not paired with this sender;
    // run `xfer pair ...`"). A sender sends it to the refused receiver in an ERROR
    // (errc::peer_not_allowed); a receiver shows it as the reason the source was dropped.
    std::string reason;

    static peer_verdict allow() { return {}; }
    static peer_verdict refuse(std::string why) { return {false, std::move(why)}; }
};

using peer_check =
    std::function<peer_verdict(const identity::peer_id& peer, const net::endpoint& address)>;

// A receiver asks again when the sender's HELLO arrives: the HELLO says whether the sender lets
// anyone read (wire::hello_feature_public), which is what decides a first contact with an
// unknown sender (receiver/sender_check.hpp). peer_check at the handshake lets such a sender
// through only as far as its HELLO; nothing it sends is used before this verdict.
using hello_check = std::function<peer_verdict(
    const identity::peer_id& peer, const net::endpoint& address, const wire::hello& hello)>;

// The verdict of `check` (accept when it is unset).
inline peer_verdict judge(const peer_check& check, const identity::peer_id& peer,
                          const net::endpoint& address) {
    return check ? check(peer, address) : peer_verdict::allow();
}

inline peer_verdict judge_hello(const hello_check& check, const identity::peer_id& peer,
                                const net::endpoint& address, const wire::hello& hello) {
    return check ? check(peer, address, hello) : peer_verdict::allow();
}

}  // namespace xfer::session
