#include "receiver/source_cap.hpp"

namespace xfer::receiver {

std::optional<uint64_t> source_cap::to_give_up(std::span<const standing> sources, size_t waiting,
                                               clock::time_point now) {
    if (waiting == 0 || has_room(sources.size())) return std::nullopt;
    if (last_swap_ != clock::time_point{} && now - last_swap_ < swap_interval) return std::nullopt;
    const standing* useless = nullptr;
    const standing* idlest = nullptr;
    for (const auto& source : sources) {
        if (!source.manifest_accepted || source.bytes_in_flight > 0) continue;
        if (now - source.connected_at < settle_time) continue;
        if (!source.has_wanted) {
            if (!useless || source.connected_at < useless->connected_at) useless = &source;
            continue;
        }
        if (now - source.last_block_data < idle_time) continue;
        if (!idlest || source.last_block_data < idlest->last_block_data) idlest = &source;
    }
    const standing* chosen = useless ? useless : idlest;
    if (!chosen) return std::nullopt;
    last_swap_ = now;
    return chosen->key;
}

}  // namespace xfer::receiver
