// When a source with nothing else to do should duplicate a piece another source is fetching.
// Pure: rates and queue depths in, a yes or no out (tests/receiver/endgame_policy_test.cpp).
//
// Issue 13: at 32 sources the old rule (endgame once at most 2 pieces per source remain, every
// idle source joining in on the least-duplicated piece) started endgame almost at once for a
// 64-piece file and piled up to 8 copies of each last piece: 2.1x the payload arrived. Now:
// at most max_endgame_pieces pieces remain, a piece has at most max_endgame_holders sources on
// it, and a duplicate is made only when it is likely to finish first: the holder, at its
// measured rate, needs more than twice as long for what it still has in flight as the idle
// source needs for the whole piece. So slow peers do not hold the last pieces of fast ones, and
// fast peers do not waste their uplinks duplicating each other.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace xfer::receiver {

inline constexpr uint32_t min_endgame_pieces = 4;
inline constexpr uint32_t max_endgame_pieces = 16;
inline constexpr uint32_t endgame_pieces_per_source = 2;
inline constexpr size_t max_endgame_holders = 2;

// At most this share of a file's pieces is left to endgame (a 32-piece file: 1, so 4).
inline constexpr uint32_t endgame_share_divisor = 32;

// Endgame duplicates are considered only when this few of `pieces` remain: 2 per source, at
// most 16 and at most a 32nd of the file, but always 4. (A 8 MiB file at 32 sources had half
// its pieces open to duplicates: 1.41x the payload reached each fetcher.)
inline bool endgame_allowed(uint32_t remaining, size_t sources, uint32_t pieces) {
    const auto by_sources =
        std::min<size_t>(max_endgame_pieces, endgame_pieces_per_source * sources);
    const auto by_size = std::min<size_t>(by_sources, pieces / endgame_share_divisor);
    return remaining <= std::max<size_t>(min_endgame_pieces, by_size);
}

struct source_pace {
    double rate = 0;               // measured bytes per second; 0: not measured yet
    uint64_t bytes_in_flight = 0;  // asked for, not yet arrived
};

// Seconds `source` needs for `bytes` at its rate (infinite if it delivers nothing).
inline double seconds_for(const source_pace& source, uint64_t bytes) {
    if (bytes == 0) return 0;
    if (source.rate <= 0) return std::numeric_limits<double>::infinity();
    return static_cast<double>(bytes) / source.rate;
}

// True when `idle` (nothing in flight) would likely finish a `piece_length` piece well before
// `holder` finishes what it has in flight. An idle source not measured yet is taken to be as
// fast as the holder.
inline bool duplicate_pays(const source_pace& idle, const source_pace& holder,
                           uint32_t piece_length) {
    const double holder_needs = seconds_for(holder, holder.bytes_in_flight);
    const source_pace assumed = idle.rate > 0 ? idle : holder;
    const double idle_needs = seconds_for(assumed, piece_length);
    if (holder_needs == std::numeric_limits<double>::infinity()) return true;
    return holder_needs > 2 * idle_needs;
}

}  // namespace xfer::receiver
