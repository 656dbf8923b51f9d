// How much of unfinished frames (manifests in flight) a fetch holds for all its sources at once.
// Each source's frame reader draws a large body's bytes from one budget as they arrive; when a
// source needs more than is left, the fetch drops the source holding the most (often the one
// asking: a hostile sender that claims a 64 MiB manifest and trickles it), so memory stays
// bounded in bytes however many senders feed the fetch, and a sender that sends a real manifest
// as fast as it can is not starved by one that holds its share forever. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace xfer::receiver {

// The largest MANIFEST body (4 + 64 MiB) fits with room for others in flight beside it.
inline constexpr size_t max_frame_memory = 80 * 1024 * 1024;

struct frame_holder {
    uint64_t key = 0;
    size_t held = 0;       // bytes of its unfinished frame
    bool starved = false;  // its last read stopped because the budget was full
};

// When any holder starved: the one to drop (the largest holder; among equals, a starved one).
// None when nobody starved.
std::optional<uint64_t> frame_memory_victim(std::span<const frame_holder> holders);

}  // namespace xfer::receiver
