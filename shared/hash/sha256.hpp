// SHA-256 through OpenSSL EVP: the one digest xfer uses for pieces and manifests.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <span>

#include "shared/core/ids.hpp"

namespace xfer {

// Incremental hasher; owns its EVP_MD_CTX. Reusable after finish() via reset().
class sha256_hasher {
  public:
    sha256_hasher();
    void reset();
    void update(std::span<const uint8_t> data);
    sha256_digest finish();

  private:
    struct ctx_deleter {
        void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
    };
    std::unique_ptr<EVP_MD_CTX, ctx_deleter> ctx_;
};

sha256_digest sha256(std::span<const uint8_t> data);

}  // namespace xfer
