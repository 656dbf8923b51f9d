#include "shared/identity/certificate.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace xfer::identity {
namespace {

std::string bio_contents(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<size_t>(size)) : std::string();
}

bio_ptr read_only_bio(std::span<const char> bytes) {
    return bio_ptr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

bool set_random_serial(X509* certificate) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
    bytes[0] &= 0x7f;  // a positive INTEGER, as RFC 5280 asks
    std::unique_ptr<BIGNUM, decltype(&BN_free)> number(BN_bin2bn(bytes, sizeof bytes, nullptr),
                                                       BN_free);
    return number &&
           BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate)) != nullptr;
}

}  // namespace

std::string openssl_error_text() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return "unknown OpenSSL error";
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

std::expected<evp_pkey_ptr, std::string> generate_ed25519_key() {
    evp_pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key) return std::unexpected("cannot generate an Ed25519 key: " + openssl_error_text());
    return key;
}

std::expected<x509_ptr, std::string> make_self_signed_certificate(EVP_PKEY* key) {
    x509_ptr certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
        !set_random_serial(certificate.get()) ||
        !X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -86400) ||
        ASN1_TIME_set_string(X509_getm_notAfter(certificate.get()), "99991231235959Z") != 1 ||
        X509_set_pubkey(certificate.get(), key) != 1) {
        return std::unexpected("cannot build a certificate: " + openssl_error_text());
    }
    X509_NAME* name = X509_get_subject_name(certificate.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("xfer"), -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(certificate.get(), name) != 1) {
        return std::unexpected("cannot name a certificate: " + openssl_error_text());
    }
    // Ed25519 signs the message itself: no separate digest (nullptr).
    if (X509_sign(certificate.get(), key, nullptr) <= 0) {
        return std::unexpected("cannot sign a certificate: " + openssl_error_text());
    }
    return certificate;
}

std::vector<uint8_t> public_key_der(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int length = i2d_PUBKEY(key, &der);
    if (length <= 0) return {};
    std::vector<uint8_t> out(der, der + length);
    OPENSSL_free(der);
    return out;
}

std::expected<std::string, std::string> private_key_pem(EVP_PKEY* key) {
    bio_ptr bio(BIO_new(BIO_s_secmem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return std::unexpected("cannot encode the private key: " + openssl_error_text());
    }
    return bio_contents(bio.get());
}

std::expected<std::string, std::string> certificate_pem(X509* certificate) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) {
        return std::unexpected("cannot encode the certificate: " + openssl_error_text());
    }
    return bio_contents(bio.get());
}

std::expected<evp_pkey_ptr, std::string> parse_private_key_pem(std::span<const char> pem) {
    const auto bio = read_only_bio(pem);
    evp_pkey_ptr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    ERR_clear_error();
    if (!key) return std::unexpected("not a PEM private key");
    if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) return std::unexpected("not an Ed25519 key");
    return key;
}

std::expected<x509_ptr, std::string> parse_certificate_pem(std::span<const char> pem) {
    const auto bio = read_only_bio(pem);
    x509_ptr certificate(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    ERR_clear_error();
    if (!certificate) return std::unexpected("not a PEM certificate");
    return certificate;
}

}  // namespace xfer::identity
