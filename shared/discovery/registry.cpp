#include "shared/discovery/registry.hpp"

#include <algorithm>

namespace xfer::discovery {

const char* to_string(upsert_outcome outcome) {
    switch (outcome) {
        case upsert_outcome::joined:
            return "joined";
        case upsert_outcome::updated:
            return "updated";
        case upsert_outcome::refreshed:
            return "refreshed";
        case upsert_outcome::invalid:
            return "invalid record";
        case upsert_outcome::registry_full:
            return "tracker full";
        case upsert_outcome::source_full:
            return "too many peers from this address";
        case upsert_outcome::not_owner:
            return "peer id registered from another address";
    }
    return "unknown";
}

upsert_outcome registry::upsert(peer_record record, const std::string& source, steady_time now) {
    if (!validate(record).empty()) return upsert_outcome::invalid;
    const auto found = entries_.find(record.id);
    if (found != entries_.end()) {
        auto& existing = found->second;
        if (!may_touch(existing, source)) return upsert_outcome::not_owner;
        existing.last_seen = now;
        if (existing.record == record) return upsert_outcome::refreshed;
        // Another address has yet to show that it answers.
        if (existing.record.sender != record.sender) existing.reach = reachability::unknown;
        existing.record = std::move(record);
        return upsert_outcome::updated;
    }
    const auto known = peers_per_source_.find(source);
    const size_t from_source = known == peers_per_source_.end() ? 0 : known->second;
    const bool source_at_limit = from_source >= limits_.max_peers_per_source;
    if (entries_.size() >= limits_.max_peers &&
        (!limits_.evict_when_full || source_at_limit || !evict_for(source))) {
        return upsert_outcome::registry_full;
    }
    if (source_at_limit) return upsert_outcome::source_full;
    ++peers_per_source_[source];
    const auto id = record.id;
    entries_.emplace(id, entry{std::move(record), source, now, now});
    return upsert_outcome::joined;
}

bool registry::evict_for(const std::string& source) {
    const auto known = peers_per_source_.find(source);
    const size_t from_source = known == peers_per_source_.end() ? 0 : known->second;
    const auto busiest =
        std::max_element(peers_per_source_.begin(), peers_per_source_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    auto victim = entries_.end();
    if (busiest != peers_per_source_.end() && busiest->second >= from_source + 2) {
        // The newest peer of the busiest address that has not answered.
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->second.source != busiest->first) continue;
            if (it->second.reach == reachability::answered) continue;
            if (victim == entries_.end() || it->second.first_seen > victim->second.first_seen)
                victim = it;
        }
    }
    if (victim == entries_.end()) {
        // The oldest peer whose address was tried and did not answer.
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->second.reach != reachability::silent) continue;
            if (victim == entries_.end() || it->second.first_seen < victim->second.first_seen)
                victim = it;
        }
    }
    if (victim == entries_.end()) return false;
    const auto victim_source = victim->second.source;
    evicted_.push_back(*remove(victim->first, victim_source));
    return true;
}

bool registry::set_reachability(const peer_id& id, discovery::reachability reach) {
    const auto found = entries_.find(id);
    if (found == entries_.end()) return false;
    found->second.reach = reach;
    return true;
}

std::optional<reachability> registry::reachability_of(const peer_id& id) const {
    const auto found = entries_.find(id);
    if (found == entries_.end()) return std::nullopt;
    return found->second.reach;
}

bool registry::refresh(const peer_id& id, const std::string& source, steady_time now) {
    const auto found = entries_.find(id);
    if (found == entries_.end() || !may_touch(found->second, source)) return false;
    found->second.last_seen = now;
    return true;
}

std::optional<peer_record> registry::remove(const peer_id& id, const std::string& source) {
    const auto found = entries_.find(id);
    if (found == entries_.end() || !may_touch(found->second, source)) return std::nullopt;
    auto record = std::move(found->second.record);
    if (--peers_per_source_[found->second.source] == 0)
        peers_per_source_.erase(found->second.source);
    entries_.erase(found);
    return record;
}

std::vector<peer_record> registry::expire(steady_time now) {
    std::vector<peer_record> expired;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (now - it->second.last_seen > limits_.timeout) {
            if (--peers_per_source_[it->second.source] == 0)
                peers_per_source_.erase(it->second.source);
            expired.push_back(std::move(it->second.record));
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
    return expired;
}

const peer_record* registry::find(const peer_id& id) const {
    const auto found = entries_.find(id);
    return found == entries_.end() ? nullptr : &found->second.record;
}

std::vector<peer_record> registry::list() const {
    std::vector<peer_record> out;
    out.reserve(entries_.size());
    for (const auto& [id, existing] : entries_) out.push_back(existing.record);
    std::stable_sort(out.begin(), out.end(),
                     [](const peer_record& a, const peer_record& b) { return a.name < b.name; });
    return out;
}

std::optional<steady_time> registry::next_deadline() const {
    std::optional<steady_time> earliest;
    for (const auto& [id, existing] : entries_) {
        const auto deadline = existing.last_seen + limits_.timeout;
        if (!earliest || deadline < *earliest) earliest = deadline;
    }
    return earliest;
}

}  // namespace xfer::discovery
