#include "sender/have_feed.hpp"

namespace xfer::sender {
namespace {

bool test_bit(const std::vector<uint8_t>& bits, uint32_t piece) {
    const size_t byte = piece / 8;
    return byte < bits.size() && (bits[byte] >> (7 - piece % 8) & 1) != 0;
}

// False if `piece` is outside the bitfield (an event for another version's piece count).
bool set_bit(std::vector<uint8_t>& bits, uint32_t piece) {
    const size_t byte = piece / 8;
    if (byte >= bits.size()) return false;
    bits[byte] |= static_cast<uint8_t>(0x80 >> (piece % 8));
    return true;
}

}  // namespace

void have_feed::on_opened(uint64_t connection, const content_id& content,
                          std::vector<uint8_t> announced) {
    auto [it, inserted] = announced_.try_emplace(key{connection, content}, std::move(announced));
    if (inserted) return;
    // The same content opened again on another handle: it was told at least the newer bitfield,
    // and its older handle everything before; keeping the union owes nothing twice.
    for (size_t i = 0; i < announced.size() && i < it->second.size(); ++i) {
        it->second[i] |= announced[i];
    }
}

void have_feed::forget(uint64_t connection) {
    std::erase_if(announced_, [&](const auto& item) { return item.first.first == connection; });
}

std::vector<owed_have> have_feed::on_message(const bus::store_message& message,
                                             const bitfield_lookup& store) {
    if (message.heartbeat()) {
        if (sequences_.missed_by_heartbeat(*message.stamp)) return resync(store);
        return {};
    }
    if (!message.event) return {};
    // An event after a gap: the store holds this piece too, so the resync covers it.
    if (message.stamp && sequences_.missed_before(*message.stamp)) return resync(store);
    if (message.event->type != bus::event_type::piece_verified) return {};
    return announce(message.event->content, message.event->piece);
}

std::vector<owed_have> have_feed::announce(const content_id& content, uint32_t piece) {
    std::vector<owed_have> owed;
    for (auto& [which, bits] : announced_) {
        if (which.second != content || test_bit(bits, piece)) continue;
        if (set_bit(bits, piece)) owed.push_back({which.first, content, piece});
    }
    return owed;
}

std::vector<owed_have> have_feed::resync(const bitfield_lookup& store) {
    ++resyncs_;
    std::vector<owed_have> owed;
    std::map<content_id, std::optional<std::vector<uint8_t>>> stored;
    for (auto& [which, bits] : announced_) {
        auto found = stored.find(which.second);
        if (found == stored.end()) found = stored.emplace(which.second, store(which.second)).first;
        const auto& have = found->second;
        if (!have) continue;
        // Byte by byte: a resync of a large content told nearly everything stays cheap.
        for (size_t byte = 0; byte < bits.size() && byte < have->size(); ++byte) {
            const auto missing = static_cast<uint8_t>((*have)[byte] & ~bits[byte]);
            if (missing == 0) continue;
            bits[byte] |= missing;
            for (uint32_t bit = 0; bit < 8; ++bit) {
                if (missing & (0x80 >> bit)) {
                    owed.push_back(
                        {which.first, which.second, static_cast<uint32_t>(byte * 8 + bit)});
                }
            }
        }
    }
    return owed;
}

}  // namespace xfer::sender
