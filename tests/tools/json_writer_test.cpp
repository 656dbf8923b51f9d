// The --json writer: exact output for ordinary values, and valid JSON (and valid UTF-8 with no
// control character once decoded) for hostile strings: quotes, backslashes, newlines, escape
// sequences, C1 controls, invalid UTF-8, every single byte.
#include "tools/xfer/json_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace xfer::cli {
namespace {

// A strict check of one JSON string literal (RFC 8259): quotes around it, no raw byte below
// 0x20, only the escapes the grammar allows, and well-formed UTF-8 (no overlong forms, no
// surrogates). Returns "" or what is wrong.
std::string json_string_problem(const std::string& literal) {
    if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') return "no quotes";
    for (size_t i = 1; i + 1 < literal.size(); ++i) {
        const auto byte = static_cast<unsigned char>(literal[i]);
        if (byte < 0x20) return "raw control byte at " + std::to_string(i);
        if (byte == '"') return "unescaped quote at " + std::to_string(i);
        if (byte == '\\') {
            const char next = literal[++i];
            if (next == 'u') {
                if (i + 4 >= literal.size() - 1) return "short \\u escape";
                for (int k = 1; k <= 4; ++k) {
                    if (!std::isxdigit(static_cast<unsigned char>(literal[i + k])))
                        return "bad \\u escape";
                }
                i += 4;
            } else if (std::string("\"\\/bfnrt").find(next) == std::string::npos) {
                return std::string("bad escape \\") + next;
            }
            continue;
        }
        if (byte >= 0x80) {
            size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0;
            if (length == 0 || byte > 0xF4) return "bad UTF-8 lead at " + std::to_string(i);
            for (size_t k = 1; k < length; ++k) {
                if (i + k >= literal.size() - 1 ||
                    (static_cast<unsigned char>(literal[i + k]) & 0xC0) != 0x80)
                    return "truncated UTF-8 at " + std::to_string(i);
            }
            const auto second = static_cast<unsigned char>(literal[i + 1]);
            if ((byte == 0xE0 && second < 0xA0) || (byte == 0xF0 && second < 0x90))
                return "overlong UTF-8 at " + std::to_string(i);
            if ((byte == 0xED && second >= 0xA0) || (byte == 0xF4 && second >= 0x90))
                return "surrogate or out-of-range UTF-8 at " + std::to_string(i);
            i += length - 1;
        }
    }
    return "";
}

TEST(JsonWriter, OrdinaryValuesAreWrittenExactly) {
    json_object line("done");
    line.text("path", "isos/debian.iso")
        .number("bytes", 18446744073709551615ull)
        .signed_number("delta", -5)
        .real("seconds", 1.5)
        .boolean("whole_file", true)
        .boolean("resumed", false)
        .null("eta");
    EXPECT_EQ(line.str(),
              R"({"event":"done","path":"isos/debian.iso","bytes":18446744073709551615,)"
              R"("delta":-5,"seconds":1.500,"whole_file":true,"resumed":false,"eta":null})");
}

TEST(JsonWriter, NestedArraysAndObjects) {
    json_array sources;
    sources.object(json_object().text("address", "10.0.0.1:7420").number("bytes", 3));
    sources.object(json_object());
    json_array names;
    names.text("a").text("b");
    EXPECT_EQ(json_object("progress").array("sources", sources).array("names", names).str(),
              R"({"event":"progress","sources":[{"address":"10.0.0.1:7420","bytes":3},{}],)"
              R"("names":["a","b"]})");
    EXPECT_EQ(json_array().str(), "[]");
}

TEST(JsonWriter, NonFiniteNumbersBecomeNull) {
    EXPECT_EQ(json_object().real("a", std::nan("")).str(), R"({"a":null})");
    EXPECT_EQ(json_object().real("a", std::numeric_limits<double>::infinity()).str(),
              R"({"a":null})");
}

TEST(JsonWriter, QuotesAndBackslashesAreEscaped) {
    // safe_text shows a backslash as two; JSON escapes each of those.
    EXPECT_EQ(json_string(R"(say "hi" \ bye)"), R"("say \"hi\" \\\\ bye")");
}

TEST(JsonWriter, ControlBytesAreShownAsSafeTextEscapesNeverRaw) {
    // ESC [ 2 J becomes the six visible characters \x1b[2J, whose backslash JSON escapes.
    EXPECT_EQ(json_string("a\x1b[2Jb\nc\td\x7f"), R"("a\\x1b[2Jb\\x0ac\\x09d\\x7f")");
    // A C1 CSI in UTF-8 and a right-to-left override.
    EXPECT_EQ(json_string("x\xc2\x9by\xe2\x80\xaez"), R"("x\\u009by\\u202ez")");
}

TEST(JsonWriter, InvalidUtf8BecomesByteEscapesAndTheResultIsValid) {
    const std::string hostile = "\xff\xfe\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82";
    const auto literal = json_string(hostile);
    EXPECT_EQ(json_string_problem(literal), "") << literal;
    EXPECT_EQ(literal, R"("\\xff\\xfe\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xe2\\x82")");
}

TEST(JsonWriter, PrintableUtf8IsKeptAsItIs) {
    EXPECT_EQ(json_string("café 日本 🎉"), "\"café 日本 🎉\"");
}

TEST(JsonWriter, EveryByteAndEveryPairOfBytesGivesAValidString) {
    for (int first = 0; first < 256; ++first) {
        const std::string one(1, static_cast<char>(first));
        ASSERT_EQ(json_string_problem(json_string(one)), "") << "byte " << first;
        for (int second = 0; second < 256; ++second) {
            const std::string two{static_cast<char>(first), static_cast<char>(second)};
            ASSERT_EQ(json_string_problem(json_string(two)), "")
                << "bytes " << first << " " << second;
        }
    }
}

TEST(JsonWriter, KeysAreEscapedToo) {
    EXPECT_EQ(json_object().number("a\"b", 1).str(), R"({"a\"b":1})");
}

}  // namespace
}  // namespace xfer::cli
