// The busy DECLINE as a pure policy: a sender that owes more than half a second of its uplink
// declines new pieces, except to a receiver that is the only one it owes.
#include "sender/upload_backlog.hpp"

#include <gtest/gtest.h>

namespace xfer::sender {
namespace {

using namespace std::chrono_literals;
constexpr uint64_t kib = 1024;
constexpr uint64_t mib = 1024 * kib;

// A backlog that has measured 128 KiB/s (half a second of it is below the floor).
upload_backlog measured_slow() {
    upload_backlog backlog;
    backlog.accepted(1, 99);
    backlog.measured(0, {}, 32 * kib, 250ms);
    return backlog;
}

TEST(UploadBacklog, NothingOwedDeclinesNothing) {
    upload_backlog backlog;
    EXPECT_FALSE(backlog.declines(1));
    EXPECT_EQ(backlog.bound(), upload_backlog::floor_bytes) << "no rate measured yet";
    auto slow = measured_slow();
    EXPECT_FALSE(slow.declines(1));
}

// Issue 13 at 2 Mbit/s: 15 receivers asked the seeder for two 256 KiB pieces each at once.
TEST(UploadBacklog, OnceARateIsKnownTheFloorBoundsWhatIsOwed) {
    auto backlog = measured_slow();
    ASSERT_EQ(backlog.bound(), upload_backlog::floor_bytes);
    int declined = 0;
    for (uint64_t receiver = 1; receiver <= 15; ++receiver) {
        for (int piece = 0; piece < 2; ++piece) {
            if (backlog.declines(receiver)) {
                ++declined;
                continue;
            }
            backlog.accepted(256 * kib, receiver);
        }
    }
    EXPECT_EQ(backlog.owed(), 512 * kib) << "the first receiver's two pieces, not thirty";
    EXPECT_EQ(declined, 28);
}

TEST(UploadBacklog, NothingIsDeclinedBeforeARateIsMeasured) {
    upload_backlog backlog;
    backlog.accepted(64 * mib, 1);
    EXPECT_FALSE(backlog.declines(2)) << "the first requests of a fast swarm";
    backlog.measured(64 * mib, {1}, 0, 50ms);
    EXPECT_FALSE(backlog.declines(2)) << "nothing acknowledged yet: still unknown";
}

TEST(UploadBacklog, AReceiverAloneInBeingOwedIsNeverDeclined) {
    auto backlog = measured_slow();
    backlog.accepted(64 * mib, 1);
    EXPECT_FALSE(backlog.declines(1)) << "one fetch from one server";
    EXPECT_TRUE(backlog.declines(2)) << "a second receiver while the first is owed 64 MiB";
    // At the tick only connection 1 is still owed (what it was owed drains between ticks, so the
    // total is no measure of whether others are owed: mutual exchanges were declined so).
    backlog.measured(32 * mib, {1}, 32 * kib, 250ms);
    EXPECT_FALSE(backlog.declines(1));
    backlog.accepted(256 * kib, 2);
    EXPECT_TRUE(backlog.declines(1)) << "now another receiver is owed too";
}

TEST(UploadBacklog, TheBoundIsHalfASecondOfTheMeasuredRate) {
    upload_backlog backlog;
    backlog.accepted(mib, 1);
    backlog.measured(4 * mib, {1, 2}, 25 * mib / 4, 250ms);  // 25 MiB/s while owed
    EXPECT_DOUBLE_EQ(backlog.rate(), 25.0 * mib);
    EXPECT_EQ(backlog.bound(), 25 * mib / 2);
    EXPECT_EQ(backlog.owed(), 4 * mib);
    EXPECT_FALSE(backlog.declines(3)) << "a fast uplink: 4 MiB is 0.16 s of it";
    backlog.accepted(9 * mib, 1);
    EXPECT_TRUE(backlog.declines(3));
}

TEST(UploadBacklog, TheRateIsLearntOnlyWhileSomethingWasOwed) {
    upload_backlog backlog;
    backlog.measured(0, {}, 0, 250ms);
    EXPECT_EQ(backlog.rate(), 0) << "idle: nothing to learn from";
    backlog.measured(mib, {1}, 0, 250ms);
    EXPECT_EQ(backlog.rate(), 0) << "nothing was owed during that interval";
    backlog.measured(mib, {1}, 64 * kib, 250ms);
    EXPECT_DOUBLE_EQ(backlog.rate(), 256.0 * kib);
    backlog.measured(0, {}, 64 * kib, 250ms);  // drained: the rate still counts that interval
    backlog.measured(0, {}, 0, 250ms);
    EXPECT_DOUBLE_EQ(backlog.rate(), 256.0 * kib) << "an idle uplink is not a slow one";
    EXPECT_EQ(backlog.bound(), upload_backlog::floor_bytes)
        << "half a second of 256 KiB/s is below it";
}

// The rate is the uplink's: it follows a rise at once (slow start) and a fall only slowly.
TEST(UploadBacklog, TheRateRisesAtOnceAndFallsWithAHalfLifeOfTwoSeconds) {
    upload_backlog backlog;
    backlog.accepted(mib, 1);
    backlog.measured(mib, {1}, 16 * kib, 50ms);  // slow start: 320 KiB/s
    backlog.measured(mib, {1}, mib, 50ms);       // 20 MiB/s
    EXPECT_DOUBLE_EQ(backlog.rate(), 20.0 * mib);
    backlog.measured(mib, {1}, 0, 2s);  // a pause of two seconds: half of it is kept
    EXPECT_DOUBLE_EQ(backlog.rate(), 10.0 * mib);
}

}  // namespace
}  // namespace xfer::sender
