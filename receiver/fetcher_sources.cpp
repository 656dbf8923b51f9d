// Which sources the fetch holds: the cap on how many at once (source_cap.hpp).
#include <algorithm>

#include "receiver/fetcher.hpp"
#include "shared/core/log.hpp"

namespace xfer::receiver {

void fetcher::wait_for_room(const net::endpoint& source) {
    if (std::find(waiting_sources_.begin(), waiting_sources_.end(), source) ==
        waiting_sources_.end())
        waiting_sources_.push_back(source);
}

void fetcher::connect_waiting_sources() {
    while (!waiting_sources_.empty() && source_cap_.has_room(connections_.size())) {
        const auto source = waiting_sources_.front();
        waiting_sources_.pop_front();
        add_source(source);
    }
}

// At the cap, with sources waiting: one connected source that has nothing we want, or stopped
// delivering, makes room (it waits at the back of the line, and may come back).
void fetcher::give_up_a_source_for_a_waiting_one(std::chrono::steady_clock::time_point now) {
    if (waiting_sources_.empty() || !scheduler_) return;
    std::vector<source_cap::standing> standings;
    for (const auto& [key, connection] : connections_) {
        standings.push_back({key, connection->manifest_accepted(), scheduler_->has_wanted(key),
                             in_flight(key), connection->connected_at(),
                             connection->last_block_data()});
    }
    const auto chosen = source_cap_.to_give_up(standings, waiting_sources_.size(), now);
    if (!chosen) return;
    const auto source = connections_.at(*chosen)->source();
    XLOG_INFO(
        "receiver", connections_.at(*chosen)->label(),
        "gives its slot to a waiting source (at most " << source_cap_.max_sources() << " at once)");
    drop_source(*chosen, "gave its slot to a waiting source", /*quietly=*/true,
                /*may_retry=*/false);
    waiting_sources_.push_back(source);
}

}  // namespace xfer::receiver
