#include "shared/identity/peer_id.hpp"

#include <cctype>

#include "shared/hash/sha256.hpp"

namespace xfer::identity {
namespace {

constexpr std::string_view base32_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr size_t base32_length = 52;  // ceil(256 / 5)
constexpr size_t run_length = 13;     // 4 runs of 13, each followed by its check character
constexpr size_t checked_length = base32_length + base32_length / run_length;
constexpr size_t group_length = 7;

int base32_value(char c) {
    const auto at = base32_alphabet.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// Luhn mod N (N = 32) over base32 values, doubling from the rightmost character as in Luhn's
// decimal original: the check character makes the weighted sum of the run a multiple of 32.
char luhn_check_character(std::string_view run) {
    int factor = 2;
    int sum = 0;
    for (size_t i = run.size(); i-- > 0;) {
        int addend = factor * base32_value(run[i]);
        factor = factor == 2 ? 1 : 2;
        sum += addend / 32 + addend % 32;
    }
    return base32_alphabet[static_cast<size_t>((32 - sum % 32) % 32)];
}

std::string base32_encode(std::span<const uint8_t, 32> bytes) {
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (const uint8_t byte : bytes) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(base32_alphabet[(buffer >> bits) & 31]);
        }
    }
    if (bits > 0) out.push_back(base32_alphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

}  // namespace

peer_id peer_id_of_public_key(std::span<const uint8_t> der_public_key) {
    return {sha256(der_public_key)};
}

std::string format_peer_id(const peer_id& id) {
    const auto plain = base32_encode(id.digest);
    std::string checked;
    for (size_t run = 0; run < plain.size(); run += run_length) {
        const auto part = std::string_view(plain).substr(run, run_length);
        checked += part;
        checked.push_back(luhn_check_character(part));
    }
    std::string shown;
    for (size_t at = 0; at < checked.size(); at += group_length) {
        if (at > 0) shown.push_back('-');
        shown += checked.substr(at, group_length);
    }
    return shown;
}

std::expected<peer_id, std::string> parse_peer_id(std::string_view text) {
    std::string checked;
    for (const char c : text) {
        if (c == '-' || c == ' ') continue;
        char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (upper == '0') upper = 'O';
        if (upper == '1') upper = 'I';
        if (upper == '8') upper = 'B';
        if (base32_value(upper) < 0) {
            return std::unexpected("not a peer ID: '" + std::string(1, c) +
                                   "' is not one of A-Z, 2-7");
        }
        checked.push_back(upper);
    }
    if (checked.size() != checked_length) {
        return std::unexpected("not a peer ID: it has " + std::to_string(checked.size()) +
                               " characters, not " + std::to_string(checked_length) +
                               " (8 groups of 7)");
    }
    std::string plain;
    for (size_t run = 0; run < base32_length / run_length; ++run) {
        const auto part = std::string_view(checked).substr(run * (run_length + 1), run_length);
        if (luhn_check_character(part) != checked[run * (run_length + 1) + run_length]) {
            return std::unexpected("peer ID has a typo: characters " +
                                   std::to_string(run * (run_length + 1) + 1) + " to " +
                                   std::to_string((run + 1) * (run_length + 1)) +
                                   " do not match their check character");
        }
        plain += part;
    }
    peer_id id;
    uint32_t buffer = 0;
    int bits = 0;
    size_t written = 0;
    for (const char c : plain) {
        buffer = (buffer << 5) | static_cast<uint32_t>(base32_value(c));
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            id.digest[written++] = static_cast<uint8_t>(buffer >> bits);
        }
    }
    // 52 characters carry 260 bits: the last 4 must be zero, or two texts would name one ID.
    if ((buffer & ((1u << bits) - 1)) != 0)
        return std::unexpected("not a peer ID: its last character is impossible");
    return id;
}

}  // namespace xfer::identity
