// How many sources one fetch holds at once, and which to give up for one waiting. Without a cap
// a fetch connected to every holder discovery or peer exchange named (63 at 64 hosts), each
// connection a TLS session, a share of every uplink and of this host's CPU. Pure: the fetcher
// describes its sources, the policy answers; `now` is passed in (tests/receiver/source_cap_test).
//
// A source is given up (to the back of the waiting line) only when others wait, it has nothing
// in flight, it has been connected for settle_time, and either it has none of the pieces still
// wanted or it delivered no block for idle_time. The one with nothing wanted goes first, then
// the one idle longest. One at a time: at most one swap per swap_interval.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace xfer::receiver {

inline constexpr size_t default_max_sources = 32;

class source_cap {
  public:
    using clock = std::chrono::steady_clock;
    static constexpr auto settle_time = std::chrono::seconds(5);
    static constexpr auto idle_time = std::chrono::seconds(5);
    static constexpr auto swap_interval = std::chrono::seconds(2);

    struct standing {
        uint64_t key = 0;
        bool manifest_accepted = false;
        bool has_wanted = false;  // holds a piece this fetch still wants
        uint64_t bytes_in_flight = 0;
        clock::time_point connected_at{};
        clock::time_point last_block_data{};  // epoch: never delivered
    };

    explicit source_cap(size_t max_sources) : max_(max_sources) {}

    size_t max_sources() const { return max_; }
    // May one more connection be opened now (0: no cap)?
    bool has_room(size_t connected) const { return max_ == 0 || connected < max_; }
    // The source to give up now so that one of `waiting` can connect, if any should.
    std::optional<uint64_t> to_give_up(std::span<const standing> sources, size_t waiting,
                                       clock::time_point now);

  private:
    const size_t max_;
    clock::time_point last_swap_{};
};

}  // namespace xfer::receiver
