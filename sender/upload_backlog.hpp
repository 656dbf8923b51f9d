// How much this sender owes its receivers (asked for, not yet acknowledged by them) against how
// fast its uplink drains it, and whether a request for a new piece is declined for that: a busy
// sender sends DECLINE, and the receiver asks another holder of the piece, or this one again
// after its hold (transfer_scheduler::decline_hold). Pure: the sender loop measures at its
// tick, the connections ask (tests/sender/upload_backlog_test.cpp).
//
// Issue 13 at 2 Mbit/s: every receiver asked the seeder for a piece or two at once, so it sent
// ~30 pieces side by side at 1/30 of its uplink each, and none was whole (and could be passed
// on) for ~15-30 s; the leechers' uplinks idled meanwhile. At the end, rarest first sent every
// receiver to the same few holders while the others idled. Declining once the sender owes more
// than `busy_seconds` of its measured rate (at least `floor_bytes`) keeps a few pieces in
// flight at a time, each whole within seconds, and sends the overflow to other holders. Half a
// second, not two: a piece sent alone at the full rate is whole (and passed on) sooner, and the
// next request still arrives before the uplink runs dry (16 hosts at 2 Mbit/s: max 1.43-1.53x
// the bound against 1.57-1.63x with 2 s and 1 MiB, 1.83-1.93x never declining). A
// receiver that is alone in being owed is never declined, so one fetch from one server runs
// as before, and on a fast link the bound is far above what receivers keep in flight.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

namespace xfer::sender {

class upload_backlog {
  public:
    static constexpr double busy_seconds = 0.5;
    static constexpr uint64_t floor_bytes = 256 * 1024;
    static constexpr std::chrono::duration<double> rate_half_life{2.0};

    // At the tick: `owed` bytes over every receiver now (requests not yet sent, data queued,
    // data in the sockets not yet acknowledged), owed to the connections `owed_to`;
    // `acknowledged` bytes left the uplink since the last tick, `interval` ago. The rate is
    // learnt only while something was owed.
    void measured(uint64_t owed, std::vector<uint64_t> owed_to, uint64_t acknowledged,
                  std::chrono::duration<double> interval) {
        if (owed_ > 0 && interval.count() > 0) {
            // The uplink's capacity: up at once (TCP's slow start, the first intervals, measured
            // low), down slowly (half-life rate_half_life): a low interval is more often a pause
            // than a slower link. An average held a 200 Mbit/s seeder at the floor for its first
            // fraction of a second, long enough to decline most first requests.
            const double instant = static_cast<double>(acknowledged) / interval.count();
            const double kept = std::exp2(-interval.count() / rate_half_life.count());
            rate_ = std::max(instant, rate_ * kept);
        }
        owed_ = owed;
        owed_to_ = std::move(owed_to);
    }
    // A request of `connection` taken between ticks: owed from now on.
    void accepted(uint64_t bytes, uint64_t connection) {
        owed_ += bytes;
        if (std::find(owed_to_.begin(), owed_to_.end(), connection) == owed_to_.end())
            owed_to_.push_back(connection);
    }
    // A new piece for `connection`: declined when the sender owes at least the bound and some
    // other connection is owed too (a lone receiver never is: one fetch from one server, or
    // each half of a mutual exchange). Never before a rate is measured: the floor alone
    // declined most of a 200 Mbit/s swarm's first requests (9 hosts: 1.46x the bound against
    // 1.16x), and the loop measures every 50 ms until it knows (sender_loop).
    bool declines(uint64_t connection) const {
        return rate_ > 0 && owed_ >= bound() &&
               std::any_of(owed_to_.begin(), owed_to_.end(),
                           [&](uint64_t other) { return other != connection; });
    }

    uint64_t bound() const {
        return std::max(floor_bytes, static_cast<uint64_t>(rate_ * busy_seconds));
    }
    uint64_t owed() const { return owed_; }
    double rate() const { return rate_; }

  private:
    uint64_t owed_ = 0;
    std::vector<uint64_t> owed_to_;  // connections owed something (at the tick, or since)
    double rate_ = 0;                // bytes per second, the decaying peak; 0: not measured yet
};

}  // namespace xfer::sender
