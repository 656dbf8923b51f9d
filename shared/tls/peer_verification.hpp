// Verification by peer ID rather than by a certificate authority. The handshake accepts the
// peer's self-signed certificate as it is (TLS itself proves the peer holds the certificate's
// private key: CertificateVerify); who the peer *is* is the peer ID of that certificate's public
// key, which the policies above compare with what they know.
#pragma once

#include <openssl/ssl.h>

#include <optional>

#include "shared/identity/peer_id.hpp"

namespace xfer::tls {

// SSL_CTX_set_verify's callback: accepts any certificate chain (self-signed is the norm here);
// the peer ID check happens after the handshake.
int accept_certificate_for_id_check(int preverified, X509_STORE_CTX* store);

// The peer ID of the certificate the peer presented in a completed handshake; nullopt when it
// presented none.
std::optional<identity::peer_id> peer_id_of_connection(const SSL* connection);

}  // namespace xfer::tls
