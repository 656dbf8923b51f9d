#include "receiver/source_liveness.hpp"

#include <sstream>

namespace xfer::receiver {
namespace {

std::string seconds(std::chrono::milliseconds span) {
    return std::to_string(static_cast<long>(std::chrono::duration<double>(span).count())) + " s";
}

}  // namespace

liveness_limits liveness_limits::from_stall_timeout(std::chrono::milliseconds stall) {
    return {stall, stall * 10, stall * 3};
}

source_view source_view::of(const download_connection& source, uint64_t bytes_in_flight) {
    source_view view;
    view.address = source.source().to_string();
    view.connecting = source.state() == download_connection::phase::connecting;
    view.secured = source.remote_peer_id().has_value();
    view.greeted = source.greeted();
    view.manifest_accepted = source.manifest_accepted();
    view.bytes_in_flight = bytes_in_flight;
    view.declines = source.declines();
    view.last_data = source.last_data();
    view.last_progress = source.last_progress();
    view.connected_at = source.connected_at();
    return view;
}

std::optional<std::string> stall_reason(const source_view& source, const liveness_limits& limits,
                                        std::chrono::steady_clock::time_point now) {
    if (source.connecting) {
        if (now - source.last_data > limits.stall)
            return "cannot connect: timed out after " + seconds(limits.stall);
        return std::nullopt;
    }
    if (!source.secured) {
        if (now - source.last_data > limits.stall)
            return "did not answer the TLS handshake within " + seconds(limits.stall) +
                   " (not an xfer peer, or an xfer older than 0.2)";
        if (now - source.connected_at > limits.stall)
            return "did not complete the TLS handshake within " + seconds(limits.stall);
        return std::nullopt;
    }
    if (!source.greeted && now - source.connected_at > limits.stall)
        return "did not complete its HELLO within " + seconds(limits.stall);
    if (!source.manifest_accepted) {
        if (now - source.last_data > limits.stall)
            return "stalled: no data for " + seconds(limits.stall);
        if (now - source.connected_at > limits.manifest)
            return "sent no manifest in " + seconds(limits.manifest) +
                   " (still hashing a very large file? the same command run later starts at once)";
        return std::nullopt;
    }
    if (source.bytes_in_flight > 0 && now - source.last_progress > limits.stall)
        return "stalled: none of the data asked for in " + seconds(limits.stall);
    return std::nullopt;
}

std::string no_progress_summary(const std::vector<source_view>& sources,
                                std::chrono::milliseconds waited) {
    std::ostringstream out;
    out << "no source advanced the fetch for " << seconds(waited);
    const char* separator = ": ";
    for (const auto& source : sources) {
        out << separator << source.address << ' ';
        if (!source.manifest_accepted) {
            out << "sent no manifest";
        } else if (source.declines > 0) {
            out << "declined " << source.declines << " requests";
        } else if (source.bytes_in_flight > 0) {
            out << "sent none of the data asked for";
        } else {
            out << "has none of the missing pieces";
        }
        separator = "; ";
    }
    return out.str();
}

}  // namespace xfer::receiver
