// Peer IDs: 56 base32 characters with Luhn mod 32 check characters, 8 dashed groups of 7;
// parsing forgives case, dashes and look-alikes but never a wrong character.
#include <gtest/gtest.h>

#include <string>

#include "shared/identity/peer_id.hpp"

namespace xfer::identity {
namespace {

peer_id sample_id(uint8_t seed) {
    peer_id id;
    for (size_t i = 0; i < id.digest.size(); ++i)
        id.digest[i] = static_cast<uint8_t>(seed * 37 + i * 11);
    return id;
}

TEST(PeerId, FormatIsEightDashedGroupsOfSeven) {
    const auto text = format_peer_id(sample_id(1));
    ASSERT_EQ(text.size(), 63u) << text;
    for (size_t i = 0; i < text.size(); ++i) {
        if (i % 8 == 7) {
            EXPECT_EQ(text[i], '-') << text;
        } else {
            EXPECT_NE(std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").find(text[i]),
                      std::string::npos)
                << text;
        }
    }
}

TEST(PeerId, KnownValue) {
    // SHA-256 of nothing: e3b0c442... Its RFC 4648 base32 (from Python's base64.b32encode, padding
    // dropped) is what the ID holds between its check characters.
    peer_id id;
    const uint8_t empty_sha256[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
                                      0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
                                      0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
                                      0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
    std::copy(std::begin(empty_sha256), std::end(empty_sha256), id.digest.begin());
    std::string plain;
    for (const char c : format_peer_id(id)) {
        if (c != '-') plain.push_back(c);
    }
    ASSERT_EQ(plain.size(), 56u);
    std::string without_checks;
    for (size_t i = 0; i < plain.size(); ++i) {
        if (i % 14 != 13) without_checks.push_back(plain[i]);
    }
    EXPECT_EQ(without_checks, "4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ");
    EXPECT_EQ(peer_id_of_public_key({}), id) << "the ID is the SHA-256 of the key's DER bytes";
}

TEST(PeerId, RoundTripsAndForgivesFormatting) {
    for (uint8_t seed = 0; seed < 50; ++seed) {
        const auto id = sample_id(seed);
        const auto text = format_peer_id(id);
        const auto parsed = parse_peer_id(text);
        ASSERT_TRUE(parsed) << text << ": " << parsed.error();
        EXPECT_EQ(*parsed, id);
        std::string loose;
        for (const char c : text) {
            if (c == '-') {
                loose += ' ';
                continue;
            }
            loose.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
        EXPECT_EQ(parse_peer_id(loose), id) << loose;
        std::string look_alikes = text;
        for (char& c : look_alikes) {
            if (c == 'O') c = '0';
            if (c == 'I') c = '1';
            if (c == 'B') c = '8';
        }
        EXPECT_EQ(parse_peer_id(look_alikes), id) << look_alikes;
    }
}

TEST(PeerId, EverySingleCharacterTypoIsCaught) {
    const auto text = format_peer_id(sample_id(3));
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    for (size_t at = 0; at < text.size(); ++at) {
        if (text[at] == '-') continue;
        for (const char replacement : alphabet) {
            if (replacement == text[at]) continue;
            auto typo = text;
            typo[at] = replacement;
            EXPECT_FALSE(parse_peer_id(typo)) << typo;
        }
    }
}

TEST(PeerId, BadTextSaysWhatIsWrong) {
    const auto text = format_peer_id(sample_id(4));
    EXPECT_NE(parse_peer_id(text.substr(0, 62)).error().find("55 characters"), std::string::npos);
    EXPECT_NE(parse_peer_id(text + "A").error().find("57 characters"), std::string::npos);
    EXPECT_NE(parse_peer_id("").error().find("0 characters"), std::string::npos);
    auto bad = text;
    bad[3] = '9';
    EXPECT_NE(parse_peer_id(bad).error().find("'9'"), std::string::npos);
    auto swapped = text;
    std::swap(swapped[0], swapped[1]);
    if (swapped != text) {
        const auto parsed = parse_peer_id(swapped);
        ASSERT_FALSE(parsed) << "a swap of neighbours";
        EXPECT_NE(parsed.error().find("typo"), std::string::npos) << parsed.error();
    }
}

}  // namespace
}  // namespace xfer::identity
