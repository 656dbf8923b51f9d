#include "receiver/pairing_client.hpp"

#include <poll.h>

#include <optional>

#include "shared/core/error.hpp"
#include "shared/net/socket.hpp"
#include "shared/pairing/pairing_exchange.hpp"
#include "shared/session/peer_session.hpp"
#include "shared/tls/tls_stream.hpp"

namespace xfer::receiver {
namespace {

constexpr size_t read_budget = 64 * 1024;

// The receiver's half of the exchange, driven by the session's messages.
class pairing_caller final : public session::message_handler {
  public:
    explicit pairing_caller(const pairing_request& request) : request_(request) {}
    void attach(session::peer_session& session) { session_ = &session; }

    std::optional<identity::peer_id> sender_id;
    std::optional<pairing::pairing_outcome> outcome;  // after PAIR_REPLY
    std::optional<wire::error_msg> refusal;           // the sender's ERROR

    // Any sender passes here: the code, not a table, proves who it is.
    std::error_code on_peer_verified(const identity::peer_id& peer) override {
        sender_id = peer;
        return {};
    }
    std::error_code on_hello(const wire::hello&) override {
        if (!sender_id) return errc::not_authenticated;
        pairing::channel_binding binding;
        binding.initiator_id = request_.tls->our_id();
        binding.responder_id = *sender_id;
        if (!session_->export_keying_material(pairing::exporter_label, binding.tls_exporter))
            return errc::not_authenticated;
        initiator_.emplace(request_.code, binding, request_.own_name);
        session_->send(initiator_->init());
        return {};
    }
    std::error_code on_pair_reply(const wire::pair_reply& reply) override {
        if (!initiator_ || outcome) return errc::unexpected_message;
        auto step = initiator_->on_reply(reply);
        if (step.confirm) session_->send(*step.confirm);
        session_->send(wire::bye{});  // the sender closes once it has settled the exchange
        outcome = std::move(step.outcome);
        return {};
    }
    std::error_code on_error(const wire::error_msg& error) override {
        refusal = error;
        return errc::peer_closed;
    }
    std::error_code on_bye() override { return errc::peer_closed; }

  private:
    const pairing_request& request_;
    session::peer_session* session_ = nullptr;
    std::optional<pairing::pairing_initiator> initiator_;
};

std::unexpected<pairing_failure> failed(std::error_code code, std::string message) {
    return std::unexpected(pairing_failure{code, std::move(message)});
}

std::string then_use_new_code() {
    return "; use the code 'xfer serve' prints there now";
}

// One line for an exchange that ended without pairing.
std::string outcome_text(const std::error_code& ec, const std::string& where) {
    using pairing::pairing_errc;
    // The sender holds only its current code, so a code it replaced (it paired, expired or
    // met 3 wrong tries) meets this same answer: say so.
    if (ec == pairing_errc::wrong_code)
        return where +
               ": wrong pairing code, or one no longer valid (it paired already, expired or died "
               "after 3 wrong tries), or someone relays the connection" +
               then_use_new_code();
    if (ec == pairing_errc::code_expired)
        return where + ": that pairing code has expired" + then_use_new_code();
    if (ec == pairing_errc::too_many_attempts)
        return where + ": that pairing code died after too many wrong tries" + then_use_new_code();
    if (ec == pairing_errc::code_used)
        return where + ": that pairing code was already used (a code pairs once)" +
               then_use_new_code();
    if (ec == pairing_errc::no_code)
        return where +
               ": that sender offers no pairing code (it serves --public, or only while "
               "fetching); its owner can run 'xfer serve DIR' to get one";
    return where + ": the sender broke the pairing exchange (" + ec.message() + ")";
}

// What the connection's end means, once the loop is over.
std::expected<paired_sender, pairing_failure> settle(const pairing_caller& caller,
                                                     const std::error_code& ended,
                                                     const std::string& where,
                                                     const session::peer_session& session) {
    if (caller.outcome && !*caller.outcome)
        return failed(caller.outcome->error(), outcome_text(caller.outcome->error(), where));
    if (caller.refusal) {
        const bool wrong = caller.refusal->code == static_cast<uint16_t>(errc::pairing_failed);
        return failed(wrong ? make_error_code(pairing::pairing_errc::wrong_code)
                            : make_error_code(errc::peer_not_allowed),
                      where + ": " + caller.refusal->text);
    }
    if (caller.outcome && ended == make_error_code(errc::peer_closed))
        return paired_sender{*caller.sender_id, (*caller.outcome)->name};
    if (ended == make_error_code(errc::tls_failed))
        return failed(ended, where + ": TLS failed: " + session.transport_failure());
    if (ended == make_error_code(errc::peer_closed))
        return failed(ended, where + ": connection closed before pairing ended");
    return failed(ended, where + ": " + ended.message());
}

}  // namespace

std::expected<paired_sender, pairing_failure> pair_with_sender(const pairing_request& request) {
    const auto where = request.sender.to_string();
    auto fd = net::connect_tcp(request.sender, request.timeout);
    if (!fd) return failed(errc::peer_closed, fd.error());
    wire::hello hello;
    hello.id = request.instance_id;
    hello.features = wire::hello_feature_pairing;
    pairing_caller caller(request);
    session::peer_session session(
        session::role::initiator,
        std::make_unique<tls::tls_stream>(std::move(*fd), request.tls, tls::side::client), hello,
        caller, read_budget);
    caller.attach(session);

    const auto deadline = std::chrono::steady_clock::now() + request.timeout;
    std::error_code ended;
    while (!ended) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return failed(errc::peer_timeout, where + ": timed out waiting for the sender to pair");
        pollfd item{session.fd(),
                    static_cast<short>(POLLIN | (session.wants_write() ? POLLOUT : 0)), 0};
        // Decrypted bytes TLS already holds are not visible to poll.
        if (!session.has_buffered_input()) ::poll(&item, 1, static_cast<int>(left.count()));
        ended = session.receive();
        if (!ended && session.wants_write()) ended = session.flush().error;
    }
    return settle(caller, ended, where, session);
}

}  // namespace xfer::receiver
