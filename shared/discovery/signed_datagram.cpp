#include "shared/discovery/signed_datagram.hpp"

#include <cstdlib>
#include <memory>

#include "shared/core/error.hpp"
#include "shared/identity/certificate.hpp"

namespace xfer::discovery::lan {

namespace {

struct md_ctx_deleter {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;

const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

std::unexpected<std::error_code> fail(errc code) {
    return std::unexpected(make_error_code(code));
}

}  // namespace

datagram_signer::datagram_signer(EVP_PKEY* key) : key_(key) {
    EVP_PKEY_up_ref(key_);
    unsigned char raw[public_key_bytes];
    size_t length = sizeof raw;
    // Only an Ed25519 identity key gets here (identity_store refuses anything else).
    if (EVP_PKEY_get_raw_public_key(key_, raw, &length) != 1 || length != sizeof raw) std::abort();
    public_key_.assign(reinterpret_cast<const char*>(raw), sizeof raw);
    id_ = identity::peer_id_of_public_key(identity::public_key_der(key_));
}

datagram_signer::~datagram_signer() {
    EVP_PKEY_free(key_);
}

std::string datagram_signer::sign(std::string body) const {
    auto trailer = signature_trailer({}, body);
    return body + trailer;
}

std::string datagram_signer::signature_trailer(std::string_view domain,
                                               std::string_view body) const {
    std::string message;
    message.reserve(domain.size() + body.size() + public_key_.size());
    message.append(domain).append(body).append(public_key_);
    md_ctx_ptr context(EVP_MD_CTX_new());
    unsigned char signature[signature_bytes];
    size_t length = sizeof signature;
    if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_) != 1 ||
        EVP_DigestSign(context.get(), signature, &length, bytes_of(message), message.size()) != 1 ||
        length != sizeof signature) {
        std::abort();  // Ed25519 signing fails only when memory does
    }
    return public_key_ + std::string(reinterpret_cast<const char*>(signature), sizeof signature);
}

std::expected<identity::peer_id, std::error_code> verify_trailer(std::string_view domain,
                                                                 std::string_view body,
                                                                 std::string_view trailer) {
    if (trailer.size() != signature_trailer_bytes) return fail(errc::frame_truncated);
    const auto raw_key = trailer.substr(0, public_key_bytes);
    const auto signature = trailer.substr(public_key_bytes);
    identity::evp_pkey_ptr key(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(raw_key), raw_key.size()));
    if (!key) return fail(errc::malformed_message);
    std::string message;
    message.reserve(domain.size() + body.size() + raw_key.size());
    message.append(domain).append(body).append(raw_key);
    md_ctx_ptr context(EVP_MD_CTX_new());
    if (!context ||
        EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestVerify(context.get(), bytes_of(signature), signature.size(), bytes_of(message),
                         message.size()) != 1) {
        return fail(errc::malformed_message);
    }
    return identity::peer_id_of_public_key(identity::public_key_der(key.get()));
}

std::expected<verified_datagram, std::error_code> verify_datagram(std::string_view datagram) {
    if (datagram.size() < signature_trailer_bytes) return fail(errc::frame_truncated);
    const auto body = datagram.substr(0, datagram.size() - signature_trailer_bytes);
    auto signer = verify_trailer({}, body, datagram.substr(body.size()));
    if (!signer) return std::unexpected(signer.error());
    return verified_datagram{body, *signer};
}

}  // namespace xfer::discovery::lan
