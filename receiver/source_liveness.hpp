// Deadlines that count useful progress, not bytes (issue 9, class 2). KEEPALIVE proves a peer is
// there, not that it helps: a source with requests outstanding must deliver the data asked for,
// a source must send its manifest within a bounded time, and a fetch that no source advances
// ends with an error that says what each source failed to do.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "receiver/download_connection.hpp"

namespace xfer::receiver {

// What the deadlines look at, copied out of a download_connection (tests build it by hand).
struct source_view {
    std::string address;
    bool connecting = false;
    bool secured = true;  // the TLS handshake is done and the peer proved its ID
    bool greeted = true;  // its HELLO arrived
    bool manifest_accepted = false;
    uint64_t bytes_in_flight = 0;
    uint32_t declines = 0;
    std::chrono::steady_clock::time_point last_data{};      // any bytes, KEEPALIVE included
    std::chrono::steady_clock::time_point last_progress{};  // see download_connection
    std::chrono::steady_clock::time_point connected_at{};
    // `bytes_in_flight`: what the fetch's scheduler has outstanding from it.
    static source_view of(const download_connection& source, uint64_t bytes_in_flight);
};

struct liveness_limits {
    // Connecting, or with requests outstanding: this long without the data asked for; also
    // the most a sender's TLS handshake and HELLO may take from the connect (bytes trickled
    // meanwhile do not extend it).
    std::chrono::milliseconds stall{10000};
    // From connect to MANIFEST. A sender hashing a file it never saw sends only KEEPALIVE
    // meanwhile (about 1.5 GB/s here: 100 s is ~150 GB); it caches the manifest, so the same
    // command run again after this starts at once.
    std::chrono::milliseconds manifest{100000};
    // No block of data from any source for this long, with the manifest known: the fetch ends
    // (while a manifest streams, `manifest` instead: fetcher_deadlines.cpp).
    std::chrono::milliseconds fetch{30000};

    static liveness_limits from_stall_timeout(std::chrono::milliseconds stall);
};

// Why this source should be dropped now, or nullopt while it keeps up.
std::optional<std::string> stall_reason(const source_view& source, const liveness_limits& limits,
                                        std::chrono::steady_clock::time_point now);

// One line for the user: what each source did while the fetch made no progress.
std::string no_progress_summary(const std::vector<source_view>& sources,
                                std::chrono::milliseconds waited);

}  // namespace xfer::receiver
