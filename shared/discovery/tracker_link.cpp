#include "shared/discovery/tracker_link.hpp"

#include <atomic>
#include <cstring>

#include "shared/core/log.hpp"
#include "shared/discovery/zmq_frames.hpp"

namespace xfer::discovery {
namespace {

std::string unique_monitor_address() {
    static std::atomic<uint64_t> counter{0};
    return "inproc://xfer-tracker-link-" + std::to_string(counter.fetch_add(1));
}

constexpr int watched_events =
    ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

}  // namespace

void link_watch::proven_by_message() {
    state_ = state::proven;
    failure_.clear();
    if (announced_) return;
    announced_ = true;
    XLOG_DEBUG("discovery", link_.to_string(), "tracker proved its key");
    if (link_.on_proven) link_.on_proven();
}

std::string tracker_handshake_failure(const tracker_link& link, bool mechanism_mismatch) {
    if (mechanism_mismatch) {
        return "tracker " + link.to_string() +
               " does not authenticate itself (no CURVE: a plaintext tracker, an xfer older than "
               "0.2, or not a tracker): refused";
    }
    return "tracker " + link.to_string() + " did not prove the key " +
           format_tracker_key(link.key) +
           " (the CURVE handshake failed): it is another tracker, one with a new key, or a "
           "plaintext tracker (an xfer older than 0.2); check the key it prints at start" +
           (link.when_pinned_key_fails.empty() ? "" : "; " + link.when_pinned_key_fails);
}

link_watch::link_watch(zmq::context_t& context, zmq::socket_t& socket, tracker_link link)
    : watched_(socket), events_(context, zmq::socket_type::pair), link_(std::move(link)) {
    const auto address = unique_monitor_address();
    if (zmq_socket_monitor(watched_.handle(), address.c_str(), watched_events) != 0)
        throw zmq::error_t();
    events_.set(zmq::sockopt::linger, 0);
    events_.connect(address);
}

link_watch::~link_watch() {
    zmq_socket_monitor(watched_.handle(), nullptr, 0);
}

void link_watch::add_poll_item(std::vector<zmq::pollitem_t>& items) {
    items.push_back({events_.handle(), 0, ZMQ_POLLIN, 0});
}

void link_watch::process() {
    // Each event is two frames: [event u16 | value u32] and the endpoint.
    while (auto received = receive_message(events_, 2)) {
        if (received->frames.empty() || received->frames[0].size() < 6) continue;
        uint16_t event = 0;
        uint32_t value = 0;
        std::memcpy(&event, received->frames[0].data(), sizeof event);
        std::memcpy(&value, received->frames[0].data() + 2, sizeof value);
        if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            proven_by_message();
            continue;
        }
        const bool mismatch = event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
                              value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH;
        state_ = state::failed;
        failure_ = tracker_handshake_failure(link_, mismatch);
    }
}

}  // namespace xfer::discovery
