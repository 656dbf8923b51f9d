#include "shared/store/file_piece_counts.hpp"

#include <algorithm>

namespace xfer {

void file_piece_counts::set(uint32_t entry, uint32_t pieces) {
    auto& cell = cells_[entry];
    cell &= truncate_bit;
    if (pieces < in_map) {
        many_.erase(entry);
        cell |= static_cast<uint8_t>(pieces);
    } else {
        many_[entry] = pieces;
        cell |= in_map;
    }
}

uint32_t file_piece_counts::left(uint32_t entry) const {
    const uint8_t count = cells_[entry] & count_bits;
    return count == in_map ? many_.at(entry) : count;
}

bool file_piece_counts::count_off(uint32_t entry) {
    const uint32_t now = left(entry) - 1;
    set(entry, now);
    return now == 0;
}

bool file_piece_counts::all_written() const {
    return std::ranges::all_of(cells_, [](uint8_t cell) { return (cell & count_bits) == 0; });
}

size_t file_piece_counts::bytes_used() const {
    // A node of the map: its key, value, hash link and allocation, about 32 bytes.
    return cells_.capacity() + many_.size() * 32 + many_.bucket_count() * sizeof(void*);
}

}  // namespace xfer
