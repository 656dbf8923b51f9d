#include "sender/piece_promises.hpp"

namespace xfer::sender {

bool piece_promises::holds(const promise& last, uint64_t asking, clock::time_point now) const {
    if (last.connection == 0 || last.connection == asking) return false;
    if (now - last.given >= max_hold) return false;
    return last.sent == clock::time_point{} || now - last.sent < window;
}

bool piece_promises::give(const content_id& content, uint32_t piece_count, uint32_t piece,
                          uint64_t connection, clock::time_point now) {
    auto& pieces = promises_[content];
    if (pieces.size() != piece_count) pieces.assign(piece_count, promise{});
    if (piece >= pieces.size()) return true;
    auto& last = pieces[piece];
    if (holds(last, connection, now)) return false;
    last = {now, {}, connection};
    return true;
}

piece_promises::promise* piece_promises::find(const content_id& content, uint32_t piece,
                                              uint64_t connection) {
    const auto it = promises_.find(content);
    if (it == promises_.end() || piece >= it->second.size()) return nullptr;
    auto& last = it->second[piece];
    return last.connection == connection ? &last : nullptr;
}

void piece_promises::sent(const content_id& content, uint32_t piece, uint64_t connection,
                          clock::time_point now) {
    if (auto* last = find(content, piece, connection); last && last->sent == clock::time_point{})
        last->sent = now;
}

void piece_promises::withdraw(const content_id& content, uint32_t piece, uint64_t connection) {
    if (auto* last = find(content, piece, connection)) *last = promise{};
}

void piece_promises::forget_connection(uint64_t connection) {
    for (auto& [content, pieces] : promises_) {
        for (auto& last : pieces) {
            if (last.connection == connection) last = promise{};
        }
    }
}

}  // namespace xfer::sender
