#include "shared/pairing/pairing_code.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "shared/pairing/code_limiter.hpp"
#include "shared/pairing/pairing_error.hpp"

namespace xfer::pairing {
namespace {

using namespace std::chrono_literals;

pairing_code amber_forest() {
    return *parse_pairing_code("7-amber-forest");
}

TEST(PairingWords, AreEnoughShortDistinctLowercaseSorted) {
    const auto words = pairing_words();
    ASSERT_EQ(words.size(), 256u);
    for (size_t i = 0; i < words.size(); ++i) {
        EXPECT_GE(words[i].size(), 3u) << words[i];
        EXPECT_LE(words[i].size(), 7u) << words[i];
        for (const char c : words[i]) EXPECT_TRUE(c >= 'a' && c <= 'z') << words[i];
        if (i > 0) {
            EXPECT_LT(words[i - 1], words[i]) << "not sorted or repeated";
        }
    }
}

TEST(PairingCode, CanonicalTextIsNumberAndTwoWords) {
    const auto code = amber_forest();
    EXPECT_EQ(code.number, 7);
    EXPECT_EQ(code.text(), "7-amber-forest");
}

TEST(PairingCode, GeneratedCodesParseBackAndVary) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto code = generate_pairing_code();
        EXPECT_GE(code.number, 1);
        EXPECT_LE(code.number, max_code_number);
        const auto text = code.text();
        EXPECT_EQ(text.find(' '), std::string::npos);
        const auto parsed = parse_pairing_code(text);
        ASSERT_TRUE(parsed) << text << ": " << parsed.error();
        EXPECT_EQ(*parsed, code);
        seen.insert(text);
    }
    // 200 draws from ~65 million codes: a repeat would mean the generator is broken.
    EXPECT_GE(seen.size(), 199u);
}

TEST(PairingCode, ParserToleratesHowPeopleType) {
    for (const char* typed :
         {"7-amber-forest", "7 amber forest", "7-AMBER-Forest", "  7 - amber - forest ",
          "7amber-forest", "007_amber.forest", "-7-amber-forest-", "7--amber  forest"}) {
        const auto parsed = parse_pairing_code(typed);
        ASSERT_TRUE(parsed) << typed << ": " << parsed.error();
        EXPECT_EQ(parsed->text(), "7-amber-forest") << typed;
    }
}

TEST(PairingCode, ParserSaysWhatIsWrong) {
    EXPECT_NE(parse_pairing_code("7-amber-forrest").error().find("'forrest' is not a word"),
              std::string::npos);
    EXPECT_NE(parse_pairing_code("0-amber-forest").error().find("1 to 999"), std::string::npos);
    EXPECT_NE(parse_pairing_code("1000-amber-forest").error().find("1 to 999"), std::string::npos);
    EXPECT_NE(parse_pairing_code("amber-forest").error().find("a number and two words"),
              std::string::npos);
    EXPECT_NE(parse_pairing_code("7-amber-forest-lake").error().find("a number and two words"),
              std::string::npos);
    EXPECT_NE(parse_pairing_code("7-amber-7").error().find("a number and two words"),
              std::string::npos);
    EXPECT_NE(parse_pairing_code("7-amber;forest").error().find("only letters"), std::string::npos);
    EXPECT_FALSE(parse_pairing_code(""));
    EXPECT_FALSE(parse_pairing_code(std::string(100000, '7')));
}

TEST(CodeLimiter, GivesTheCodeTextForEachAttemptUntilThreeAreUsed) {
    const auto start = std::chrono::steady_clock::time_point{} + 1h;
    code_limiter limiter(amber_forest(), start);
    for (int i = 0; i < 3; ++i) {
        const auto text = limiter.begin_attempt(start + 1s);
        ASSERT_TRUE(text);
        EXPECT_EQ(*text, "7-amber-forest");
    }
    EXPECT_EQ(limiter.attempts_left(), 0u);
    const auto fourth = limiter.begin_attempt(start + 2s);
    ASSERT_FALSE(fourth);
    EXPECT_EQ(fourth.error(), pairing_errc::too_many_attempts);
}

TEST(CodeLimiter, ExpiresAfterItsLifetime) {
    const auto start = std::chrono::steady_clock::time_point{} + 1h;
    code_limiter limiter(amber_forest(), start, code_policy{5min, 3});
    EXPECT_TRUE(limiter.begin_attempt(start + 5min - 1s));
    const auto late = limiter.begin_attempt(start + 5min);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error(), pairing_errc::code_expired);
}

TEST(CodeLimiter, IsOneTimeUse) {
    const auto start = std::chrono::steady_clock::time_point{} + 1h;
    code_limiter limiter(amber_forest(), start);
    ASSERT_TRUE(limiter.begin_attempt(start));
    limiter.attempt_succeeded();
    const auto again = limiter.begin_attempt(start + 1s);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), pairing_errc::code_used);
}

}  // namespace
}  // namespace xfer::pairing
