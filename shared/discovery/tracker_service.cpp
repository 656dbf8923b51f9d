#include "shared/discovery/tracker_service.hpp"

#include "shared/core/log.hpp"

namespace xfer::discovery::tracker {
namespace {

reject_reason reason_for(upsert_outcome outcome) {
    switch (outcome) {
        case upsert_outcome::registry_full:
            return reject_reason::tracker_full;
        case upsert_outcome::source_full:
            return reject_reason::source_full;
        case upsert_outcome::not_owner:
            return reject_reason::not_owner;
        default:
            return reject_reason::invalid;
    }
}

uint32_t milliseconds(std::chrono::milliseconds value) {
    return static_cast<uint32_t>(value.count());
}

}  // namespace

tracker_service::tracker_service(service_settings settings)
    : settings_(settings),
      registry_(registry_limits{settings.max_peers, settings.max_peers_per_source,
                                settings.heartbeat_timeout, /*source_owns_entry=*/true}) {}

frame_list tracker_service::push(message_type kind, leave_reason reason,
                                 const peer_record& record) {
    return encode(membership_push{kind, settings_.instance, ++seq_, reason, record});
}

service_output tracker_service::on_register(const register_request& request,
                                            const std::string& source, steady_time now) {
    service_output out;
    const auto refuse = [&](reject_reason reason, const std::string& text) {
        XLOG_INFO("tracker", source, "rejected " << short_id(request.record.id) << ": " << text);
        out.replies.push_back(encode(reject_reply{reason, text}));
        return out;
    };
    const auto signer = registration_signer(request);
    if (!signer) return refuse(reject_reason::invalid, "registration not signed by its key");
    // A peer id stays bound to the key that first registered it: no other key takes it over.
    const auto* known = registry_.find(request.record.id);
    if (known && known->identity != *signer)
        return refuse(reject_reason::not_owner, "peer id registered by another key");
    auto record = request.record;
    record.identity = *signer;
    // A peer listening on 0.0.0.0 cannot know which of its addresses others reach it by; the
    // address its registration came from is the one that demonstrably works from here.
    if (is_unspecified_host(record.sender.host) && !source.empty()) record.sender.host = source;
    const auto problem = validate(record);
    const auto outcome = registry_.upsert(record, source, now);
    if (!accepted(outcome)) {
        XLOG_INFO("tracker", source,
                  "rejected " << short_id(record.id) << ": " << to_string(outcome));
        const std::string text = problem.empty() ? to_string(outcome) : problem;
        out.replies.push_back(encode(reject_reply{reason_for(outcome), text}));
        return out;
    }
    out.replies.push_back(encode(welcome_reply{milliseconds(settings_.heartbeat_interval),
                                               milliseconds(settings_.heartbeat_timeout),
                                               settings_.pub_port, record.sender.host}));
    if (outcome == upsert_outcome::joined) {
        XLOG_INFO("tracker", source, "join " << record.name << " " << record.sender.to_string());
        out.pushes.push_back(push(message_type::joined, leave_reason::none, record));
    } else if (outcome == upsert_outcome::updated) {
        out.pushes.push_back(push(message_type::updated, leave_reason::none, record));
    }
    return out;
}

service_output tracker_service::handle(const frame_list& request, const std::string& source,
                                       steady_time now) {
    auto decoded = decode(request);
    if (!decoded) {
        ++dropped_;
        XLOG_DEBUG("tracker", source, "dropped message: " << decoded.error().message());
        return {};
    }
    service_output out;
    if (auto* m = std::get_if<register_request>(&*decoded)) return on_register(*m, source, now);
    if (auto* m = std::get_if<heartbeat_request>(&*decoded)) {
        if (!registry_.refresh(m->id, source, now))
            out.replies.push_back(encode(unknown_peer_reply{m->id}));
        return out;
    }
    if (auto* m = std::get_if<leave_request>(&*decoded)) {
        if (auto removed = registry_.remove(m->id, source)) {
            XLOG_INFO("tracker", source,
                      "leave " << removed->name << " " << removed->sender.to_string());
            out.pushes.push_back(push(message_type::left, leave_reason::left, *removed));
        }
        return out;
    }
    if (std::holds_alternative<query_request>(*decoded)) {
        out.replies.push_back(encode(peer_list_reply{settings_.instance, seq_, registry_.list()}));
        return out;
    }
    if (std::holds_alternative<info_request>(*decoded)) {
        out.replies.push_back(encode(info_reply{settings_.instance, seq_, settings_.pub_port,
                                                milliseconds(settings_.heartbeat_interval),
                                                milliseconds(settings_.heartbeat_timeout)}));
        return out;
    }
    if (auto* m = std::get_if<sync_request>(&*decoded)) {
        if (now - sync_window_start_ >= std::chrono::seconds(1)) {
            sync_window_start_ = now;
            syncs_in_window_ = 0;
        }
        // Over the cap the client simply retries its SYNC a little later.
        if (++syncs_in_window_ > limits::max_sync_echoes_per_second) {
            ++dropped_;
            return out;
        }
        out.pushes.push_back(encode(sync_echo_push{settings_.instance, seq_, m->token}));
        return out;
    }
    // A reply or push sent to the tracker: well-formed, but not something a client asks.
    ++dropped_;
    return out;
}

std::vector<frame_list> tracker_service::expire(steady_time now) {
    std::vector<frame_list> pushes;
    for (const auto& record : registry_.expire(now)) {
        XLOG_INFO("tracker", record.sender.to_string(), "expired " << record.name);
        pushes.push_back(push(message_type::left, leave_reason::expired, record));
    }
    return pushes;
}

}  // namespace xfer::discovery::tracker
