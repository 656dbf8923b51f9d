#include "shared/hash/sha256.hpp"

#include <stdexcept>

namespace xfer {
namespace {

// Fetch the implementation once: OpenSSL 3 otherwise looks it up on every EVP_DigestInit.
const EVP_MD* sha256_md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) throw std::runtime_error("OpenSSL has no SHA-256");
    return md;
}

}  // namespace

sha256_hasher::sha256_hasher() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_) throw std::bad_alloc();
    reset();
}

void sha256_hasher::reset() {
    if (EVP_DigestInit_ex(ctx_.get(), sha256_md(), nullptr) != 1) {
        throw std::runtime_error("EVP_DigestInit_ex failed");
    }
}

void sha256_hasher::update(std::span<const uint8_t> data) {
    EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
}

sha256_digest sha256_hasher::finish() {
    sha256_digest digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest.data(), &length);
    return digest;
}

sha256_digest sha256(std::span<const uint8_t> data) {
    sha256_digest digest{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &length, sha256_md(), nullptr);
    return digest;
}

}  // namespace xfer
