#include "shared/pairing/pairing_code.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace xfer::pairing {

namespace {

// Uniform in [0, bound): rejection sampling over 32-bit draws, so no value is favoured.
uint32_t uniform_below(uint32_t bound) {
    const uint32_t limit = UINT32_MAX - UINT32_MAX % bound;
    for (;;) {
        uint32_t draw = 0;
        // RAND_bytes fails only when the CSPRNG cannot be seeded: no safe code can be made.
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&draw), sizeof draw) != 1) std::abort();
        if (draw < limit) return draw % bound;
    }
}

bool is_separator(char c) {
    return c == '-' || c == ' ' || c == '_' || c == '.' || c == '\t';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Runs of digits and runs of letters; separators end a run and are dropped.
std::expected<std::vector<std::string>, std::string> tokens_of(std::string_view typed) {
    std::vector<std::string> tokens;
    bool in_digits = false;
    for (const char c : typed) {
        if (is_separator(c)) {
            tokens.emplace_back();
            continue;
        }
        if (!is_digit(c) && !is_letter(c)) {
            return std::unexpected("a pairing code has only letters, digits and hyphens");
        }
        if (tokens.empty() || (!tokens.back().empty() && is_digit(c) != in_digits)) {
            tokens.emplace_back();
        }
        in_digits = is_digit(c);
        tokens.back().push_back(lower(c));
        if (tokens.size() > 8) break;  // far too many parts already; no need to read on
    }
    std::erase_if(tokens, [](const std::string& token) { return token.empty(); });
    return tokens;
}

std::expected<uint8_t, std::string> word_index(const std::string& word) {
    const auto list = pairing_words();
    const auto found = std::lower_bound(list.begin(), list.end(), word);
    if (found == list.end() || *found != word) {
        return std::unexpected("'" + word + "' is not a word of pairing codes");
    }
    return static_cast<uint8_t>(found - list.begin());
}

}  // namespace

std::string pairing_code::text() const {
    const auto list = pairing_words();
    return std::to_string(number) + "-" + std::string(list[first_word]) + "-" +
           std::string(list[second_word]);
}

pairing_code generate_pairing_code() {
    pairing_code code;
    code.number = static_cast<uint16_t>(1 + uniform_below(max_code_number));
    code.first_word = static_cast<uint8_t>(uniform_below(256));
    code.second_word = static_cast<uint8_t>(uniform_below(256));
    return code;
}

std::expected<pairing_code, std::string> parse_pairing_code(std::string_view typed) {
    const auto tokens = tokens_of(typed);
    if (!tokens) return std::unexpected(tokens.error());
    const auto& parts = *tokens;
    if (parts.size() != 3 || !is_digit(parts[0][0]) || !is_letter(parts[1][0]) ||
        !is_letter(parts[2][0])) {
        return std::unexpected("a pairing code is a number and two words, like 7-amber-forest");
    }
    const auto& digits = parts[0];
    const auto significant = digits.find_first_not_of('0');
    if (significant == std::string::npos || digits.size() - significant > 3) {
        return std::unexpected("the number of a pairing code is 1 to " +
                               std::to_string(max_code_number));
    }
    pairing_code code;
    code.number = static_cast<uint16_t>(std::stoi(digits.substr(significant)));
    const auto first = word_index(parts[1]);
    if (!first) return std::unexpected(first.error());
    const auto second = word_index(parts[2]);
    if (!second) return std::unexpected(second.error());
    code.first_word = *first;
    code.second_word = *second;
    return code;
}

}  // namespace xfer::pairing
