#include "tools/xfer/tracker_patience.hpp"

#include <gtest/gtest.h>

namespace xfer::cli {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

const tracker_patience patience{10s, 40s};
const clock::time_point start{};

TEST(TrackerPatience, AListArrivedEndsTheWaitWhateverTheClock) {
    EXPECT_EQ(patience.judge(start, start + 1s, true, start + 100s), tracker_verdict::listed);
}

TEST(TrackerPatience, ATrackerNeverHeardIsSilentAfterTheSilenceLimit) {
    EXPECT_EQ(patience.judge(start, std::nullopt, false, start + 9s), tracker_verdict::waiting);
    EXPECT_EQ(patience.judge(start, std::nullopt, false, start + 10s), tracker_verdict::silent);
}

TEST(TrackerPatience, ATrackerStillAnsweringIsWaitedForPastTheSilenceLimit) {
    // The loaded tracker of a 64-host swarm: INFO answered at 5 s, SYNC echoed at 9.6 s, the
    // list at 12 s. Judged by the start alone it was "silent" at 10 s.
    EXPECT_EQ(patience.judge(start, start + 9600ms, false, start + 12s), tracker_verdict::waiting);
    EXPECT_EQ(patience.judge(start, start + 9600ms, false, start + 19s), tracker_verdict::waiting);
}

TEST(TrackerPatience, ATrackerThatWentQuietIsSilentTheSilenceLimitAfterItsLastWord) {
    EXPECT_EQ(patience.judge(start, start + 5s, false, start + 15s), tracker_verdict::silent);
}

TEST(TrackerPatience, ATrackerThatAnswersButNeverListsIsUnlistedAtTheListingLimit) {
    EXPECT_EQ(patience.judge(start, start + 39s, false, start + 39500ms), tracker_verdict::waiting);
    EXPECT_EQ(patience.judge(start, start + 39s, false, start + 40s), tracker_verdict::unlisted);
}

}  // namespace
}  // namespace xfer::cli
