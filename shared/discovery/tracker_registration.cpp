#include "shared/discovery/tracker_registration.hpp"

#include <algorithm>

#include "shared/core/log.hpp"
#include "shared/discovery/zmq_frames.hpp"

namespace xfer::discovery {
namespace {

using namespace std::chrono_literals;
// After a REJECT the tracker will most likely say the same again: ask rarely.
constexpr auto retry_after_reject = 10s;
constexpr auto leave_linger = 500ms;
// Until the connection is up a send fails at once; try again soon rather than a heartbeat later.
constexpr auto retry_unsent = 100ms;

}  // namespace

tracker_registration::tracker_registration(zmq::context_t& context, tracker_link tracker,
                                           std::shared_ptr<const lan::datagram_signer> signer)
    : socket_(context, zmq::socket_type::dealer),
      tracker_(std::move(tracker)),
      watch_(context, socket_, tracker_),
      signer_(std::move(signer)) {
    apply_discovery_options(socket_, tracker_.endpoint.host);
    make_tracker_client(socket_, tracker_.key);
    // Nothing queues while the tracker is away; the next tick sends fresh state instead.
    socket_.set(zmq::sockopt::immediate, 1);
    socket_.connect(tcp_address(tracker_.endpoint));
}

void tracker_registration::add_poll_items(std::vector<zmq::pollitem_t>& items) {
    items.push_back({socket_.handle(), 0, ZMQ_POLLIN, 0});
    watch_.add_poll_item(items);
}

peer_record material_part(const peer_record& record) {
    auto material = record;
    for (auto& content : material.contents) {
        const bool all = content.pieces_had == content.piece_count;
        content.pieces_had = all ? content.piece_count : std::min<uint32_t>(content.pieces_had, 1);
    }
    return material;
}

void tracker_registration::tick(const peer_record& record, steady_time now) {
    id_ = record.id;
    auto encoded = encode_record(record);
    auto material = material_part(record);
    const bool progressed = encoded != last_sent_;
    const bool changed = material != last_material_ ||
                         (progressed && now - last_register_ >= progress_update_interval);
    if (!registered_ || changed) {
        if (now < next_register_ && !(registered_ && changed)) return;
        const bool sent =
            send_message(socket_, tracker::encode(tracker::signed_registration(record, *signer_)));
        if (sent) {
            last_sent_ = std::move(encoded);
            last_material_ = std::move(material);
            last_register_ = now;
        }
        next_register_ = now + (rejected_ ? retry_after_reject : sent ? interval_ : retry_unsent);
        next_heartbeat_ = now + interval_;
        return;
    }
    if (now < next_heartbeat_) return;
    send_message(socket_, tracker::encode(tracker::heartbeat_request{record.id}));
    next_heartbeat_ = now + interval_;
}

void tracker_registration::process_replies(steady_time now) {
    watch_.process();
    if (watch_.failure() != reported_failure_) {
        if (!watch_.failure().empty())
            XLOG_WARN("discovery", tracker_.to_string(), watch_.failure());
        reported_failure_ = watch_.failure();
    }
    while (auto received = receive_message(socket_, 4)) {
        auto decoded = tracker::decode(received->frames);
        if (!decoded) continue;
        watch_.proven_by_message();
        if (auto* welcome = std::get_if<tracker::welcome_reply>(&*decoded)) {
            if (!registered_) {
                XLOG_INFO("discovery", tracker_.to_string(),
                          "registered as " << welcome->sender_host);
            }
            registered_ = true;
            rejected_ = false;
            interval_ = std::clamp(std::chrono::milliseconds{welcome->heartbeat_interval_ms},
                                   limits::min_heartbeat_interval, limits::max_heartbeat_interval);
        } else if (auto* unknown = std::get_if<tracker::unknown_peer_reply>(&*decoded)) {
            if (unknown->id != id_) continue;
            XLOG_INFO("discovery", tracker_.to_string(), "tracker forgot us; registering again");
            registered_ = false;
            last_sent_.clear();
            next_register_ = now;
        } else if (auto* reject = std::get_if<tracker::reject_reply>(&*decoded)) {
            if (reject->text != last_reject_text_) {
                XLOG_WARN("discovery", tracker_.to_string(),
                          "tracker refused registration: " << reject->text);
                last_reject_text_ = reject->text;
            }
            registered_ = false;
            rejected_ = true;
            last_sent_.clear();
            next_register_ = now + retry_after_reject;
        }
    }
}

void tracker_registration::leave(const peer_id& id) {
    socket_.set(zmq::sockopt::linger, static_cast<int>(leave_linger.count()));
    send_message(socket_, tracker::encode(tracker::leave_request{id}));
}

}  // namespace xfer::discovery
