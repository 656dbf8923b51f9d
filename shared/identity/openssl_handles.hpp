// RAII owners of the OpenSSL objects the identity code holds (namespace xfer::identity: this
// installation's key and the peer ID made from it; xfer::peer_id in shared/core/ids.hpp is the
// random per-run id of the HELLO exchange, which these will replace).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace xfer::identity {

struct openssl_deleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    void operator()(EVP_PKEY_CTX* context) const { EVP_PKEY_CTX_free(context); }
    void operator()(X509* certificate) const { X509_free(certificate); }
    void operator()(X509_NAME* name) const { X509_NAME_free(name); }
    void operator()(BIO* bio) const { BIO_free(bio); }
};

using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter>;
using evp_pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, openssl_deleter>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter>;

}  // namespace xfer::identity
