// The key pair and the self-signed X.509 certificate of one xfer installation, through OpenSSL.
// Ed25519: small keys, fast signatures, one algorithm with no parameters to get wrong, and
// supported by TLS 1.3 in OpenSSL 3. The certificate only carries the key into TLS (peers are
// verified by peer ID, not by a CA), so it never expires (RFC 5280's 99991231235959Z).
#pragma once

#include <expected>
#include <span>
#include <string>
#include <vector>

#include "shared/identity/openssl_handles.hpp"

namespace xfer::identity {

std::expected<evp_pkey_ptr, std::string> generate_ed25519_key();
// CN=xfer, issuer = subject, random 128-bit serial, signed by `key`.
std::expected<x509_ptr, std::string> make_self_signed_certificate(EVP_PKEY* key);

// DER SubjectPublicKeyInfo of a key (what a peer ID hashes).
std::vector<uint8_t> public_key_der(EVP_PKEY* key);

// PEM forms: PKCS#8 (unencrypted: the file's mode 600 is the protection, as for ssh keys) and
// the certificate. The private key's bytes are wiped from memory by whoever holds them.
std::expected<std::string, std::string> private_key_pem(EVP_PKEY* key);
std::expected<std::string, std::string> certificate_pem(X509* certificate);
// Parse; errors name what was expected. A key must be Ed25519.
std::expected<evp_pkey_ptr, std::string> parse_private_key_pem(std::span<const char> pem);
std::expected<x509_ptr, std::string> parse_certificate_pem(std::span<const char> pem);

// Last OpenSSL error as text (the queue is cleared).
std::string openssl_error_text();

}  // namespace xfer::identity
