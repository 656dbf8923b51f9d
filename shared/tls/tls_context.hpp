// The TLS configuration every peer connection of this process uses, built from the local
// identity (its Ed25519 key and self-signed certificate): TLS 1.3 only, a certificate required
// from both sides, AES-GCM first, no session resumption (a resumed session would carry no
// certificate, so no peer ID), kernel TLS where the kernel offers it.
//
// Peers are verified by peer ID, not by a certificate authority: the handshake accepts any
// certificate (tls/peer_verification.hpp), and the peer ID made from its public key is what the
// session hands to the policies that decide whom to serve or trust.
#pragma once

#include <openssl/ssl.h>

#include <expected>
#include <memory>
#include <string>

#include "shared/identity/peer_id.hpp"
#include "shared/tls/ssl_handles.hpp"

namespace xfer::tls {

class tls_context {
  public:
    // Fails with a sentence naming what OpenSSL refused (a key that does not match the
    // certificate, say).
    static std::expected<std::shared_ptr<const tls_context>, std::string> make(EVP_PKEY* key,
                                                                               X509* certificate);

    SSL_CTX* get() const { return context_.get(); }
    // Our own peer ID: what the other side of every connection will see.
    const identity::peer_id& our_id() const { return our_id_; }

  private:
    tls_context(ssl_ctx_ptr context, identity::peer_id our_id)
        : context_(std::move(context)), our_id_(our_id) {}

    ssl_ctx_ptr context_;
    identity::peer_id our_id_;
};

}  // namespace xfer::tls
