// The channel binding of pairing, taken from a TLS 1.3 session: the keying material exporter
// (RFC 8446 section 7.5) with pairing's label, so both ends of one session compute the same sid
// and two sessions (a relay in the middle) never do. Kept apart from pairing_exchange so that
// the state machines stay free of sockets and SSL objects.
//
//   auto binding = pairing::tls_channel_binding(ssl, receiver_id, sender_id);
#pragma once

#include <openssl/ssl.h>

#include <expected>
#include <string>

#include "shared/identity/peer_id.hpp"
#include "shared/pairing/pairing_exchange.hpp"

namespace xfer::pairing {

// Fails (with a sentence) when the handshake is not complete or the session is not TLS 1.3.
std::expected<channel_binding, std::string> tls_channel_binding(
    SSL* ssl, const identity::peer_id& initiator_id, const identity::peer_id& responder_id);

}  // namespace xfer::pairing
