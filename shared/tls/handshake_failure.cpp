#include "shared/tls/handshake_failure.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>

#include "shared/core/error.hpp"
#include "shared/identity/certificate.hpp"

namespace xfer::tls {
namespace {

// OpenSSL reasons that mean the bytes from the peer were not TLS records at all.
bool not_tls_records(unsigned long error) {
    if (ERR_GET_LIB(error) != ERR_LIB_SSL) return false;
    switch (ERR_GET_REASON(error)) {
        case SSL_R_WRONG_VERSION_NUMBER:
        case SSL_R_PACKET_LENGTH_TOO_LONG:
        case SSL_R_HTTP_REQUEST:
        case SSL_R_HTTPS_PROXY_REQUEST:
        case SSL_R_UNEXPECTED_EOF_WHILE_READING:
        case SSL_R_UNKNOWN_PROTOCOL:
        case SSL_R_RECORD_LENGTH_MISMATCH:
        case SSL_R_LENGTH_TOO_SHORT:
        case SSL_R_UNEXPECTED_RECORD:
        case SSL_R_UNEXPECTED_MESSAGE:
            return true;
        default:
            return false;
    }
}

}  // namespace

handshake_failure classify_handshake_failure(int ssl_error, int saved_errno) {
    handshake_failure failure;
    if (ssl_error == SSL_ERROR_ZERO_RETURN ||
        (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
        // Closed or reset in the middle of our handshake: a plaintext xfer drops a frame whose
        // "length" is a TLS record header; other services hang up on what they cannot parse.
        failure.code = make_error_code(errc::not_tls);
        failure.detail = saved_errno == 0 ? std::string("connection closed during the handshake")
                                          : std::strerror(saved_errno);
        ERR_clear_error();
        return failure;
    }
    const bool garbage = not_tls_records(ERR_peek_error());
    failure.code = make_error_code(garbage ? errc::not_tls : errc::tls_failed);
    failure.detail = identity::openssl_error_text();
    return failure;
}

}  // namespace xfer::tls
