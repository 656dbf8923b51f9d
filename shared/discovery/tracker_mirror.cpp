#include "shared/discovery/tracker_mirror.hpp"

#include <algorithm>
#include <random>

#include "shared/core/log.hpp"
#include "shared/discovery/zmq_frames.hpp"

namespace xfer::discovery {
namespace {

using namespace std::chrono_literals;
using tracker::message_type;

constexpr auto max_retry = 1000ms;
constexpr auto liveness_interval = 5000ms;
constexpr size_t max_buffered_pushes = 4 * limits::max_peers;

uint64_t random_token() {
    std::random_device device;
    return uint64_t{device()} << 32 | device();
}

}  // namespace

tracker_mirror::tracker_mirror(zmq::context_t& context, tracker_link tracker)
    : context_(context),
      tracker_(std::move(tracker)),
      requests_(context, zmq::socket_type::dealer),
      watch_(context, requests_, tracker_) {
    apply_discovery_options(requests_, tracker_.endpoint.host);
    make_tracker_client(requests_, tracker_.key);
    // Requests are only queued on a live connection: retries, not a backlog, cover a tracker
    // that is not up yet.
    requests_.set(zmq::sockopt::immediate, 1);
    requests_.connect(tcp_address(tracker_.endpoint));
}

std::vector<peer_record> tracker_mirror::list() const {
    std::vector<peer_record> out;
    for (const auto& [id, record] : peers_) out.push_back(record);
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

void tracker_mirror::add_poll_items(std::vector<zmq::pollitem_t>& items) {
    items.push_back({requests_.handle(), 0, ZMQ_POLLIN, 0});
    watch_.add_poll_item(items);
    if (pushes_) items.push_back({pushes_->handle(), 0, ZMQ_POLLIN, 0});
}

std::chrono::milliseconds tracker_mirror::next_timeout(steady_time now) const {
    const auto next = phase_ == phase::live ? next_liveness_check_ : next_send_;
    return std::clamp(std::chrono::ceil<std::chrono::milliseconds>(next - now), 0ms, max_retry);
}

void tracker_mirror::send_request(const tracker::message& request) {
    send_message(requests_, tracker::encode(request));
}

std::vector<membership_change> tracker_mirror::process(steady_time now) {
    std::vector<membership_change> changes;
    watch_.process();
    // Pushes first: a reply is then never applied ahead of pushes that were already here.
    while (pushes_) {
        auto received = receive_message(*pushes_, 4);
        if (!received) break;
        if (received->too_many_frames) continue;
        if (auto decoded = tracker::decode(received->frames)) {
            last_heard_ = now;
            on_push(std::move(*decoded), now, changes);
        }
    }
    while (auto received = receive_message(requests_, limits::max_frames_per_message)) {
        if (received->too_many_frames) continue;
        auto decoded = tracker::decode(received->frames);
        if (!decoded) {
            XLOG_DEBUG("discovery", tracker_.to_string(),
                       "bad reply: " << decoded.error().message());
            continue;
        }
        watch_.proven_by_message();
        last_heard_ = now;
        on_reply(std::move(*decoded), now, changes);
    }
    run_timers(now);
    return changes;
}

void tracker_mirror::run_timers(steady_time now) {
    if (phase_ == phase::live) {
        if (now < next_liveness_check_) return;
        send_request(tracker::info_request{});
        next_liveness_check_ = now + liveness_interval;
        return;
    }
    if (now < next_send_) return;
    switch (phase_) {
        case phase::asking_info:
            send_request(tracker::info_request{});
            break;
        case phase::syncing:
            XLOG_DEBUG("discovery", tracker_.to_string(), "mirror: SYNC sent");
            send_request(tracker::sync_request{sync_token_});
            break;
        case phase::listing:
            send_request(tracker::query_request{});
            break;
        case phase::live:
            break;
    }
    next_send_ = now + retry_;
    retry_ = std::min<std::chrono::milliseconds>(retry_ * 2, max_retry);
    if (now >= next_liveness_check_ && phase_ != phase::asking_info) {
        // Stuck syncing or listing (say the PUB port moved): ask again where things are.
        send_request(tracker::info_request{});
        next_liveness_check_ = now + liveness_interval;
    }
}

void tracker_mirror::on_info(const tracker::info_reply& info, steady_time now) {
    const bool moved = info.pub_port != pub_port_ || !pushes_;
    if (phase_ != phase::asking_info && info.instance == instance_ && !moved) {
        // Same tracker, same PUB: only a push lost at the end of a burst would show here.
        if (phase_ == phase::live && info.seq != last_seq_) start_listing(now);
        return;
    }
    if (moved) {
        pushes_.emplace(context_, zmq::socket_type::sub);
        apply_discovery_options(*pushes_, tracker_.endpoint.host);
        make_tracker_client(*pushes_, tracker_.key);
        pushes_->set(zmq::sockopt::subscribe, "XT");
        pushes_->connect(tcp_address({tracker_.endpoint.host, info.pub_port}));
        pub_port_ = info.pub_port;
    }
    if (info.instance != instance_ && synced_) {
        XLOG_INFO("discovery", tracker_.to_string(), "tracker restarted; resynchronising");
    }
    instance_ = info.instance;
    XLOG_DEBUG("discovery", tracker_.to_string(), "mirror: INFO answered; syncing pushes");
    phase_ = phase::syncing;
    sync_token_ = random_token();
    retry_ = 100ms;
    next_send_ = now;
    next_liveness_check_ = now + liveness_interval;
}

void tracker_mirror::start_listing(steady_time now) {
    phase_ = phase::listing;
    retry_ = 100ms;
    next_send_ = now;
}

void tracker_mirror::on_reply(tracker::message reply, steady_time now,
                              std::vector<membership_change>& changes) {
    if (auto* info = std::get_if<tracker::info_reply>(&reply)) return on_info(*info, now);
    auto* list = std::get_if<tracker::peer_list_reply>(&reply);
    if (!list || phase_ != phase::listing || list->instance != instance_) return;
    reconcile(std::move(list->peers), changes);
    last_seq_ = list->seq;
    phase_ = phase::live;
    synced_ = true;
    next_liveness_check_ = now + liveness_interval;
    apply_buffered(changes, now);
}

void tracker_mirror::on_push(tracker::message push, steady_time now,
                             std::vector<membership_change>& changes) {
    if (auto* echo = std::get_if<tracker::sync_echo_push>(&push)) {
        if (phase_ == phase::syncing && echo->token == sync_token_ && echo->instance == instance_) {
            XLOG_DEBUG("discovery", tracker_.to_string(), "mirror: SYNC echoed; listing");
            start_listing(now);
        }
        return;
    }
    auto* membership = std::get_if<tracker::membership_push>(&push);
    if (!membership) return;
    if (membership->instance != instance_) {
        // A different tracker run is talking on our PUB connection: start over.
        if (phase_ == phase::live || phase_ == phase::listing) {
            phase_ = phase::asking_info;
            next_send_ = now;
        }
        return;
    }
    if (phase_ == phase::listing) {
        if (buffered_.size() >= max_buffered_pushes) buffered_.clear();
        buffered_.push_back(std::move(*membership));
        return;
    }
    if (phase_ != phase::live || membership->seq <= last_seq_) return;
    if (membership->seq != last_seq_ + 1) {
        XLOG_DEBUG("discovery", tracker_.to_string(), "push gap at seq " << membership->seq);
        buffered_.push_back(std::move(*membership));
        return start_listing(now);
    }
    apply(*membership, changes);
}

void tracker_mirror::apply(const tracker::membership_push& push,
                           std::vector<membership_change>& changes) {
    last_seq_ = push.seq;
    const auto found = peers_.find(push.record.id);
    if (push.kind == message_type::left) {
        if (found == peers_.end()) return;
        peers_.erase(found);
        changes.push_back({membership_change::kind::left, push.record, push.reason});
        return;
    }
    if (found == peers_.end()) {
        peers_.emplace(push.record.id, push.record);
        changes.push_back({membership_change::kind::joined, push.record, {}});
    } else if (found->second != push.record) {
        found->second = push.record;
        changes.push_back({membership_change::kind::updated, push.record, {}});
    }
}

void tracker_mirror::reconcile(std::vector<peer_record> snapshot,
                               std::vector<membership_change>& changes) {
    std::map<peer_id, peer_record> next;
    for (auto& record : snapshot) next.emplace(record.id, std::move(record));
    for (const auto& [id, record] : peers_) {
        if (!next.contains(id)) changes.push_back({membership_change::kind::left, record, {}});
    }
    for (const auto& [id, record] : next) {
        const auto found = peers_.find(id);
        if (found == peers_.end()) {
            changes.push_back({membership_change::kind::joined, record, {}});
        } else if (found->second != record) {
            changes.push_back({membership_change::kind::updated, record, {}});
        }
    }
    peers_ = std::move(next);
}

void tracker_mirror::apply_buffered(std::vector<membership_change>& changes, steady_time now) {
    auto pending = std::move(buffered_);
    buffered_.clear();
    std::sort(pending.begin(), pending.end(),
              [](const auto& a, const auto& b) { return a.seq < b.seq; });
    for (auto& push : pending) {
        if (push.seq <= last_seq_) continue;
        if (push.seq != last_seq_ + 1) {
            buffered_.push_back(std::move(push));
            return start_listing(now);
        }
        apply(push, changes);
    }
}

}  // namespace xfer::discovery
