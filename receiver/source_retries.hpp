// When a dropped source is connected to again: the backoff per address, the attempts budget,
// and which retries are due. Whether a failure may be retried at all is retry_policy's; the
// fetcher says whether this one is (a partner of a mutual exchange not up yet, a peer found by
// discovery). Pure: `now` is passed in (tests/receiver/source_retries_test.cpp).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shared/net/address.hpp"

namespace xfer::receiver {

class source_retries {
  public:
    using clock = std::chrono::steady_clock;
    // A peer found by discovery is asked again this many times since it last delivered a block.
    static constexpr int max_discovery_attempts = 30;

    // Connection attempts to `name` since it last delivered a block.
    int attempts(const std::string& name) const;
    // It delivered a block before it was dropped: a source that helps and is dropped now and
    // then (a stall under load) is not abandoned for good after 30 drops over a long fetch.
    void delivered(const std::string& name) { attempts_[name] = 0; }
    // Asks `source` again after a backoff (100 ms, 200 ms, ... up to 1.6 s) if it is a partner
    // not up yet, or was found by discovery (`discovered`) within its attempts; returns the delay.
    std::optional<std::chrono::milliseconds> after_drop(const net::endpoint& source,
                                                        bool partner_not_up, bool discovered,
                                                        clock::time_point now);
    // The sources whose backoff is over, taken off the list.
    std::vector<net::endpoint> take_due(clock::time_point now);
    // It left (discovery): not asked again.
    void forget(const net::endpoint& source);
    bool empty() const { return pending_.empty(); }

  private:
    std::map<std::string, int> attempts_;
    std::vector<std::pair<net::endpoint, clock::time_point>> pending_;
};

}  // namespace xfer::receiver
