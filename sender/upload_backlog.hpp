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
#include <cstdint>

namespace xfer::sender {

class upload_backlog {
  public:
    static constexpr double busy_seconds = 0.5;
    static constexpr uint64_t floor_bytes = 256 * 1024;

    // At the tick: `owed` bytes over every receiver now (requests not yet sent, data queued,
    // data in the sockets not yet acknowledged); `acknowledged` bytes left the uplink since
    // the last tick, `interval` ago. The rate is learnt only while something was owed.
    void measured(uint64_t owed, uint64_t acknowledged, std::chrono::duration<double> interval) {
        if (owed_ > 0 && interval.count() > 0) {
            const double instant = static_cast<double>(acknowledged) / interval.count();
            rate_ = rate_ == 0 ? instant : 0.5 * rate_ + 0.5 * instant;
        }
        owed_ = owed;
    }
    // A request taken between ticks: owed from now on.
    void accepted(uint64_t bytes) { owed_ += bytes; }
    // A new piece for a receiver owed `own` bytes of the total: declined when the sender owes
    // at least the bound and others are owed some of it.
    bool declines(uint64_t own) const { return owed_ >= bound() && owed_ > own; }

    uint64_t bound() const {
        return std::max(floor_bytes, static_cast<uint64_t>(rate_ * busy_seconds));
    }
    uint64_t owed() const { return owed_; }
    double rate() const { return rate_; }

  private:
    uint64_t owed_ = 0;
    double rate_ = 0;  // bytes per second, smoothed; 0: not measured yet
};

}  // namespace xfer::sender
