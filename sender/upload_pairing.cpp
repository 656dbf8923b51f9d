// The sender's side of pairing on one connection (shared/pairing/pairing_exchange.hpp): PAIR_INIT
// leases the code open now and is answered with PAIR_REPLY (or a refusal: no code, expired,
// tries spent, used); PAIR_CONFIRM settles it. Paired, the receiver may read from then on and the
// owner records it; a wrong code ends the connection with ERROR pairing_failed.
#include <utility>

#include "sender/sender.hpp"  // pairing_options
#include "sender/upload_connection.hpp"
#include "shared/core/log.hpp"
#include "shared/core/safe_text.hpp"

namespace xfer::sender {

std::error_code upload_connection::refuse_unpaired() {
    XLOG_WARN("sender", label_,
              "refused peer " << identity::format_peer_id(*remote_peer_id()) << ": " << refusal_);
    return errc::peer_not_allowed;
}

std::error_code upload_connection::on_pair_init(const wire::pair_init& init) {
    last_useful_ = read_at_;
    if (std::exchange(pairing_tried_, true)) return errc::unexpected_message;
    auto code = context_.codes ? context_.codes->lease() : nullptr;
    if (!code) {
        XLOG_WARN("sender", label_, "asked to pair, but no pairing code is offered");
        session_.send(pairing::refusal(pairing::pairing_errc::no_code));
        return {};
    }
    pairing::channel_binding binding;
    binding.initiator_id = *remote_peer_id();
    binding.responder_id = context_.own_peer_id;
    if (!session_.export_keying_material(pairing::exporter_label, binding.tls_exporter))
        return errc::not_authenticated;
    pairing_ = std::make_unique<pairing_attempt>(std::move(code), binding,
                                                 context_.pairing_offer->own_name);
    const auto step = pairing_->responder.on_init(init, read_at_);
    if (!step.reply) {
        pairing_.reset();
        return errc::malformed_message;  // an invalid point: close without a reply
    }
    session_.send(*step.reply);
    if (step.refused) {
        XLOG_WARN("sender", label_, "pairing refused: " << step.refused.message());
        pairing_.reset();  // the receiver sends no PAIR_CONFIRM after a refusal
    }
    return {};
}

std::error_code upload_connection::on_pair_confirm(const wire::pair_confirm& confirm) {
    last_useful_ = read_at_;
    if (!pairing_) return errc::unexpected_message;
    const auto outcome = pairing_->responder.on_confirm(confirm);
    const unsigned tries_left = pairing_->code->attempts_left();
    pairing_.reset();  // the lease ends: a spent code may now be replaced
    if (!outcome) {
        XLOG_WARN("sender", label_,
                  "pairing failed: " << outcome.error().message() << " (" << tries_left
                                     << " tries left for this code)");
        return errc::pairing_failed;
    }
    may_read_ = true;
    if (context_.pairing_offer->on_paired)
        context_.pairing_offer->on_paired({*remote_peer_id(), outcome->name, remote_});
    XLOG_INFO("sender", label_, "paired with " << safe_text(outcome->name));
    return {};
}

}  // namespace xfer::sender
