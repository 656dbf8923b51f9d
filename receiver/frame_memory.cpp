#include "receiver/frame_memory.hpp"

namespace xfer::receiver {

std::optional<uint64_t> frame_memory_victim(std::span<const frame_holder> holders) {
    bool any_starved = false;
    const frame_holder* largest = nullptr;
    for (const auto& holder : holders) {
        any_starved |= holder.starved;
        const bool larger = !largest || holder.held > largest->held ||
                            (holder.held == largest->held && holder.starved && !largest->starved);
        if (larger) largest = &holder;
    }
    if (!any_starved || !largest) return std::nullopt;
    return largest->key;
}

}  // namespace xfer::receiver
