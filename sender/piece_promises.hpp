// A seeder's memory of which receiver it last gave each piece to, and when. When a second
// receiver asks for a piece the seeder handed to another one moments ago, the seeder declines:
// that piece will be in the swarm a round trip from now, and the seeder's uplink (the swarm's
// bottleneck) is better spent on a piece nobody has yet. Bounded in time, so a receiver that
// left with the piece half-fetched strands nobody.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "shared/core/ids.hpp"

namespace xfer::sender {

class piece_promises {
  public:
    using clock = std::chrono::steady_clock;
    static constexpr auto window = std::chrono::seconds(1);

    // Records that `connection` is given `piece` now, unless another connection was given it
    // within the window: then returns false (decline) and records nothing.
    bool give(const content_id& content, uint32_t piece_count, uint32_t piece, uint64_t connection,
              clock::time_point now);
    void forget_connection(uint64_t connection);

  private:
    struct promise {
        clock::time_point when{};
        uint64_t connection = 0;
    };
    std::map<content_id, std::vector<promise>> promises_;
};

}  // namespace xfer::sender
