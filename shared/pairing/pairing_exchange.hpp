// Pairing as a pure state machine: the receiver (initiator) and the sender (responder) prove to
// each other that they know the same pairing code, without sending it, over CPace (cpace.hpp)
// bound to their TLS session. No sockets here: the caller moves the messages.
//
// Usage (the TLS connection is up, both certificates verified to their peer IDs):
//
//   // both sides, from the same TLS session:
//   pairing::channel_binding binding;
//   SSL_export_keying_material(ssl, binding.tls_exporter.data(), binding.tls_exporter.size(),
//                              pairing::exporter_label, std::strlen(pairing::exporter_label),
//                              nullptr, 0, 0);
//   binding.initiator_id = <the receiver's peer ID>;   binding.responder_id = <the sender's>;
//
//   // receiver (`xfer pair HOST CODE`, `xfer fetch --code CODE`):
//   auto code = pairing::parse_pairing_code(typed);              // error: tell the user
//   pairing::pairing_initiator initiator(*code, binding, identity::display_name());
//   send(initiator.init());                                      // PAIR_INIT
//   auto step = initiator.on_reply(<decoded PAIR_REPLY>);
//   if (step.confirm) send(*step.confirm);                       // PAIR_CONFIRM, even on failure
//   step.outcome: the sender's name -> remember binding.responder_id, or the pairing_errc
//
//   // sender (`xfer serve`): one code_limiter per printed code, shared by its connections
//   pairing::code_limiter limiter(pairing::generate_pairing_code(), now);
//   pairing::pairing_responder responder(limiter, binding, identity::display_name());
//   auto first = responder.on_init(<decoded PAIR_INIT>, now);
//   if (first.reply) send(*first.reply);                         // PAIR_REPLY (maybe a refusal)
//   if (!first.refused) outcome = responder.on_confirm(<decoded PAIR_CONFIRM>);
//   outcome: the receiver's name -> remember binding.initiator_id, or the pairing_errc
//
// Why it is bound this way: sid is the TLS exporter, so a relay that holds two TLS sessions
// (one to each side) gives them different sids, and their tags cannot match; CI carries both
// peer IDs, so each side pairs exactly the ID it will remember. A wrong code and a relay look
// the same (pairing_errc::wrong_code): the exchange reveals nothing else.
#pragma once

#include <array>
#include <chrono>
#include <expected>
#include <optional>
#include <string>
#include <system_error>

#include "shared/identity/peer_id.hpp"
#include "shared/pairing/code_limiter.hpp"
#include "shared/pairing/cpace.hpp"
#include "shared/pairing/pairing_code.hpp"
#include "shared/pairing/pairing_error.hpp"
#include "shared/wire/pairing_messages.hpp"

namespace xfer::pairing {

// The TLS exporter label both sides use (RFC 8446 section 7.5), with no context, 32 bytes.
inline constexpr const char* exporter_label = "EXPORTER-xfer-pairing-v1";
inline constexpr size_t exporter_size = 32;

struct channel_binding {
    std::array<uint8_t, exporter_size> tls_exporter{};
    identity::peer_id initiator_id;  // the receiver's, as both ends of the TLS session see it
    identity::peer_id responder_id;  // the sender's
};

struct paired_peer {
    std::string name;  // the other side's display name, as it sent it (show with safe_text)
};
using pairing_outcome = std::expected<paired_peer, std::error_code>;

// The per-exchange secrets and transcript: one side's view of one CPace run.
struct cpace_party {
    cpace::scalar secret{};
    cpace::point generator{};
    cpace::point own_point{};
    ~cpace_party();
};

class pairing_initiator {
  public:
    pairing_initiator(const pairing_code& code, const channel_binding& binding,
                      std::string own_name);
    pairing_initiator(const pairing_initiator&) = delete;
    pairing_initiator& operator=(const pairing_initiator&) = delete;

    // PAIR_INIT, to send first.
    const wire::pair_init& init() const { return init_; }

    struct reply_step {
        // PAIR_CONFIRM to send: present whenever the reply was a well-formed acceptance, also
        // when the code did not match, so the sender learns the outcome too.
        std::optional<wire::pair_confirm> confirm;
        pairing_outcome outcome;
    };
    // Consumes PAIR_REPLY; a second call is out_of_order.
    reply_step on_reply(const wire::pair_reply& reply);

  private:
    channel_binding binding_;
    cpace_party party_;
    wire::pair_init init_;
    bool replied_ = false;
};

class pairing_responder {
  public:
    using time_point = code_limiter::time_point;

    // `limiter` outlives the responder; several responders (connections) may share it.
    pairing_responder(code_limiter& limiter, const channel_binding& binding, std::string own_name);
    pairing_responder(const pairing_responder&) = delete;
    pairing_responder& operator=(const pairing_responder&) = delete;

    struct init_step {
        // To send: an acceptance, or a refusal status. Absent when the PAIR_INIT was out of
        // order or its point invalid: close the connection.
        std::optional<wire::pair_reply> reply;
        std::error_code refused;  // set: the exchange ends here (no PAIR_CONFIRM will follow)
    };
    // Consumes PAIR_INIT; counts an attempt against the code.
    init_step on_init(const wire::pair_init& init, time_point now);
    // Consumes PAIR_CONFIRM: paired (the code is then spent), or wrong_code.
    pairing_outcome on_confirm(const wire::pair_confirm& confirm);

  private:
    code_limiter& limiter_;
    channel_binding binding_;
    std::string own_name_;
    std::string peer_name_;
    cpace::key64 expected_tag_{};
    enum class step { want_init, want_confirm, done } step_ = step::want_init;
};

// A display name made fit for a pairing message: control characters become '?', cut to
// wire::max_pairing_name bytes on a UTF-8 boundary, "unnamed" if empty. The constructors apply
// it to own_name.
std::string pairing_name_of(std::string_view name);

// For a side that does not run pairing at all (`--public`, or no code open): the refusal to
// send in answer to a PAIR_INIT.
wire::pair_reply refusal(pairing_errc reason);

}  // namespace xfer::pairing
