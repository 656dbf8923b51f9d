// The backoff and budget of connecting to a dropped source again, with exact times.
#include "receiver/source_retries.hpp"

#include <gtest/gtest.h>

namespace xfer::receiver {
namespace {

using std::chrono::milliseconds;
using clock = source_retries::clock;

const net::endpoint a{"10.0.0.1", 7000};
const net::endpoint b{"10.0.0.2", 7000};
const clock::time_point t0{};

TEST(SourceRetries, BackoffDoublesUpTo1600Ms) {
    source_retries retries;
    const std::vector<int> expected = {100, 200, 400, 800, 1600, 1600};
    auto now = t0;
    for (const int delay : expected) {
        ASSERT_EQ(retries.after_drop(a, false, /*discovered=*/true, now), milliseconds(delay));
        EXPECT_TRUE(retries.take_due(now + milliseconds(delay - 1)).empty());
        now += milliseconds(delay);
        EXPECT_EQ(retries.take_due(now), std::vector<net::endpoint>{a});
        EXPECT_TRUE(retries.empty());
    }
    EXPECT_EQ(retries.attempts(a.to_string()), 6);
}

TEST(SourceRetries, ASourceThatDeliveredStartsOver) {
    source_retries retries;
    for (int i = 0; i < 4; ++i) (void)retries.after_drop(a, false, true, t0);
    retries.delivered(a.to_string());
    EXPECT_EQ(retries.attempts(a.to_string()), 0);
    EXPECT_EQ(retries.after_drop(a, false, true, t0), milliseconds(100));
}

TEST(SourceRetries, ADiscoveredPeerHasABudgetAPartnerNotUpHasATimeWindow) {
    source_retries retries;
    for (int i = 0; i < source_retries::max_discovery_attempts; ++i)
        ASSERT_TRUE(retries.after_drop(a, false, true, t0)) << i;
    EXPECT_FALSE(retries.after_drop(a, false, true, t0));
    // The window is the caller's: while it is open, the partner is asked again regardless.
    EXPECT_TRUE(retries.after_drop(a, /*partner_not_up=*/true, false, t0));
    // A source named on the command line, up and dropped: not asked again.
    EXPECT_FALSE(retries.after_drop(b, false, false, t0));
    EXPECT_EQ(retries.attempts(b.to_string()), 0);
}

TEST(SourceRetries, ASourceThatLeftIsNotAskedAgain) {
    source_retries retries;
    (void)retries.after_drop(a, false, true, t0);
    (void)retries.after_drop(b, false, true, t0);
    retries.forget(a);
    EXPECT_EQ(retries.take_due(t0 + milliseconds(100)), std::vector<net::endpoint>{b});
}

}  // namespace
}  // namespace xfer::receiver
