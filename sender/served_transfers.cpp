#include "sender/served_transfers.hpp"

namespace xfer::sender {

served_transfers::~served_transfers() {
    while (!open_.empty()) ended(open_.begin()->first, transfer_log::outcome::abandoned);
}

void served_transfers::set_peer(const identity::peer_id& id) {
    peer_id_ = identity::format_peer_id(id);
}

void served_transfers::opened(uint32_t handle, std::string path, std::string content,
                              clock::time_point now) {
    // A handle reused without a CLOSE (not what xfer's receiver does): the old one ends here.
    if (open_.contains(handle)) ended(handle, transfer_log::outcome::abandoned);
    open_[handle] = {std::move(path), std::move(content), now, 0};
}

void served_transfers::sent(uint32_t handle, uint64_t bytes) {
    if (const auto it = open_.find(handle); it != open_.end()) it->second.bytes += bytes;
}

void served_transfers::ended(uint32_t handle, transfer_log::outcome result, std::string detail) {
    const auto it = open_.find(handle);
    if (it == open_.end()) return;
    auto transfer = std::move(it->second);
    open_.erase(it);
    if (!sink_ || !*sink_) return;
    transfer_log::transfer_record record;
    record.ended_at = transfer_log::wall_clock::now();
    record.way = transfer_log::direction::sent;
    record.peer_id = peer_id_;
    record.address = address_;
    record.path = std::move(transfer.path);
    record.content = std::move(transfer.content);
    record.bytes = transfer.bytes;
    record.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - transfer.started);
    record.result = result;
    record.detail = std::move(detail);
    (*sink_)(std::move(record));
}

}  // namespace xfer::sender
