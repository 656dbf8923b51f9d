#include "shared/pairing/cpace.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>
#include <string_view>

namespace xfer::pairing::cpace {

namespace {

constexpr size_t sha512_block_bytes = 128;  // H.s_in_bytes

bytes as_bytes(std::string_view text) {
    return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

size_t prepend_len_size(size_t length) {
    size_t prefix = 1;
    while (length >= 128) {
        length >>= 7;
        ++prefix;
    }
    return prefix;
}

key64 sha512(bytes data) {
    key64 digest{};
    unsigned int length = 0;
    // EVP_Digest fails only on allocation failure; a zero digest would silently weaken every
    // key, so stop instead.
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha512(), nullptr) != 1 ||
        length != digest.size()) {
        std::abort();
    }
    return digest;
}

void ensure_sodium() {
    // sodium_init is idempotent and thread-safe; -1 means no usable random source.
    static const bool ready = sodium_init() >= 0;
    if (!ready) std::abort();
}

}  // namespace

void append_prepend_len(std::vector<uint8_t>& out, bytes data) {
    size_t length = data.size();
    do {
        uint8_t byte = length & 0x7f;
        length >>= 7;
        if (length != 0) byte |= 0x80;
        out.push_back(byte);
    } while (length != 0);
    out.insert(out.end(), data.begin(), data.end());
}

std::vector<uint8_t> lv_cat(std::initializer_list<bytes> fields) {
    std::vector<uint8_t> out;
    for (const auto field : fields) append_prepend_len(out, field);
    return out;
}

std::vector<uint8_t> generator_string(bytes prs, bytes ci, bytes sid) {
    const auto dsi = as_bytes("CPaceRistretto255");
    const size_t used =
        1 + prepend_len_size(prs.size()) + prs.size() + prepend_len_size(dsi.size()) + dsi.size();
    const size_t zpad_length = used < sha512_block_bytes ? sha512_block_bytes - used : 0;
    const std::vector<uint8_t> zpad(zpad_length, 0);
    return lv_cat({dsi, prs, zpad, ci, sid});
}

point calculate_generator(bytes prs, bytes ci, bytes sid) {
    ensure_sodium();
    auto hash = sha512(generator_string(prs, ci, sid));
    point generator{};
    crypto_core_ristretto255_from_hash(generator.data(), hash.data());
    OPENSSL_cleanse(hash.data(), hash.size());  // derived from the code
    return generator;
}

scalar random_scalar() {
    ensure_sodium();
    scalar y{};
    crypto_core_ristretto255_scalar_random(y.data());
    return y;
}

std::optional<point> scalar_mult_vfy(const scalar& y, const point& X) {
    ensure_sodium();
    point result{};
    // Fails for a non-canonical or invalid encoding and for an identity result.
    if (crypto_scalarmult_ristretto255(result.data(), y.data(), X.data()) != 0) return std::nullopt;
    return result;
}

key64 isk_initiator_responder(bytes sid, const point& K, const point& Ya, bytes ADa,
                              const point& Yb, bytes ADb) {
    auto input = lv_cat({as_bytes("CPaceRistretto255_ISK"), sid, K});
    const auto transcript = lv_cat({Ya, ADa, Yb, ADb});
    input.insert(input.end(), transcript.begin(), transcript.end());
    const auto isk = sha512(input);
    OPENSSL_cleanse(input.data(), input.size());
    return isk;
}

key64 mac_key(bytes sid, const key64& isk) {
    std::vector<uint8_t> input;
    const auto label = as_bytes("CPaceMac");
    input.insert(input.end(), label.begin(), label.end());
    input.insert(input.end(), sid.begin(), sid.end());
    input.insert(input.end(), isk.begin(), isk.end());
    const auto key = sha512(input);
    OPENSSL_cleanse(input.data(), input.size());
    return key;
}

key64 confirmation_tag(const key64& mac_key, const point& Y, bytes AD) {
    const auto message = lv_cat({Y, AD});
    key64 tag{};
    size_t length = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA512", nullptr, mac_key.data(), mac_key.size(),
                  message.data(), message.size(), tag.data(), tag.size(), &length) == nullptr ||
        length != tag.size()) {
        std::abort();
    }
    return tag;
}

bool tags_equal(const key64& a, const key64& b) {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace xfer::pairing::cpace
