// A seeder facing receivers on several sites (racks joined by a slow uplink, each told by its
// HELLO's `site`) sends each piece into each site about once: the receivers of a site pass it on
// among themselves over their fast segment. A request for a piece already given to another
// receiver of the same site is declined while that one is still being sent it, and for `window`
// after its last byte was acknowledged (it verifies the piece and announces HAVE to its site). A
// receiver without a site label is never declined here (piece_promises still applies to it).
//
// Issue 13: in the harness's racks scenario 2.4-2.9 copies of the file crossed the uplink into
// rack 1, where one would do. The hold never outlives `max_hold` from the request, so a
// receiver whose site peers never learn of its piece waits at most that long for a copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shared/core/ids.hpp"

namespace xfer::sender {

class site_fanout {
  public:
    using clock = std::chrono::steady_clock;
    static constexpr auto window = std::chrono::seconds(3);
    static constexpr auto max_hold = std::chrono::seconds(30);
    // Receivers of one site a piece is remembered for (more are simply not declined).
    static constexpr size_t max_sites_per_piece = 16;

    // Records that `connection`, a receiver on `site`, is given `piece` now, unless another
    // receiver of that site holds it: then returns false (decline) and records nothing.
    bool give(const content_id& content, uint32_t piece_count, uint32_t piece, uint64_t connection,
              std::string_view site, clock::time_point now);
    // The piece's last byte reached `connection`: the window starts now.
    void sent(const content_id& content, uint32_t piece, uint64_t connection,
              clock::time_point now);
    // `connection` no longer wants the piece (CANCEL), or is gone: its site may have it again.
    void withdraw(const content_id& content, uint32_t piece, uint64_t connection);
    void forget_connection(uint64_t connection);

  private:
    struct given_to {
        std::string site;
        uint64_t connection = 0;
        clock::time_point given{};
        clock::time_point sent{};  // epoch: still on its way
    };
    bool holds(const given_to& entry, clock::time_point now) const;
    std::map<content_id, std::vector<std::vector<given_to>>> pieces_;
};

}  // namespace xfer::sender
