// A peer ID: who a peer is, as a person can read, compare and type it. Modelled on Syncthing's
// device ID: the SHA-256 of the peer's public key (DER SubjectPublicKeyInfo), all 256 bits, in
// RFC 4648 base32 (52 characters), cut into 4 runs of 13 with a Luhn mod 32 check character
// after each (56), shown as 8 groups of 7 joined by dashes:
//
//   LOXXD2R-57223BL-A2BQTR3-WMN7POA-HIPTJV6-KNHPERF-TQXBBQW-MJE55Q7
//
// Why all 256 bits: an ID is checked against a key that an attacker may choose freely, so its
// strength is a second preimage of the truncated hash; 256 bits leave no margin to argue about
// and cost the reader nothing, since people compare the first and last groups anyway. The
// check characters catch a mistyped character (and most swaps of neighbours) before any lookup.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace xfer::identity {

struct peer_id {
    std::array<uint8_t, 32> digest{};  // SHA-256 of the DER public key
    auto operator<=>(const peer_id&) const = default;
};

peer_id peer_id_of_public_key(std::span<const uint8_t> der_public_key);

// The 63-character display form above.
std::string format_peer_id(const peer_id& id);

// Accepts the display form, with or without dashes and spaces, in either case, and with the
// look-alikes 0, 1, 8 read as O, I, B (none is a base32 character). Fails with a sentence that
// says what is wrong: length, a character, or which group's check character does not match.
std::expected<peer_id, std::string> parse_peer_id(std::string_view text);

}  // namespace xfer::identity
