// `xfer fetch --stats`: where a fetch's time went (receiver/fetch_stats.hpp measures it), as a
// few lines for stderr and as the "stats" object of the --json done event (docs/JSON.md), with
// the one step that bounded the transfer, decided from the figures alone.
#pragma once

#include <string>
#include <vector>

#include "receiver/fetch_stats.hpp"
#include "tools/xfer/json_writer.hpp"

namespace xfer::cli {

struct bottleneck {
    // "hash", "disk", "receive" (the fetch loop: recv, TLS, requests), "network" (waiting for
    // sources: the network or the senders), "limit" (--limit-down), "none" (no step was busy
    // for at least half the time) or "nothing" (nothing was fetched).
    std::string what;
    double busy = 0;   // its share of the fetch's wall time, 0 to 1 (of its threads' time)
    std::string text;  // "SHA-256 on 1 core, 92 % busy"
};

// The busiest of hashing, disk, the fetch loop and waiting for sources, as a share of the
// fetch's wall time (a pool of N threads: of N times it); "none" below half.
bottleneck bound_by(const receiver::fetch_stats& stats);

// Aligned lines (no newline) of at most `width` columns (79: none reaches the last column of an
// 80-column terminal, so none wraps), the last "bound by: ...".
std::vector<std::string> stats_lines(const receiver::fetch_stats& stats, size_t width = 79);

// The done event's "stats" object.
json_object stats_json(const receiver::fetch_stats& stats);

}  // namespace xfer::cli
