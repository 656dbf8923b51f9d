// `xfer fetch --json`: what a fetch does, as newline-delimited JSON events on stdout (the
// fields are listed in docs/JSON.md): "start" once the manifest is known, "peer_up" and
// "peer_down" as sources and receivers come and go, "progress" at most every half second,
// then "done" (or "error", from report_failure).
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "receiver/fetcher.hpp"
#include "sender/upload_stats.hpp"
#include "tools/xfer/progress_display_layout.hpp"

namespace xfer::cli {

class fetch_events {
  public:
    using clock = std::chrono::steady_clock;
    static constexpr auto progress_interval = std::chrono::milliseconds(500);

    // progress_events false (-q): no "progress" events, the others still.
    fetch_events(std::string remote_path, std::string target, bool progress_events);

    void update(const receiver::fetch_progress& progress,
                const std::vector<sender::upload_peer_stats>& uploads,
                clock::time_point now = clock::now());
    // With the fetch's "stats" object (stats_report.hpp).
    void done(const fetch_summary& summary, const receiver::fetch_stats& stats);

  private:
    void track_peers(const std::set<std::string>& now_present);

    std::string remote_path_;
    std::string target_;
    bool progress_events_;
    bool started_ = false;
    std::set<std::string> peers_;  // "from ADDRESS" / "to ADDRESS" seen in the last update
    clock::time_point last_progress_{};
};

// After the last path of a fetch of several: {"event":"summary", "paths", "fetched", "files",
// the byte counts, "seconds", "rate"} over the paths that arrived.
void emit_batch_summary(const fetch_summary& total, size_t paths, size_t fetched);

}  // namespace xfer::cli
