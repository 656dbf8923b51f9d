#include "shared/discovery/lan_directory.hpp"

#include <algorithm>

#include "shared/core/log.hpp"
#include "shared/discovery/signed_datagram.hpp"

namespace xfer::discovery::lan {

lan_directory::lan_directory(std::chrono::milliseconds timeout, size_t max_peers)
    : timeout_(timeout),
      max_peers_(max_peers),
      // An announcement arrives over several interfaces (loopback and the LAN), so any source
      // may refresh a peer; the bound per source still stops one host posing as hundreds with
      // hundreds of fresh keys, and eviction when full takes from the busiest source only.
      registry_(registry_limits{max_peers, limits::max_lan_peers_per_source, timeout, false,
                                /*evict_when_full=*/true}) {}

std::vector<membership_change> lan_directory::on_datagram(std::string_view bytes,
                                                          const std::string& source,
                                                          steady_time now) {
    const auto verified = verify_datagram(bytes);
    auto decoded =
        verified ? decode_datagram(verified->body)
                 : std::expected<datagram, std::error_code>(std::unexpected(verified.error()));
    if (!decoded) {
        ++dropped_;
        XLOG_DEBUG("lan", source, "dropped datagram: " << decoded.error().message());
        return {};
    }
    const auto& signer = verified->signer;
    if (auto* bye = std::get_if<goodbye>(&*decoded)) {
        // Only the key that announced a peer may take it off the list.
        const auto* known = registry_.find(bye->id);
        if (known && known->identity != signer) return dropped(source, "goodbye from another key");
        pending_.erase(bye->id);
        if (auto removed = registry_.remove(bye->id, source)) {
            return {
                {membership_change::kind::left, std::move(*removed), tracker::leave_reason::left}};
        }
        return {};
    }
    auto& page = std::get<announce_page>(*decoded);
    // A running peer's id stays bound to the key it first announced with: another key claiming
    // it is a spoof.
    if (const auto* known = registry_.find(page.id); known && known->identity != signer) {
        return dropped(source, "announcement for a known peer signed by another key");
    }
    return on_page(std::move(page), signer, source, now);
}

std::vector<membership_change> lan_directory::dropped(const std::string& source, const char* why) {
    ++dropped_;
    XLOG_DEBUG("lan", source, "dropped datagram: " << why);
    return {};
}

bool lan_directory::make_pending_room(const std::string& source) {
    // Half-assembled announcements are bounded like the table (registry.hpp, evict_when_full),
    // or one host's flood of fresh ids would leave no room to hear a real peer's first one.
    std::map<std::string, size_t> per_source;
    for (const auto& [id, pending] : pending_) ++per_source[pending.source];
    const size_t from_source = per_source[source];
    if (from_source >= limits::max_lan_peers_per_source) return false;
    if (pending_.size() < max_peers_) return true;
    const auto busiest =
        std::max_element(per_source.begin(), per_source.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    auto victim = pending_.end();
    if (busiest->second >= from_source + 2) {
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (it->second.source != busiest->first) continue;
            if (victim == pending_.end() || it->second.first_heard > victim->second.first_heard)
                victim = it;
        }
    } else {
        // Many addresses, a few each: the oldest assembly of a peer not known to answer goes
        // (a listed peer's assembly is only for its next change; the table keeps the peer).
        for (auto it = pending_.begin(); it != pending_.end(); ++it) {
            if (registry_.reachability_of(it->first) == reachability::answered) continue;
            if (victim == pending_.end() || it->second.first_heard < victim->second.first_heard)
                victim = it;
        }
    }
    if (victim == pending_.end()) return false;
    pending_.erase(victim);
    return true;
}

void lan_directory::on_probe(const peer_id& id, bool answered) {
    registry_.set_reachability(id, answered ? reachability::answered : reachability::silent);
}

std::string lan_directory::address_for(const announce_page& page, const std::string& source) const {
    if (!is_unspecified_host(page.sender_host)) return page.sender_host;
    // The same announcement is heard from 127.0.0.1 and from the LAN address when the listener
    // is on the announcer's host. Both work from here, so the first one heard sticks, except
    // that one LAN address replaces another (the peer moved).
    // A peer heard in both families keeps its IPv4 address: a stable choice, and the one a
    // sender listening on 0.0.0.0 can be reached at.
    if (const auto* known = registry_.find(page.id)) {
        const auto& host = known->sender.host;
        if (is_loopback_host(host) || is_loopback_host(source)) return host;
        const bool known_v6 = host.find(':') != std::string::npos;
        const bool source_v6 = source.find(':') != std::string::npos;
        if (!known_v6 && source_v6) return host;
    }
    return source;
}

std::vector<membership_change> lan_directory::on_page(announce_page page,
                                                      const identity::peer_id& signer,
                                                      const std::string& source, steady_time now) {
    registry_.refresh(page.id, source, now);
    auto found = pending_.find(page.id);
    if (found == pending_.end()) {
        if (!make_pending_room(source))
            return dropped(source, "too many announcements being assembled from this address");
        found = pending_.emplace(page.id, assembly{}).first;
        found->second.source = source;
        found->second.first_heard = now;
    }
    auto& pending = found->second;
    pending.last_heard = now;
    if (pending.generation != page.generation || pending.pages.size() != page.page_count ||
        pending.signer != signer) {
        pending.generation = page.generation;
        pending.signer = signer;
        pending.pages.assign(page.page_count, std::nullopt);
    }
    const auto index = page.page;
    pending.pages[index] = std::move(page);
    const bool complete = std::all_of(pending.pages.begin(), pending.pages.end(),
                                      [](const auto& p) { return p.has_value(); });
    if (!complete) return {};

    const auto& first = *pending.pages.front();
    peer_record record{
        first.id, first.name, {address_for(first, source), first.sender_port}, {}, signer};
    for (const auto& part : pending.pages) {
        for (const auto& content : part->contents) {
            if (record.contents.size() == limits::max_contents_per_peer) break;
            record.contents.push_back(content);
        }
    }
    const auto outcome = registry_.upsert(record, source, now);
    std::vector<membership_change> changes;
    for (auto& evicted : registry_.take_evicted()) {
        XLOG_DEBUG("lan", source, "evicted " << short_id(evicted.id) << " to make room");
        changes.push_back(
            {membership_change::kind::left, std::move(evicted), tracker::leave_reason::expired});
    }
    if (outcome == upsert_outcome::joined) {
        changes.push_back({membership_change::kind::joined, std::move(record), {}});
        return changes;
    }
    if (outcome == upsert_outcome::updated)
        return {{membership_change::kind::updated, std::move(record), {}}};
    if (!accepted(outcome)) {
        ++dropped_;
        XLOG_DEBUG("lan", source, "ignored announcement: " << to_string(outcome));
    }
    return changes;
}

std::vector<membership_change> lan_directory::expire(steady_time now) {
    std::vector<membership_change> changes;
    for (auto& record : registry_.expire(now)) {
        changes.push_back(
            {membership_change::kind::left, std::move(record), tracker::leave_reason::expired});
    }
    std::erase_if(pending_,
                  [&](const auto& item) { return now - item.second.last_heard > timeout_; });
    return changes;
}

}  // namespace xfer::discovery::lan
