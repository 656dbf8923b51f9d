// The code rotation of a sender: one code at a time, replaced (and announced) once it paired,
// expired or spent its tries, never while an exchange still holds it; the clock is passed in.
#include "sender/pairing_codes.hpp"

#include <gtest/gtest.h>

#include "shared/pairing/pairing_error.hpp"

namespace xfer::sender {
namespace {

using namespace std::chrono_literals;
using time_point = pairing_codes::time_point;
using cause = code_announcement::cause;

// Codes 1-a-a, 2-a-a, ... so each replacement is told apart.
struct numbered_codes {
    uint16_t next = 1;
    pairing::pairing_code operator()() { return {next++, 0, 0}; }
};

pairing::code_policy policy() {
    return {std::chrono::minutes(10), 3};
}

const time_point t0{std::chrono::hours(1)};

std::string first_word() {
    return std::string(pairing::pairing_words()[0]);
}

std::string code_text(int number) {
    return std::to_string(number) + "-" + first_word() + "-" + first_word();
}

TEST(PairingCodes, TheFirstRefreshIssuesACodeAndLaterOnesKeepIt) {
    pairing_codes codes(policy(), numbered_codes{});
    EXPECT_EQ(codes.lease(), nullptr);
    const auto first = codes.refresh(t0);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->code, code_text(1));
    EXPECT_EQ(first->replaces, cause::first);
    EXPECT_EQ(first->lifetime, std::chrono::minutes(10));
    EXPECT_EQ(replacement_reason(first->replaces), "");
    EXPECT_FALSE(codes.refresh(t0 + 9min));
    EXPECT_EQ(codes.lease()->code().text(), code_text(1));
}

TEST(PairingCodes, AnExpiredCodeIsReplacedAndSaysSo) {
    pairing_codes codes(policy(), numbered_codes{});
    codes.refresh(t0);
    EXPECT_FALSE(codes.refresh(t0 + 10min - 1ms));
    const auto next = codes.refresh(t0 + 10min);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->code, code_text(2));
    EXPECT_EQ(next->replaces, cause::expired);
    EXPECT_EQ(replacement_reason(next->replaces), "the previous code expired");
    // The new one lives its own lifetime from when it was issued.
    EXPECT_FALSE(codes.refresh(t0 + 19min));
    EXPECT_TRUE(codes.refresh(t0 + 20min));
}

TEST(PairingCodes, AUsedCodeIsReplacedAtOnce) {
    pairing_codes codes(policy(), numbered_codes{});
    codes.refresh(t0);
    {
        auto leased = codes.lease();
        ASSERT_TRUE(leased->begin_attempt(t0 + 1s));
        leased->attempt_succeeded();
    }
    const auto next = codes.refresh(t0 + 2s);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->replaces, cause::paired);
    EXPECT_EQ(codes.lease()->code().text(), code_text(2));
}

TEST(PairingCodes, SpentTriesReplaceTheCodeOnceNoExchangeHoldsIt) {
    pairing_codes codes(policy(), numbered_codes{});
    codes.refresh(t0);
    auto last_try = codes.lease();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(last_try->begin_attempt(t0 + 1s));
    EXPECT_FALSE(codes.lease()->begin_attempt(t0 + 2s)) << "a fourth try, even with the code";
    // The third exchange is still in flight: it may yet pair, so the code stays.
    EXPECT_FALSE(codes.refresh(t0 + 2s));
    EXPECT_EQ(codes.lease(), last_try);
    last_try.reset();  // that exchange ended (wrong code)
    const auto next = codes.refresh(t0 + 3s);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->replaces, cause::tries_spent);
    EXPECT_EQ(next->code, code_text(2));
    EXPECT_TRUE(codes.lease()->begin_attempt(t0 + 4s)) << "the new code takes tries again";
}

TEST(PairingCodes, ALeasedCodeOutlivesItsReplacement) {
    pairing_codes codes(policy(), numbered_codes{});
    codes.refresh(t0);
    auto in_flight = codes.lease();
    ASSERT_TRUE(in_flight->begin_attempt(t0 + 1s));
    ASSERT_TRUE(codes.refresh(t0 + 11min)) << "expired meanwhile";
    // The exchange that began before still settles against its own code.
    EXPECT_EQ(in_flight->code().text(), code_text(1));
    in_flight->attempt_succeeded();
    EXPECT_FALSE(codes.lease()->used()) << "the new code is untouched";
}

}  // namespace
}  // namespace xfer::sender
