// What the sender thread reports to other threads: per-peer figures for a progress display and
// the counts the fetch's linger rule reads.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace xfer::sender {

// A snapshot for progress displays and the fetch's linger rule.
struct upload_peer_stats {
    std::string label;
    uint64_t bytes_sent = 0;
    bool has_open_handles = false;
};

struct upload_stats {
    mutable std::mutex mutex;
    std::vector<upload_peer_stats> peers;  // guarded by mutex
    std::atomic<uint64_t> total_bytes_sent{0};
    std::atomic<uint64_t> receivers_served{0};
    std::atomic<size_t> receivers_with_open_content{0};
};

}  // namespace xfer::sender
