// safe_text: what a peer sends is shown, never obeyed, by the terminal.
#include "shared/core/safe_text.hpp"

#include <gtest/gtest.h>

namespace xfer {
namespace {

TEST(SafeText, KeepsPrintableAsciiAndUtf8AsTheyAre) {
    EXPECT_EQ(safe_text("isos/debian-12.iso"), "isos/debian-12.iso");
    EXPECT_EQ(safe_text("r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\x81"),
              "r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\x81");
    EXPECT_EQ(safe_text(""), "");
}

TEST(SafeText, EscapesC0ControlsAndDel) {
    EXPECT_EQ(safe_text("\x1b]0;owned\x07"), "\\x1b]0;owned\\x07");
    EXPECT_EQ(safe_text("a\nb\rc\td"), "a\\x0ab\\x0dc\\x09d");
    EXPECT_EQ(safe_text(std::string_view("x\0y", 3)), "x\\x00y");
    EXPECT_EQ(safe_text("\x7f"), "\\x7f");
}

TEST(SafeText, EscapesC1ControlsEncodedAsUtf8) {
    // U+009B (CSI) as UTF-8 is C2 9B; "CSI 2 J" clears the screen on terminals that honour C1.
    EXPECT_EQ(safe_text("\xc2\x9b"
                        "2J"),
              "\\u009b2J");
    EXPECT_EQ(safe_text("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
    EXPECT_EQ(safe_text("\xc2\xa0"), "\xc2\xa0");  // U+00A0, the first printable one after C1
}

TEST(SafeText, EscapesBidiOverridesAndSeparators) {
    EXPECT_EQ(safe_text("a\xe2\x80\xae"
                        "b"),
              "a\\u202eb");                           // RIGHT-TO-LEFT OVERRIDE
    EXPECT_EQ(safe_text("\xe2\x81\xa6"), "\\u2066");  // LEFT-TO-RIGHT ISOLATE
    EXPECT_EQ(safe_text("\xe2\x80\xa8"), "\\u2028");  // LINE SEPARATOR
}

TEST(SafeText, EscapesEveryByteOfIllFormedUtf8) {
    EXPECT_EQ(safe_text("\x9b"), "\\x9b");                             // a bare C1 byte (8-bit CSI)
    EXPECT_EQ(safe_text("\xc2"), "\\xc2");                             // truncated
    EXPECT_EQ(safe_text("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
    EXPECT_EQ(safe_text("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // overlong, three bytes
    EXPECT_EQ(safe_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
    EXPECT_EQ(safe_text("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
    EXPECT_EQ(safe_text("\xe6\x97"
                        "A"),
              "\\xe6\\x97A");  // cut short by ASCII
    EXPECT_EQ(safe_text("\xff\xfe"), "\\xff\\xfe");
}

TEST(SafeText, ShowsABackslashEscapedSoEscapesCannotBeForged) {
    EXPECT_EQ(safe_text("\\x1b"), "\\\\x1b");
}

TEST(SafeText, OutputNeverHoldsAControlByteForAnyInput) {
    // Every single byte and every pair of bytes: no C0, DEL, bare high byte or C1 sequence
    // survives.
    for (int first = 0; first < 256; ++first) {
        for (int second = 0; second < 256; ++second) {
            const char input[2] = {static_cast<char>(first), static_cast<char>(second)};
            const auto shown = safe_text(std::string_view(input, 2));
            for (size_t i = 0; i < shown.size(); ++i) {
                const auto byte = static_cast<unsigned char>(shown[i]);
                ASSERT_FALSE(byte < 0x20 || byte == 0x7F) << first << " " << second;
                if (byte == 0xC2 && i + 1 < shown.size()) {
                    const auto next = static_cast<unsigned char>(shown[i + 1]);
                    ASSERT_FALSE(next >= 0x80 && next <= 0x9F) << first << " " << second;
                }
            }
        }
    }
}

}  // namespace
}  // namespace xfer
