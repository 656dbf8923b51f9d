// The tracker's behaviour without its sockets: a request (frames) plus the address it came from
// and the time go in; replies for the requester and pushes for every subscriber come out. The
// socket loop (tracker_server) only moves frames; tests drive this class directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/discovery/registry.hpp"
#include "shared/discovery/tracker_protocol.hpp"

namespace xfer::discovery::tracker {

struct service_settings {
    std::chrono::milliseconds heartbeat_interval = limits::default_heartbeat_interval;
    std::chrono::milliseconds heartbeat_timeout = limits::default_heartbeat_timeout;
    uint16_t pub_port = 0;
    uint64_t instance = 0;  // random per run (see peer_list_reply)
    size_t max_peers = limits::max_peers;
    size_t max_peers_per_source = limits::max_peers_per_source;
};

struct service_output {
    std::vector<frame_list> replies;  // to the requester, in order
    std::vector<frame_list> pushes;   // to every subscriber, in order
};

class tracker_service {
  public:
    explicit tracker_service(service_settings settings);

    // `source` is the requester's IP address as the transport saw it. REGISTER must be signed
    // (tracker_protocol.hpp); its record is listed with the signer's peer ID. Malformed or
    // unexpected messages produce no output at all (and count in dropped_messages()).
    service_output handle(const frame_list& request, const std::string& source, steady_time now);
    // LEFT pushes for every peer whose heartbeat timed out.
    std::vector<frame_list> expire(steady_time now);

    std::optional<steady_time> next_deadline() const { return registry_.next_deadline(); }
    const registry& peers() const { return registry_; }
    const service_settings& settings() const { return settings_; }
    void set_pub_port(uint16_t port) { settings_.pub_port = port; }
    uint64_t seq() const { return seq_; }
    uint64_t dropped_messages() const { return dropped_; }

  private:
    frame_list push(message_type kind, leave_reason reason, const peer_record& record);
    service_output on_register(const register_request& request, const std::string& source,
                               steady_time now);

    service_settings settings_;
    registry registry_;
    uint64_t seq_ = 0;
    uint64_t dropped_ = 0;
    // SYNC echoes go to every subscriber, so their rate is capped for the whole tracker.
    steady_time sync_window_start_{};
    size_t syncs_in_window_ = 0;
};

}  // namespace xfer::discovery::tracker
