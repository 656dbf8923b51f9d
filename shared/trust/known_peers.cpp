#include "shared/trust/known_peers.hpp"

#include <algorithm>

namespace xfer::trust {

std::string_view trust_level_name(trust_level level) {
    switch (level) {
        case trust_level::paired:
            return "paired";
        case trust_level::allowed:
            return "allowed";
        case trust_level::seen:
            return "seen";
    }
    return "seen";
}

std::optional<trust_level> parse_trust_level(std::string_view text) {
    for (const auto level : {trust_level::paired, trust_level::allowed, trust_level::seen})
        if (text == trust_level_name(level)) return level;
    return std::nullopt;
}

std::string bounded_name(std::string_view name) {
    if (name.size() <= max_name_bytes) return std::string(name);
    size_t cut = max_name_bytes;
    // Back up over continuation bytes (10xxxxxx) to the start of the sequence they belong to.
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    return std::string(name.substr(0, cut));
}

bool valid_address(std::string_view address) {
    if (address.empty() || address.size() > max_address_bytes) return false;
    return std::ranges::all_of(address, [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte > 0x20 && byte < 0x7f && c != ',';
    });
}

const known_peer* known_peers::find(const peer_id& id) const {
    const auto it = std::ranges::find(peers_, id, &known_peer::id);
    return it == peers_.end() ? nullptr : &*it;
}

known_peer* known_peers::find_mutable(const peer_id& id) {
    const auto it = std::ranges::find(peers_, id, &known_peer::id);
    return it == peers_.end() ? nullptr : &*it;
}

std::vector<const known_peer*> known_peers::find_by_name(std::string_view name) const {
    std::vector<const known_peer*> found;
    for (const auto& peer : peers_)
        if (peer.name == name) found.push_back(&peer);
    return found;
}

const known_peer* known_peers::find_by_address(std::string_view address) const {
    for (const auto& peer : peers_)
        if (std::ranges::find(peer.addresses, address) != peer.addresses.end()) return &peer;
    return nullptr;
}

bool known_peers::make_room() {
    auto oldest = peers_.end();
    for (auto it = peers_.begin(); it != peers_.end(); ++it) {
        if (it->trust != trust_level::seen) continue;
        if (oldest == peers_.end() || it->last_seen < oldest->last_seen) oldest = it;
    }
    if (oldest == peers_.end()) return false;
    peers_.erase(oldest);
    return true;
}

std::expected<void, std::string> known_peers::add(const peer_id& id, std::string_view name,
                                                  trust_level trust, timestamp now) {
    if (auto* peer = find_mutable(id)) {
        // Lower enum value = more trust (paired < allowed < seen).
        if (static_cast<int>(trust) < static_cast<int>(peer->trust)) peer->trust = trust;
        if (peer->name.empty()) peer->name = bounded_name(name);
        return {};
    }
    if (peers_.size() >= max_known_peers && !make_room()) {
        return std::unexpected("this machine already knows " + std::to_string(max_known_peers) +
                               " trusted peers; remove some with 'xfer trust remove ID'");
    }
    peers_.push_back({.id = id,
                      .name = bounded_name(name),
                      .addresses = {},
                      .first_seen = now,
                      .last_seen = now,
                      .trust = trust});
    return {};
}

void known_peers::forget_address(std::string_view address) {
    for (auto& peer : peers_) std::erase(peer.addresses, address);
}

void known_peers::seen_at(const peer_id& id, std::string_view address, timestamp now) {
    if (!find(id) || !valid_address(address)) return;
    forget_address(address);
    auto* peer = find_mutable(id);
    peer->addresses.insert(peer->addresses.begin(), std::string(address));
    if (peer->addresses.size() > max_addresses_per_peer)
        peer->addresses.resize(max_addresses_per_peer);
    peer->last_seen = std::max(peer->last_seen, now);
}

bool known_peers::rename(const peer_id& id, std::string_view name) {
    auto* peer = find_mutable(id);
    if (!peer) return false;
    peer->name = bounded_name(name);
    return true;
}

bool known_peers::remove(const peer_id& id) {
    return std::erase_if(peers_, [&](const known_peer& peer) { return peer.id == id; }) > 0;
}

std::expected<void, std::string> known_peers::insert_loaded(known_peer peer) {
    if (find(peer.id)) return std::unexpected("the same peer ID is already on an earlier line");
    if (peers_.size() >= max_known_peers)
        return std::unexpected("more than " + std::to_string(max_known_peers) + " peers");
    peer.name = bounded_name(peer.name);
    std::erase_if(peer.addresses, [this](const std::string& address) {
        return !valid_address(address) || find_by_address(address) != nullptr;
    });
    if (peer.addresses.size() > max_addresses_per_peer)
        peer.addresses.resize(max_addresses_per_peer);
    peers_.push_back(std::move(peer));
    return {};
}

}  // namespace xfer::trust
