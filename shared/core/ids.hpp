// Fixed-size identifiers: a content id (SHA-256 of a manifest) and a peer id (random per run).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xfer {

using content_id = std::array<uint8_t, 32>;
using peer_id = std::array<uint8_t, 16>;
using sha256_digest = std::array<uint8_t, 32>;

std::string to_hex(const uint8_t* data, size_t size);
template <size_t N>
std::string to_hex(const std::array<uint8_t, N>& bytes) {
    return to_hex(bytes.data(), N);
}
// Parses exactly 2*N hex digits.
template <size_t N>
std::optional<std::array<uint8_t, N>> from_hex(std::string_view text);

// A fresh random peer id (OpenSSL RAND_bytes).
peer_id random_peer_id();

}  // namespace xfer
