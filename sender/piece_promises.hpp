// A seeder's memory of which receiver it gave each piece to, and when. When a second receiver
// asks for a piece the seeder is still sending to another one, or finished sending moments ago,
// the seeder declines: that piece will be in the swarm soon, and the seeder's uplink (the swarm's
// bottleneck) is better spent on a piece nobody has yet.
//
// The promise lasts while the piece is on its way (its last byte has not left this sender) and
// `window` after that (the receiver verifies it and announces HAVE). It used to last `window`
// from the request: a seeder serving 31 receivers at 5 Mbit/s sends each about 20 KB/s, so one
// 256 KiB piece takes ~13 s to go out, and after 1 s the next receiver was given it again
// (issue 13: the seeder sent ~3 copies of the file at 32 hosts). A promise never outlives
// `max_hold` from the request, so a receiver that stops reading strands nobody for long.
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
    static constexpr auto max_hold = std::chrono::seconds(30);

    // Records that `connection` is given `piece` now, unless another connection holds a promise
    // for it: then returns false (decline) and records nothing.
    bool give(const content_id& content, uint32_t piece_count, uint32_t piece, uint64_t connection,
              clock::time_point now);
    // The piece's last byte left this sender for `connection`: the window starts now.
    void sent(const content_id& content, uint32_t piece, uint64_t connection,
              clock::time_point now);
    // `connection` no longer wants the piece (CANCEL): others may have it at once.
    void withdraw(const content_id& content, uint32_t piece, uint64_t connection);
    void forget_connection(uint64_t connection);

  private:
    struct promise {
        clock::time_point given{};
        clock::time_point sent{};  // epoch: still on its way
        uint64_t connection = 0;
    };
    bool holds(const promise& last, uint64_t asking, clock::time_point now) const;
    promise* find(const content_id& content, uint32_t piece, uint64_t connection);
    std::map<content_id, std::vector<promise>> promises_;
};

}  // namespace xfer::sender
