// What the owner of a peer session implements: one handler per message type, called with the
// message already decoded and the handshake already done. A handler that is not overridden
// treats its message as a protocol violation (`unexpected`), so each side states exactly what it
// accepts. HELLO and KEEPALIVE never reach the owner: the session handles them.
#pragma once

#include <system_error>

#include "shared/core/error.hpp"
#include "shared/identity/peer_id.hpp"
#include "shared/wire/messages.hpp"
#include "shared/wire/pairing_messages.hpp"

namespace xfer::session {

class message_handler {
  public:
    virtual ~message_handler() = default;

    // The TLS handshake is done and proved the peer's identity (the peer ID of its certificate
    // key). Called once, before any frame from the peer is handled and before any queued byte of
    // ours goes out: the place for "may this peer read from us" and "is this the sender we
    // meant". An error refuses the peer (the connection is dropped).
    virtual std::error_code on_peer_verified(const identity::peer_id&) { return {}; }
    // The remote HELLO passed the session's checks (version). An error refuses the peer (it is
    // ourselves, or a peer we already talk to).
    virtual std::error_code on_hello(const wire::hello&) { return {}; }

    virtual std::error_code on_error(const wire::error_msg&) {
        return unexpected(wire::message_type::error);
    }
    virtual std::error_code on_bye() { return unexpected(wire::message_type::bye); }
    // Receiver to sender.
    virtual std::error_code on_list(const wire::list_request&) {
        return unexpected(wire::message_type::list);
    }
    virtual std::error_code on_open(const wire::open_request&) {
        return unexpected(wire::message_type::open);
    }
    virtual std::error_code on_request(const wire::request&) {
        return unexpected(wire::message_type::request);
    }
    virtual std::error_code on_cancel(const wire::cancel&) {
        return unexpected(wire::message_type::cancel);
    }
    virtual std::error_code on_close(const wire::close_msg&) {
        return unexpected(wire::message_type::close);
    }
    // Sender to receiver (PIECE data goes to the session's block sink instead).
    virtual std::error_code on_listing(wire::listing&) {
        return unexpected(wire::message_type::listing);
    }
    virtual std::error_code on_manifest(const wire::manifest_msg&) {
        return unexpected(wire::message_type::manifest);
    }
    // A manifest streamed as it is hashed (only to a receiver that said it reads them).
    virtual std::error_code on_manifest_head(const wire::manifest_head_msg&) {
        return unexpected(wire::message_type::manifest_head);
    }
    virtual std::error_code on_manifest_hashes(const wire::manifest_hashes_msg&) {
        return unexpected(wire::message_type::manifest_hashes);
    }
    virtual std::error_code on_bitfield(const wire::bitfield_msg&) {
        return unexpected(wire::message_type::bitfield);
    }
    virtual std::error_code on_have(const wire::have&) {
        return unexpected(wire::message_type::have);
    }
    virtual std::error_code on_peers(const wire::peers_msg&) {
        return unexpected(wire::message_type::peers);
    }
    virtual std::error_code on_decline(const wire::decline_msg&) {
        return unexpected(wire::message_type::decline);
    }

    // Pairing, after the HELLOs (shared/pairing/pairing_exchange.hpp): receiver to sender...
    virtual std::error_code on_pair_init(const wire::pair_init&) {
        return unexpected(wire::message_type::pair_init);
    }
    virtual std::error_code on_pair_confirm(const wire::pair_confirm&) {
        return unexpected(wire::message_type::pair_confirm);
    }
    // ...and sender to receiver.
    virtual std::error_code on_pair_reply(const wire::pair_reply&) {
        return unexpected(wire::message_type::pair_reply);
    }

    // A HELLO after the handshake.
    std::error_code unexpected_hello() { return unexpected(wire::message_type::hello); }

  protected:
    // Every message this side does not accept ends up here (a second HELLO too). A side that
    // tolerates stray messages (the `ls` client) overrides it.
    virtual std::error_code unexpected(wire::message_type) { return errc::unexpected_message; }
};

}  // namespace xfer::session

namespace xfer::session {

// Calls the handler for the message's type. HELLO (outside the handshake) and KEEPALIVE are
// answered here: a second HELLO is unexpected, KEEPALIVE only proves the peer is alive.
std::error_code dispatch(message_handler& handler, wire::message& message);
// The same for the pairing messages (decoded apart: shared/wire/pairing_messages.hpp).
std::error_code dispatch(message_handler& handler, const wire::pairing_message& message);

}  // namespace xfer::session
