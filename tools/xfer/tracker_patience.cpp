#include "tools/xfer/tracker_patience.hpp"

#include <algorithm>

namespace xfer::cli {

tracker_verdict tracker_patience::judge(time_point started, std::optional<time_point> last_heard,
                                        bool listed, time_point now) const {
    if (listed) return tracker_verdict::listed;
    // Silence is counted from the start or from the last thing heard, whichever is later.
    const auto quiet_since = last_heard ? std::max(started, *last_heard) : started;
    if (now - quiet_since >= silence_limit) return tracker_verdict::silent;
    if (last_heard && now - started >= listing_limit) return tracker_verdict::unlisted;
    return tracker_verdict::waiting;
}

}  // namespace xfer::cli
