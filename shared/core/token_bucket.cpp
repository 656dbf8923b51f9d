#include "shared/core/token_bucket.hpp"

#include <algorithm>

namespace xfer {
namespace {
constexpr uint64_t nanos_per_second = 1'000'000'000;
// rate (< 2^41) times nanoseconds (< 2^63) needs more than 64 bits; GCC and Clang have 128.
__extension__ typedef unsigned __int128 wide;
}  // namespace

token_bucket::token_bucket(uint64_t rate, uint64_t burst, clock::time_point now)
    : rate_(std::clamp<uint64_t>(rate, 1, max_rate)),
      burst_(std::clamp<uint64_t>(burst, 1, max_burst)),
      tokens_(static_cast<int64_t>(burst_)),
      last_(now) {}

uint64_t token_bucket::default_burst(uint64_t rate) {
    return std::clamp<uint64_t>(rate / 4, 64 * 1024, max_burst);
}

void token_bucket::refill(clock::time_point now) {
    if (now <= last_) return;  // a clock that stood still (or a caller's older `now`) adds nothing
    const auto elapsed = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count());
    last_ = now;
    const wide scaled = wide{rate_} * elapsed + fraction_;
    fraction_ = static_cast<uint64_t>(scaled % nanos_per_second);
    // More than fills the bucket from the deepest debt is as good as any more.
    const wide earned = std::min<wide>(scaled / nanos_per_second, wide{2} * max_burst + 1);
    tokens_ =
        std::min<int64_t>(tokens_ + static_cast<int64_t>(earned), static_cast<int64_t>(burst_));
    if (tokens_ == static_cast<int64_t>(burst_)) fraction_ = 0;
}

bool token_bucket::ready(clock::time_point now) {
    refill(now);
    return tokens_ > 0;
}

void token_bucket::spend(uint64_t bytes, clock::time_point now) {
    refill(now);
    // Bounded so a caller's mistake cannot wrap the balance.
    tokens_ -= static_cast<int64_t>(std::min<uint64_t>(bytes, max_burst));
    tokens_ = std::max<int64_t>(tokens_, -static_cast<int64_t>(max_burst));
}

token_bucket::clock::time_point token_bucket::next_ready(clock::time_point now) {
    refill(now);
    if (tokens_ > 0) return now;
    // One token more than the debt, less the fraction already earned; rounded up to whole ns.
    const auto needed = static_cast<uint64_t>(1 - tokens_);
    const uint64_t scaled_needed = needed * nanos_per_second - fraction_;
    const uint64_t wait_ns = (scaled_needed + rate_ - 1) / rate_;
    return now + std::chrono::nanoseconds(wait_ns);
}

int64_t token_bucket::balance(clock::time_point now) {
    refill(now);
    return tokens_;
}

}  // namespace xfer
