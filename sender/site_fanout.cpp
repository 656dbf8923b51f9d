#include "sender/site_fanout.hpp"

#include <algorithm>

namespace xfer::sender {

bool site_fanout::holds(const given_to& entry, clock::time_point now) const {
    if (now - entry.given >= max_hold) return false;
    return entry.sent == clock::time_point{} || now - entry.sent < window;
}

bool site_fanout::give(const content_id& content, uint32_t piece_count, uint32_t piece,
                       uint64_t connection, std::string_view site, clock::time_point now) {
    if (site.empty()) return true;
    auto& pieces = pieces_[content];
    if (pieces.size() != piece_count) pieces.assign(piece_count, {});
    if (piece >= pieces.size()) return true;
    auto& entries = pieces[piece];
    std::erase_if(entries, [&](const given_to& entry) { return !holds(entry, now); });
    for (const auto& entry : entries) {
        if (entry.site == site && entry.connection != connection) return false;
    }
    std::erase_if(entries, [&](const given_to& entry) { return entry.connection == connection; });
    if (entries.size() < max_sites_per_piece)
        entries.push_back({std::string(site), connection, now, {}});
    return true;
}

void site_fanout::sent(const content_id& content, uint32_t piece, uint64_t connection,
                       clock::time_point now) {
    const auto it = pieces_.find(content);
    if (it == pieces_.end() || piece >= it->second.size()) return;
    for (auto& entry : it->second[piece]) {
        if (entry.connection == connection && entry.sent == clock::time_point{}) entry.sent = now;
    }
}

void site_fanout::withdraw(const content_id& content, uint32_t piece, uint64_t connection) {
    const auto it = pieces_.find(content);
    if (it == pieces_.end() || piece >= it->second.size()) return;
    std::erase_if(it->second[piece],
                  [&](const given_to& entry) { return entry.connection == connection; });
}

void site_fanout::forget_connection(uint64_t connection) {
    for (auto& [content, pieces] : pieces_) {
        for (auto& entries : pieces) {
            std::erase_if(entries,
                          [&](const given_to& entry) { return entry.connection == connection; });
        }
    }
}

}  // namespace xfer::sender
