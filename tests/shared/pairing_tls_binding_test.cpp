// Pairing bound to real TLS 1.3 sessions (OpenSSL over in-memory BIO pairs): both ends of one
// session pair; a relay that runs one session to each side cannot complete pairing.
#include "shared/pairing/tls_binding.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <memory>

#include "shared/identity/certificate.hpp"

namespace xfer::pairing {
namespace {

using namespace std::chrono_literals;

struct ssl_deleter {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
using ssl_ptr = std::unique_ptr<SSL, ssl_deleter>;
using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_deleter>;

// A TLS 1.3 server with a fresh self-signed Ed25519 identity, and a client that (in this test
// only) does not check it: the exporter is what is under test.
struct tls_pair {
    ssl_ctx_ptr server_context{SSL_CTX_new(TLS_server_method())};
    ssl_ctx_ptr client_context{SSL_CTX_new(TLS_client_method())};
    ssl_ptr server;
    ssl_ptr client;

    tls_pair() {
        auto key = identity::generate_ed25519_key();
        auto certificate = identity::make_self_signed_certificate(key->get());
        SSL_CTX_use_certificate(server_context.get(), certificate->get());
        SSL_CTX_use_PrivateKey(server_context.get(), key->get());
        for (auto* context : {server_context.get(), client_context.get()}) {
            SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
        }
        server.reset(SSL_new(server_context.get()));
        client.reset(SSL_new(client_context.get()));
        BIO* client_end = nullptr;
        BIO* server_end = nullptr;
        BIO_new_bio_pair(&client_end, 0, &server_end, 0);
        SSL_set_bio(client.get(), client_end, client_end);
        SSL_set_bio(server.get(), server_end, server_end);
        SSL_set_connect_state(client.get());
        SSL_set_accept_state(server.get());
    }

    bool handshake() {
        for (int round = 0; round < 20; ++round) {
            const int client_done = SSL_do_handshake(client.get());
            const int server_done = SSL_do_handshake(server.get());
            if (client_done == 1 && server_done == 1) return true;
        }
        return false;
    }
};

identity::peer_id id_of(uint8_t byte) {
    identity::peer_id id;
    id.digest.fill(byte);
    return id;
}

struct outcomes {
    pairing_outcome initiator;
    pairing_outcome responder;
};

outcomes pair_over(const channel_binding& receiver_side, const channel_binding& sender_side) {
    const auto now = std::chrono::steady_clock::time_point{} + 1h;
    code_limiter limiter(*parse_pairing_code("7-amber-forest"), now);
    pairing_initiator initiator(*parse_pairing_code("7-amber-forest"), receiver_side, "laptop");
    pairing_responder responder(limiter, sender_side, "desktop");
    const auto first = responder.on_init(initiator.init(), now);
    auto step = initiator.on_reply(*first.reply);
    return {step.outcome, responder.on_confirm(*step.confirm)};
}

TEST(PairingTlsBinding, BothEndsOfOneSessionExportTheSameBindingAndPair) {
    tls_pair tls;
    ASSERT_TRUE(tls.handshake());
    const auto receiver = tls_channel_binding(tls.client.get(), id_of(1), id_of(2));
    const auto sender = tls_channel_binding(tls.server.get(), id_of(1), id_of(2));
    ASSERT_TRUE(receiver) << receiver.error();
    ASSERT_TRUE(sender) << sender.error();
    EXPECT_EQ(receiver->tls_exporter, sender->tls_exporter);
    const auto result = pair_over(*receiver, *sender);
    EXPECT_TRUE(result.initiator);
    EXPECT_TRUE(result.responder);
}

TEST(PairingTlsBinding, ARelayHoldingTwoSessionsCannotCompletePairing) {
    tls_pair receiver_to_relay;
    tls_pair relay_to_sender;
    ASSERT_TRUE(receiver_to_relay.handshake());
    ASSERT_TRUE(relay_to_sender.handshake());
    const auto receiver = tls_channel_binding(receiver_to_relay.client.get(), id_of(1), id_of(2));
    const auto sender = tls_channel_binding(relay_to_sender.server.get(), id_of(1), id_of(2));
    ASSERT_TRUE(receiver && sender);
    EXPECT_NE(receiver->tls_exporter, sender->tls_exporter);
    const auto result = pair_over(*receiver, *sender);  // the relay forwards every message as is
    EXPECT_EQ(result.initiator.error(), pairing_errc::wrong_code);
    EXPECT_EQ(result.responder.error(), pairing_errc::wrong_code);
}

TEST(PairingTlsBinding, AnUnfinishedHandshakeHasNoBinding) {
    tls_pair tls;
    const auto binding = tls_channel_binding(tls.client.get(), id_of(1), id_of(2));
    ASSERT_FALSE(binding);
    EXPECT_NE(binding.error().find("completed TLS handshake"), std::string::npos);
}

}  // namespace
}  // namespace xfer::pairing
