// A rate limit in bytes per second, shared by every connection of one direction in a process
// (`--limit-up`, `--limit-down`). Pure bookkeeping: the caller passes `now`, so tests drive it
// with exact times and the loops that use it decide themselves when to wake.
//
// Tokens (bytes) accrue at `rate` per second up to `burst`. A caller spends what it actually
// moved, which may overdraw the bucket by at most one read or one queued block: the debt is paid
// back before anything else moves, so over any interval T no more than burst + rate * T + one
// chunk leaves. A loop asks `ready(now)` before moving data and, when it is not, sleeps in its
// poll until `next_ready(now)` — never a busy wait.
//
//   token_bucket limit(10'000'000, token_bucket::default_burst(10'000'000), clock::now());
//   if (limit.ready(now)) limit.spend(bytes_moved, now);
//   else poll_timeout = limit.next_ready(now) - now;
#pragma once

#include <chrono>
#include <cstdint>

namespace xfer {

class token_bucket {
  public:
    using clock = std::chrono::steady_clock;

    // Largest rate and burst accepted: 1 TiB/s and 16 GiB keep every product below 2^64.
    static constexpr uint64_t max_rate = uint64_t{1} << 40;
    static constexpr uint64_t max_burst = uint64_t{1} << 34;

    // rate in bytes per second (1..max_rate), burst in bytes (1..max_burst, clamped). Starts
    // full.
    token_bucket(uint64_t rate, uint64_t burst, clock::time_point now);

    // A quarter of a second at `rate`, at least 64 KiB: large enough that one wake-up moves a
    // useful amount, small enough that a 10 s transfer is within 5% of the rate.
    static uint64_t default_burst(uint64_t rate);

    // True when the bucket holds at least one token at `now` (no debt left).
    bool ready(clock::time_point now);
    // Takes `bytes` moved at `now`; the balance may go below zero (debt).
    void spend(uint64_t bytes, clock::time_point now);
    // The earliest time at which ready() holds: `now` if it already does.
    clock::time_point next_ready(clock::time_point now);

    // Tokens at `now` (negative: debt), for tests and logs.
    int64_t balance(clock::time_point now);
    uint64_t rate() const { return rate_; }
    uint64_t burst() const { return burst_; }

  private:
    void refill(clock::time_point now);

    uint64_t rate_;
    uint64_t burst_;
    int64_t tokens_;
    // Fractions of a token carried between refills, in units of 1/10^9 token, so that many
    // short refills add up to exactly what one long one would.
    uint64_t fraction_ = 0;
    clock::time_point last_;
};

}  // namespace xfer
