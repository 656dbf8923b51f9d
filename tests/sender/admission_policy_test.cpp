// The sender's admission policy: who is evicted when the table or an address is full, and who
// never is.
#include "sender/admission_policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace xfer::sender {
namespace {

using namespace std::chrono_literals;
using view = admission_policy::connection_view;
const auto t0 = admission_policy::clock::time_point{} + 1h;

view greeted(uint64_t id, std::string address, std::chrono::seconds idle_since, bool busy = false) {
    return {id, std::move(address), true, busy, t0, t0 + idle_since, t0 + idle_since, {}};
}
view half_open(uint64_t id, std::string address, std::chrono::seconds accepted) {
    return {id, std::move(address), false, false, t0 + accepted, {}, {}, {}};
}

TEST(AdmissionPolicy, AdmitsWhileThereIsRoom) {
    const admission_policy policy(4, 2);
    const std::vector<view> current{greeted(1, "10.0.0.1", 0s), greeted(2, "10.0.0.2", 0s)};
    const auto d = policy.admit("10.0.0.3", current, t0 + 60s);
    EXPECT_TRUE(d.admit);
    EXPECT_FALSE(d.evict);
}

TEST(AdmissionPolicy, FullTableEvictsAConnectionWithoutHelloFirst) {
    const admission_policy policy(3, 3);
    const std::vector<view> current{greeted(1, "10.0.0.1", 0s), half_open(2, "10.0.0.2", 20s),
                                    half_open(3, "10.0.0.2", 10s)};
    const auto d = policy.admit("10.0.0.4", current, t0 + 60s);
    EXPECT_TRUE(d.admit);
    EXPECT_EQ(d.evict, 3u);  // the older of the two half-open ones
}

TEST(AdmissionPolicy, FullTableEvictsTheLongestIdleConnectionThatIsNotServed) {
    const admission_policy policy(3, 3);
    const std::vector<view> current{greeted(1, "10.0.0.1", 30s), greeted(2, "10.0.0.2", 5s),
                                    greeted(3, "10.0.0.3", 0s, /*busy=*/true)};
    const auto d = policy.admit("10.0.0.4", current, t0 + 60s);
    EXPECT_TRUE(d.admit);
    EXPECT_EQ(d.evict, 2u);  // idle since t0+5s; 3 is idler but busy
}

TEST(AdmissionPolicy, NeverEvictsAConnectionBeingServed) {
    const admission_policy policy(2, 2);
    const std::vector<view> current{greeted(1, "10.0.0.1", 0s, true),
                                    greeted(2, "10.0.0.2", 0s, true)};
    const auto d = policy.admit("10.0.0.3", current, t0 + served_grace);
    EXPECT_FALSE(d.admit);
    EXPECT_FALSE(d.evict);
}

TEST(AdmissionPolicy, ContentHeldOpenWithoutProgressIsEvictedAfterTheIdleOnes) {
    const admission_policy policy(3, 3);
    // 1 and 2 hold content open (busy) but asked and took nothing since t0 and t0+5s; 3 is idle.
    std::vector<view> current{greeted(1, "10.0.0.1", 0s, true), greeted(2, "10.0.0.2", 5s, true),
                              greeted(3, "10.0.0.3", 50s)};
    const auto now = t0 + 60s;
    EXPECT_EQ(policy.admit("10.0.0.4", current, now).evict, 3u);
    current.pop_back();
    current.push_back(greeted(3, "10.0.0.3", 0s, true));
    current.back().last_progress = now - 1s;  // its socket took file data a second ago
    const auto d = policy.admit("10.0.0.4", current, now);
    EXPECT_TRUE(d.admit);
    EXPECT_EQ(d.evict, 1u);  // stalled longest; 3 is being served
}

TEST(AdmissionPolicy, APeerAtItsLimitGivesUpItsOwnSlotFromAnyAddress) {
    const admission_policy policy(100, 100, 2);
    std::vector<view> current{greeted(1, "10.0.0.1", 30s), greeted(2, "10.0.0.2", 10s),
                              greeted(3, "10.0.0.3", 0s), greeted(4, "10.0.0.4", 40s)};
    for (auto& c : current) c.peer = "P";
    current[0].peer = "other";  // idlest of all, but another peer's
    const auto d = policy.admit_peer("P", 4, current, t0 + 60s);
    EXPECT_TRUE(d.admit);
    EXPECT_EQ(d.evict, 3u);  // the idlest of P's others; 4 is the newcomer itself
    EXPECT_TRUE(policy.admit_peer("other", 1, current, t0 + 60s).admit);
    for (auto& c : current) c.busy = true, c.last_progress = t0 + 59s;
    EXPECT_FALSE(policy.admit_peer("P", 4, current, t0 + 60s).admit);
}

TEST(AdmissionPolicy, AnAddressAtItsLimitGivesUpItsOwnSlotNotAnothers) {
    const admission_policy policy(10, 2);
    // The other address's connection is idler, but an address pays for its own excess.
    const std::vector<view> current{greeted(1, "10.0.0.9", 0s), greeted(2, "10.0.0.1", 20s),
                                    greeted(3, "10.0.0.1", 10s)};
    const auto d = policy.admit("10.0.0.1", current, t0 + 60s);
    EXPECT_TRUE(d.admit);
    EXPECT_EQ(d.evict, 3u);
}

TEST(AdmissionPolicy, AnAddressWhoseSlotsAreAllServedIsRefused) {
    const admission_policy policy(10, 2);
    const std::vector<view> current{greeted(1, "10.0.0.1", 0s, true),
                                    greeted(2, "10.0.0.1", 0s, true)};
    const auto d = policy.admit("10.0.0.1", current, t0 + 5s);  // both served 5 s ago
    EXPECT_FALSE(d.admit);
    EXPECT_TRUE(policy.admit("10.0.0.2", current, t0 + 5s).admit);
}

TEST(AdmissionPolicy, HelloMustCompleteWithinTheDeadline) {
    view trickling = half_open(1, "10.0.0.1", 0s);
    EXPECT_FALSE(admission_policy::hello_overdue(trickling, t0 + hello_deadline));
    EXPECT_TRUE(admission_policy::hello_overdue(trickling, t0 + hello_deadline + 1s));
    trickling.greeted = true;
    EXPECT_FALSE(admission_policy::hello_overdue(trickling, t0 + 10 * hello_deadline));
}

}  // namespace
}  // namespace xfer::sender
