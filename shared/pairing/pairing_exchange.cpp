#include "shared/pairing/pairing_exchange.hpp"

#include <openssl/crypto.h>

#include <string_view>
#include <utility>

namespace xfer::pairing {

namespace {

cpace::bytes as_bytes(std::string_view text) {
    return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// CI: the protocol and both peer IDs, initiator first, as lv_cat fields.
std::vector<uint8_t> channel_identifier(const channel_binding& binding) {
    return cpace::lv_cat(
        {as_bytes("xfer-pairing-v1"), binding.initiator_id.digest, binding.responder_id.digest});
}

// A fresh secret scalar and this side's public point for `code_text` on `binding`.
void start_party(cpace_party& party, std::string_view code_text, const channel_binding& binding) {
    party.generator = cpace::calculate_generator(as_bytes(code_text), channel_identifier(binding),
                                                 binding.tls_exporter);
    for (;;) {
        party.secret = cpace::random_scalar();
        // Fails only for a zero result, which a random scalar hits with probability ~2^-252.
        if (const auto point = cpace::scalar_mult_vfy(party.secret, party.generator)) {
            party.own_point = *point;
            return;
        }
    }
}

struct session_keys {
    cpace::key64 initiator_tag{};
    cpace::key64 responder_tag{};
};

// Both tags of one run, from the shared point K and the transcript.
session_keys derive_tags(const channel_binding& binding, const cpace::point& K,
                         const cpace::point& Ya, std::string_view name_a, const cpace::point& Yb,
                         std::string_view name_b) {
    const auto sid = cpace::bytes(binding.tls_exporter);
    auto isk = cpace::isk_initiator_responder(sid, K, Ya, as_bytes(name_a), Yb, as_bytes(name_b));
    auto key = cpace::mac_key(sid, isk);
    session_keys keys{cpace::confirmation_tag(key, Ya, as_bytes(name_a)),
                      cpace::confirmation_tag(key, Yb, as_bytes(name_b))};
    OPENSSL_cleanse(isk.data(), isk.size());
    OPENSSL_cleanse(key.data(), key.size());
    return keys;
}

pairing_outcome failure(pairing_errc reason) {
    return std::unexpected(make_error_code(reason));
}

}  // namespace

cpace_party::~cpace_party() {
    OPENSSL_cleanse(secret.data(), secret.size());
}

std::string pairing_name_of(std::string_view name) {
    std::string out;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        out.push_back(byte < 0x20 || byte == 0x7f ? '?' : c);
    }
    if (out.size() > wire::max_pairing_name) {
        size_t cut = wire::max_pairing_name;
        // Back off continuation bytes so no UTF-8 sequence is cut in half.
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;
        out.resize(cut);
    }
    return out.empty() ? "unnamed" : out;
}

wire::pair_reply refusal(pairing_errc reason) {
    wire::pair_reply reply;
    reply.status = static_cast<uint8_t>(reason);
    return reply;
}

pairing_initiator::pairing_initiator(const pairing_code& code, const channel_binding& binding,
                                     std::string own_name)
    : binding_(binding) {
    start_party(party_, code.text(), binding_);
    init_.Ya = party_.own_point;
    init_.name = pairing_name_of(own_name);
}

pairing_initiator::reply_step pairing_initiator::on_reply(const wire::pair_reply& reply) {
    if (std::exchange(replied_, true)) return {std::nullopt, failure(pairing_errc::out_of_order)};
    if (reply.status != 0) {
        if (reply.status > wire::max_pair_refusal) {
            return {std::nullopt, failure(pairing_errc::malformed_message)};
        }
        return {std::nullopt, failure(static_cast<pairing_errc>(reply.status))};
    }
    if (!wire::is_valid_pairing_name(reply.name)) {
        return {std::nullopt, failure(pairing_errc::malformed_message)};
    }
    auto K = cpace::scalar_mult_vfy(party_.secret, reply.Yb);
    if (!K) return {std::nullopt, failure(pairing_errc::malformed_message)};
    const auto keys = derive_tags(binding_, *K, init_.Ya, init_.name, reply.Yb, reply.name);
    OPENSSL_cleanse(K->data(), K->size());
    wire::pair_confirm confirm{keys.initiator_tag};
    if (!cpace::tags_equal(keys.responder_tag, reply.tag)) {
        return {confirm, failure(pairing_errc::wrong_code)};
    }
    return {confirm, paired_peer{reply.name}};
}

pairing_responder::pairing_responder(code_limiter& limiter, const channel_binding& binding,
                                     std::string own_name)
    : limiter_(limiter), binding_(binding), own_name_(pairing_name_of(own_name)) {}

pairing_responder::init_step pairing_responder::on_init(const wire::pair_init& init,
                                                        time_point now) {
    if (step_ != step::want_init)
        return {std::nullopt, make_error_code(pairing_errc::out_of_order)};
    step_ = step::done;
    if (!wire::is_valid_pairing_name(init.name)) {
        return {std::nullopt, make_error_code(pairing_errc::malformed_message)};
    }
    const auto code_text = limiter_.begin_attempt(now);
    if (!code_text) {
        return {refusal(static_cast<pairing_errc>(code_text.error().value())), code_text.error()};
    }
    cpace_party party;
    start_party(party, *code_text, binding_);
    auto K = cpace::scalar_mult_vfy(party.secret, init.Ya);
    if (!K) return {std::nullopt, make_error_code(pairing_errc::malformed_message)};
    const auto keys = derive_tags(binding_, *K, init.Ya, init.name, party.own_point, own_name_);
    OPENSSL_cleanse(K->data(), K->size());
    expected_tag_ = keys.initiator_tag;
    peer_name_ = init.name;
    step_ = step::want_confirm;
    wire::pair_reply reply;
    reply.Yb = party.own_point;
    reply.name = own_name_;
    reply.tag = keys.responder_tag;
    return {reply, {}};
}

pairing_outcome pairing_responder::on_confirm(const wire::pair_confirm& confirm) {
    if (step_ != step::want_confirm) return failure(pairing_errc::out_of_order);
    step_ = step::done;
    if (!cpace::tags_equal(expected_tag_, confirm.tag)) return failure(pairing_errc::wrong_code);
    // Another connection may have paired with the same code while this one ran.
    if (limiter_.used()) return failure(pairing_errc::code_used);
    limiter_.attempt_succeeded();
    return paired_peer{peer_name_};
}

}  // namespace xfer::pairing
