// Deadlines that count progress, not bytes: KEEPALIVE keeps a connection open but does not
// count as delivering what was asked for; a sender still hashing (keepalives, no manifest) is
// given a long but bounded wait; the no-progress error says what each source failed to do.
#include "receiver/source_liveness.hpp"

#include <gtest/gtest.h>

namespace xfer::receiver {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
const clock::time_point t0 = clock::time_point{} + 1h;
const auto limits = liveness_limits::from_stall_timeout(10s);

source_view serving_source() {
    source_view view;
    view.address = "10.0.0.7:7420";
    view.manifest_accepted = true;
    view.last_data = view.last_progress = view.connected_at = t0;
    return view;
}

TEST(SourceLiveness, KeepalivesDoNotCountAsTheDataAskedFor) {
    auto source = serving_source();
    source.bytes_in_flight = 256 * 1024;
    source.last_data = t0 + 59s;  // a KEEPALIVE a second ago
    const auto reason = stall_reason(source, limits, t0 + 60s);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("none of the data asked for"), std::string::npos) << *reason;
}

TEST(SourceLiveness, DataArrivingKeepsASourceWithRequestsOutstanding) {
    auto source = serving_source();
    source.bytes_in_flight = 256 * 1024;
    source.last_progress = t0 + 55s;
    EXPECT_FALSE(stall_reason(source, limits, t0 + 60s));
}

TEST(SourceLiveness, AnIdleSourceWithNothingAskedIsNotStalled) {
    auto source = serving_source();  // nothing in flight: it has none of what is missing
    EXPECT_FALSE(stall_reason(source, limits, t0 + 10min));
}

TEST(SourceLiveness, ASenderStillHashingIsGivenALongButBoundedWaitForItsManifest) {
    auto source = serving_source();
    source.manifest_accepted = false;
    source.last_data = t0 + 95s;  // keepalives while it hashes
    EXPECT_FALSE(stall_reason(source, limits, t0 + 99s));
    source.last_data = t0 + 100s;
    const auto reason = stall_reason(source, limits, t0 + 101s);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("sent no manifest in 100 s"), std::string::npos) << *reason;
}

// A sender that trickles its HELLO a byte at a time keeps bytes coming, so "no data" never
// fires; it used to hold the fetch until the manifest wait (100 s), blamed on hashing.
TEST(SourceLiveness, AHelloNotCompleteWithinTheStallTimeoutDropsTheSource) {
    auto source = serving_source();
    source.manifest_accepted = false;
    source.greeted = false;
    source.last_data = t0 + 9s;
    EXPECT_FALSE(stall_reason(source, limits, t0 + 9500ms));
    source.last_data = t0 + 10500ms;
    const auto reason = stall_reason(source, limits, t0 + 11s);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("did not complete its HELLO within 10 s"), std::string::npos) << *reason;
}

TEST(SourceLiveness, ATlsHandshakeTrickledPastTheStallTimeoutDropsTheSource) {
    auto source = serving_source();
    source.manifest_accepted = false;
    source.secured = false;
    source.greeted = false;
    source.last_data = t0 + 10500ms;
    const auto reason = stall_reason(source, limits, t0 + 11s);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("did not complete the TLS handshake within 10 s"), std::string::npos)
        << *reason;
}

TEST(SourceLiveness, SilenceBeforeTheManifestIsAStall) {
    auto source = serving_source();
    source.manifest_accepted = false;
    const auto reason = stall_reason(source, limits, t0 + 11s);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("no data for 10 s"), std::string::npos) << *reason;
}

TEST(SourceLiveness, AConnectThatNeverCompletesTimesOut) {
    auto source = serving_source();
    source.connecting = true;
    EXPECT_FALSE(stall_reason(source, limits, t0 + 9s));
    const auto reason = stall_reason(source, limits, t0 + 11s);
    ASSERT_TRUE(reason);
    EXPECT_NE(reason->find("cannot connect"), std::string::npos) << *reason;
}

TEST(SourceLiveness, NoProgressSummaryNamesEachSourceAndWhatItFailedToDo) {
    auto decliner = serving_source();
    decliner.declines = 42;
    auto hasher = serving_source();
    hasher.address = "10.0.0.8:7420";
    hasher.manifest_accepted = false;
    auto empty = serving_source();
    empty.address = "10.0.0.9:7420";
    const auto line = no_progress_summary({decliner, hasher, empty}, 30s);
    EXPECT_EQ(line,
              "no source advanced the fetch for 30 s: 10.0.0.7:7420 declined 42 requests; "
              "10.0.0.8:7420 sent no manifest; 10.0.0.9:7420 has none of the missing pieces");
}

}  // namespace
}  // namespace xfer::receiver
