#include "shared/tls/tls_context.hpp"

#include <csignal>

#include "shared/identity/certificate.hpp"
#include "shared/tls/peer_verification.hpp"

namespace xfer::tls {
namespace {

// AES-GCM first: AES-NI (and VAES) make it several GB/s per core; ChaCha20 stays for a peer
// without AES instructions. The server's order wins, so two xfer peers agree on AES-128-GCM.
constexpr const char* ciphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Decrypted records are read this many bytes at a time (read-ahead): a few records per recv.
// 256 KiB cut the receiver's recv calls 4x but not its CPU (docs/BENCHMARKS.md, "Where TLS's
// CPU goes"), so the buffer each connection keeps stays at 64 KiB.
constexpr size_t read_buffer_bytes = 64 * 1024;

std::unexpected<std::string> failure(const std::string& what) {
    return std::unexpected("TLS setup: " + what + ": " + identity::openssl_error_text());
}

}  // namespace

std::expected<std::shared_ptr<const tls_context>, std::string> tls_context::make(
    EVP_PKEY* key, X509* certificate) {
    // OpenSSL's socket BIO writes with write(2), not send(MSG_NOSIGNAL): a peer that went away
    // must be an EPIPE error, not a signal that ends the process (xfer's main ignores it too).
    std::signal(SIGPIPE, SIG_IGN);
    ssl_ctx_ptr context(SSL_CTX_new(TLS_method()));
    if (!context) return failure("cannot create a context");
    SSL_CTX* ctx = context.get();
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
        return failure("TLS 1.3 is not available");
    if (SSL_CTX_set_ciphersuites(ctx, ciphersuites) != 1) return failure("ciphersuites");
    if (SSL_CTX_use_certificate(ctx, certificate) != 1) return failure("certificate refused");
    if (SSL_CTX_use_PrivateKey(ctx, key) != 1) return failure("key refused");
    if (SSL_CTX_check_private_key(ctx) != 1) return failure("key does not match certificate");
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       accept_certificate_for_id_check);
    // No resumption: every connection carries the peer's certificate, so every connection
    // proves its peer ID.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_ENABLE_KTLS | SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Partial writes and a buffer that may move between retries: the send queue hands over what
    // it has, and a retry after WANT_WRITE offers the same bytes again (tls_stream keeps them).
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, read_buffer_bytes);
    const auto der = identity::public_key_der(key);
    if (der.empty()) return failure("cannot encode the public key");
    return std::shared_ptr<const tls_context>(
        new tls_context(std::move(context), identity::peer_id_of_public_key(der)));
}

}  // namespace xfer::tls
