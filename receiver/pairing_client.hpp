// `xfer pair HOST CODE` and `xfer fetch --code CODE`: the receiver's side of pairing, on a
// connection of its own. TLS (both IDs verified), HELLO with hello_feature_pairing both ways,
// then PAIR_INIT -> PAIR_REPLY -> PAIR_CONFIRM (shared/pairing/pairing_exchange.hpp), then BYE;
// it returns once the sender closed, so the sender has settled (and recorded) the pairing
// before a fetch that follows connects. Remembering the sender is the caller's step.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <system_error>

#include "shared/core/ids.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/net/address.hpp"
#include "shared/pairing/pairing_code.hpp"
#include "shared/tls/tls_context.hpp"

namespace xfer::receiver {

struct pairing_request {
    net::endpoint sender;
    pairing::pairing_code code;
    std::string own_name;   // our display name, sent in PAIR_INIT
    peer_id instance_id{};  // random per process (HELLO), not an identity
    std::shared_ptr<const tls::tls_context> tls;
    std::chrono::milliseconds timeout{10000};
};

struct paired_sender {
    identity::peer_id id;  // verified by TLS and bound into the exchange
    std::string name;      // as the sender sent it: show through safe_text
};

// Why pairing failed: a pairing_errc (wrong_code, code_expired, too_many_attempts, code_used,
// no_code, malformed_message) or an xfer errc (peer_closed, peer_timeout, tls_failed, ...), and
// one line for the user naming the sender's address and what to do.
struct pairing_failure {
    std::error_code code;
    std::string message;
};

std::expected<paired_sender, pairing_failure> pair_with_sender(const pairing_request& request);

}  // namespace xfer::receiver
