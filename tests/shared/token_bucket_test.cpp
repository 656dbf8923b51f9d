// The rate limiter's arithmetic, with exact times: what it allows, when it wakes, and that many
// small steps add up to exactly what one large step does.
#include "shared/core/token_bucket.hpp"

#include <gtest/gtest.h>

namespace xfer {
namespace {

using namespace std::chrono_literals;
using clock = token_bucket::clock;

const clock::time_point t0{std::chrono::seconds(1000)};

TEST(TokenBucket, StartsFullAndNeverHoldsMoreThanTheBurst) {
    token_bucket bucket(1000, 500, t0);
    EXPECT_EQ(bucket.balance(t0), 500);
    EXPECT_TRUE(bucket.ready(t0));
    EXPECT_EQ(bucket.balance(t0 + 10s), 500);
}

TEST(TokenBucket, EarnsExactlyTheRateOverTime) {
    token_bucket bucket(1000, 5000, t0);
    bucket.spend(5000, t0);
    EXPECT_EQ(bucket.balance(t0), 0);
    EXPECT_FALSE(bucket.ready(t0));
    EXPECT_EQ(bucket.balance(t0 + 1ms), 1);
    EXPECT_EQ(bucket.balance(t0 + 2500ms), 2500);
    EXPECT_EQ(bucket.balance(t0 + 5s), 5000);
}

TEST(TokenBucket, FractionsOfATokenAreCarriedNotLost) {
    // 3 bytes/s: a third of a token per 111'111'111 ns step would round to 0 every time.
    token_bucket bucket(3, 10, t0);
    bucket.spend(10, t0);
    auto now = t0;
    for (int i = 0; i < 9; ++i) {
        now += 111'111'111ns;
        bucket.ready(now);
    }
    now += 1ns * (1'000'000'000 - 9 * 111'111'111);  // exactly one second after t0
    EXPECT_EQ(bucket.balance(now), 3);
}

TEST(TokenBucket, DebtIsPaidBackBeforeItIsReadyAgain) {
    token_bucket bucket(1000, 100, t0);
    bucket.spend(1100, t0);  // a read of 1100 bytes with 100 tokens: 1000 in debt
    EXPECT_EQ(bucket.balance(t0), -1000);
    EXPECT_FALSE(bucket.ready(t0 + 999ms));
    EXPECT_EQ(bucket.balance(t0 + 1s), 0);
    EXPECT_FALSE(bucket.ready(t0 + 1s));
    EXPECT_TRUE(bucket.ready(t0 + 1001ms));
}

TEST(TokenBucket, NextReadyIsTheFirstInstantWithAToken) {
    token_bucket bucket(1000, 100, t0);
    EXPECT_EQ(bucket.next_ready(t0), t0);
    bucket.spend(1100, t0);
    const auto wake = bucket.next_ready(t0);
    EXPECT_EQ(wake, t0 + 1001ms);
    EXPECT_FALSE(bucket.ready(wake - 1ns));
    EXPECT_TRUE(bucket.ready(wake));
}

TEST(TokenBucket, NextReadyRoundsUpSoTheLoopNeverWakesEarly) {
    token_bucket bucket(3, 1, t0);  // one token takes 333'333'333.3 ns
    bucket.spend(1, t0);
    const auto wake = bucket.next_ready(t0);
    EXPECT_EQ(wake, t0 + 333'333'334ns);
    EXPECT_TRUE(bucket.ready(wake));
}

TEST(TokenBucket, AClockThatGoesBackAddsNothing) {
    token_bucket bucket(1000, 1000, t0);
    bucket.spend(1000, t0);
    EXPECT_EQ(bucket.balance(t0 - 5s), 0);
    EXPECT_EQ(bucket.balance(t0 + 1s), 1000);
}

TEST(TokenBucket, OverAnyIntervalAtMostBurstPlusRateTimesTimePlusOneChunkMoves) {
    // A loop that moves 64 KiB whenever it is ready, for 10 s of simulated time at 1 MiB/s.
    const uint64_t rate = 1 << 20;
    token_bucket bucket(rate, token_bucket::default_burst(rate), t0);
    const uint64_t chunk = 64 * 1024;
    uint64_t moved = 0;
    auto now = t0;
    while (now < t0 + 10s) {
        if (bucket.ready(now)) {
            bucket.spend(chunk, now);
            moved += chunk;
        } else {
            now = bucket.next_ready(now);
        }
    }
    EXPECT_LE(moved, bucket.burst() + rate * 10 + chunk);
    EXPECT_GE(moved, rate * 10);  // and the limit is not stricter than asked
}

TEST(TokenBucket, HugeRatesAndLongGapsDoNotOverflow) {
    token_bucket bucket(token_bucket::max_rate, token_bucket::max_burst, t0);
    bucket.spend(token_bucket::max_burst, t0);
    bucket.spend(token_bucket::max_burst, t0);
    EXPECT_EQ(bucket.balance(t0), -static_cast<int64_t>(token_bucket::max_burst));
    EXPECT_EQ(bucket.balance(t0 + std::chrono::hours(24 * 365 * 100)),
              static_cast<int64_t>(token_bucket::max_burst));
}

TEST(TokenBucket, DefaultBurstIsAQuarterSecondButAtLeast64KiB) {
    EXPECT_EQ(token_bucket::default_burst(1000), 64u * 1024);
    EXPECT_EQ(token_bucket::default_burst(40'000'000), 10'000'000u);
}

}  // namespace
}  // namespace xfer
