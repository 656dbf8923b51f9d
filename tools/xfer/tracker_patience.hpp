// How long a fetch by name waits for a tracker's first peer list, and what to call the wait when
// it ends without one. A tracker is judged by what it says, not by the clock alone: on a loaded
// tracker (63 fetches starting at once, each making CURVE handshakes on three sockets) a fetch
// hears its INFO reply after seconds and its SYNC echo seconds later, and must not give up while
// the tracker is still answering. A tracker that went quiet is "silent"; one that keeps answering
// but whose peer list never arrives (its push port unreachable, say) is "unlisted".
#pragma once

#include <chrono>
#include <optional>

namespace xfer::cli {

enum class tracker_verdict { listed, waiting, silent, unlisted };

struct tracker_patience {
    using time_point = std::chrono::steady_clock::time_point;

    std::chrono::milliseconds silence_limit;  // nothing heard for this long: silent
    std::chrono::milliseconds listing_limit;  // heard, but no list this long after the start

    // `last_heard`: the last reply or push from the tracker, if any; `listed`: its peer list has
    // arrived (the answer "nobody" included).
    tracker_verdict judge(time_point started, std::optional<time_point> last_heard, bool listed,
                          time_point now) const;
};

}  // namespace xfer::cli
