#include "tools/xfer/source_names_tracker.hpp"

#include <cstdio>
#include <zmq.hpp>

#include "shared/core/safe_text.hpp"
#include "shared/discovery/tracker_mirror.hpp"
#include "shared/discovery/zmq_frames.hpp"
#include "tools/xfer/source_names.hpp"

namespace xfer::cli {

using namespace std::chrono_literals;

std::expected<std::vector<discovery::peer_record>, tracker_lookup_error> heard_on_tracker(
    std::string_view name, const discovery::tracker_link& tracker, std::chrono::milliseconds wait) {
    zmq::context_t context;
    std::expected<std::vector<discovery::peer_record>, tracker_lookup_error> result;
    {
        // The mirror's sockets close before the context does (end of this block).
        discovery::tracker_mirror mirror(context, tracker);
        const auto deadline = std::chrono::steady_clock::now() + wait;
        for (auto now = std::chrono::steady_clock::now();; now = std::chrono::steady_clock::now()) {
            if (!mirror.link_failure().empty()) {
                result = std::unexpected(tracker_lookup_error{true, mirror.link_failure()});
                break;
            }
            if (mirror.synced()) {
                result = peers_called(name, mirror.list());
                break;
            }
            if (now >= deadline) {
                char seconds[32];
                std::snprintf(seconds, sizeof seconds, "%.1f", wait.count() / 1000.0);
                result = std::unexpected(tracker_lookup_error{
                    false, "no answer from tracker " + tracker.to_string() + " within " + seconds +
                               " s (looking for the peer called '" + safe_text(name) + "')"});
                break;
            }
            std::vector<zmq::pollitem_t> items;
            mirror.add_poll_items(items);
            const auto timeout =
                std::min(mirror.next_timeout(now), discovery::until(deadline, 200ms));
            discovery::poll_for(items, timeout);
            mirror.process(std::chrono::steady_clock::now());
        }
    }
    context.close();
    return result;
}

}  // namespace xfer::cli
