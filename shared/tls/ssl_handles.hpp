// RAII owners of OpenSSL's TLS objects (the identity's key and certificate owners are in
// shared/identity/openssl_handles.hpp).
#pragma once

#include <openssl/ssl.h>

#include <memory>

namespace xfer::tls {

struct ssl_deleter {
    void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
    void operator()(SSL* connection) const { SSL_free(connection); }
};

using ssl_ctx_ptr = std::unique_ptr<SSL_CTX, ssl_deleter>;
using ssl_ptr = std::unique_ptr<SSL, ssl_deleter>;

}  // namespace xfer::tls
