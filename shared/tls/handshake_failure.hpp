// Why a TLS handshake failed, in the terms a user needs: a peer that does not speak TLS at all
// (a plaintext xfer from before 0.2, another service on that port: errc::not_tls) is told apart
// from a TLS peer that refused or failed the handshake (errc::tls_failed, OpenSSL's reason).
#pragma once

#include <string>
#include <system_error>

namespace xfer::tls {

struct handshake_failure {
    std::error_code code;
    std::string detail;  // OpenSSL's reason, for the log
};

// `ssl_error` is SSL_get_error's answer, `saved_errno` errno right after it. Reads (and clears)
// OpenSSL's error queue.
handshake_failure classify_handshake_failure(int ssl_error, int saved_errno);

}  // namespace xfer::tls
