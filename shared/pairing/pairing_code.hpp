// Pairing codes: what `xfer serve` prints and the user types on the other machine, e.g.
// `7-amber-forest`: one token, no spaces, a number 1..999 and two words from an embedded list
// of 256 short, distinct English words (pairing_words.cpp).
//
// Entropy: log2(999 * 256 * 256) ~ 25.96 bits. The code is only ever the password of a PAKE
// (cpace.hpp), so a recording of the exchange allows no offline guess; online, a code allows
// max_attempts (3) tries before it dies (code_limiter.hpp), so a guesser wins with probability
// 3 / (999 * 65536), about 1 in 22 million, per code.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace xfer::pairing {

inline constexpr uint16_t max_code_number = 999;

struct pairing_code {
    uint16_t number = 1;  // 1..max_code_number
    uint8_t first_word = 0;
    uint8_t second_word = 0;

    // The canonical text, "7-amber-forest": what is printed and what the PAKE uses as its
    // password (PRS), so every way of typing the same code pairs.
    std::string text() const;
    friend bool operator==(const pairing_code&, const pairing_code&) = default;
};

// A fresh code from OpenSSL's CSPRNG, each part uniform.
pairing_code generate_pairing_code();

// Reads a code as a person types it: any case, with hyphens, spaces, underscores or dots
// between the parts (or none between the number and the first word), leading zeros, stray
// separators at either end. Fails with a sentence saying what is wrong (an unknown word, a
// number out of range, the wrong number of parts).
std::expected<pairing_code, std::string> parse_pairing_code(std::string_view typed);

// The embedded word list (256 words, sorted, lowercase letters only).
std::span<const std::string_view> pairing_words();

}  // namespace xfer::pairing
