// The fetch's progress: a redrawn block on a TTY (total, rate, ETA, one line per peer with its
// direction and rate), nothing at all when stderr is not a terminal or with -q.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "receiver/fetcher.hpp"
#include "sender/sender.hpp"

namespace xfer::cli {

class progress_display {
public:
    explicit progress_display(bool enabled);
    void update(const receiver::fetch_progress& progress, const std::vector<sender::upload_peer_stats>& uploads);
    void finish();  // clears the block so the summary line stands alone

private:
    bool enabled_;
    int lines_drawn_ = 0;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, uint64_t>> last_uploads_;
    std::chrono::steady_clock::time_point last_update_ = start_;
};

}  // namespace xfer::cli
