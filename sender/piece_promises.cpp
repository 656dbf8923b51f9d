#include "sender/piece_promises.hpp"

namespace xfer::sender {

bool piece_promises::give(const content_id& content, uint32_t piece_count, uint32_t piece,
                          uint64_t connection, clock::time_point now) {
    auto& pieces = promises_[content];
    if (pieces.size() != piece_count) pieces.assign(piece_count, promise{});
    if (piece >= pieces.size()) return true;
    auto& last = pieces[piece];
    if (last.connection != 0 && last.connection != connection && now - last.when < window)
        return false;
    last = {now, connection};
    return true;
}

void piece_promises::forget_connection(uint64_t connection) {
    for (auto& [content, pieces] : promises_) {
        for (auto& last : pieces) {
            if (last.connection == connection) last = promise{};
        }
    }
}

}  // namespace xfer::sender
